package nettest

import (
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { os.Exit(sandbox.Main(m)) }

func TestServeGetPing(t *testing.T) {
	sandbox.Require(t)
	ns, err := nsutil.Create("nettest")
	if err != nil {
		t.Fatal(err)
	}
	defer nsutil.Delete("nettest")
	defer ns.Close()
	// Its loopback is down: nothing answers until it is up.
	if err := Ping(ns, netip.MustParseAddr("127.0.0.1"), 200*time.Millisecond); err == nil {
		t.Fatal("ping over a down loopback succeeded")
	}
	sandbox.Run(t, "ip", "-n", "nettest", "link", "set", "lo", "up")
	if err := Ping(ns, netip.MustParseAddr("127.0.0.1"), time.Second); err != nil {
		t.Fatal(err)
	}
	srv, err := Serve(ns, "127.0.0.1:8080", "hi")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	got, err := Get(ns, "127.0.0.1:8080", time.Second)
	if err != nil || got != "hi" {
		t.Fatalf("Get in the namespace: %q, %v", got, err)
	}
	// The server is in the namespace, not here.
	if _, err := Get(nil, "127.0.0.1:8080", 200*time.Millisecond); err == nil {
		t.Fatal("the namespace's server answered outside it")
	}
}

func TestTCPAddr(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" means an error
	}{
		{"192.168.15.2:80", "192.168.15.2:80"},
		{"[fd00::1]:8080", "[fd00::1]:8080"},
		{":80", "invalid AddrPort"},
		{"localhost:80", ""},
		{"192.168.15.2", ""},
		{"192.168.15.2:65536", ""},
		{"192.168.15.2:http", ""},
	} {
		got, err := tcpAddr(tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("tcpAddr(%q) = %v, want an error", tc.in, got)
		case tc.want != "" && err != nil:
			t.Errorf("tcpAddr(%q): %v", tc.in, err)
		case tc.want != "" && got.String() != tc.want:
			t.Errorf("tcpAddr(%q) = %v, want %s", tc.in, got, tc.want)
		}
	}
	if got, _ := tcpAddr(":80"); got.Port() != 80 || got.Addr().IsValid() {
		t.Errorf(`tcpAddr(":80") = %v, want port 80 and no address`, got)
	}
}

// TestServeEveryAddress: ":PORT" listens on every address of both
// families, as net.ListenTCP did (one IPv6 socket that takes IPv4 too);
// Get reaches it over IPv4, IPv6, the unspecified address (this host) and
// a link-local address with its zone; a port nobody listens on reads as
// net's refusal did; after Close nothing answers.
func TestServeEveryAddress(t *testing.T) {
	sandbox.Require(t)
	ns, err := nsutil.Create("nettest6")
	if err != nil {
		t.Fatal(err)
	}
	defer nsutil.Delete("nettest6")
	defer ns.Close()
	sandbox.Run(t, "ip", "-n", "nettest6", "link", "set", "lo", "up")
	sandbox.Run(t, "ip", "-n", "nettest6", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	sandbox.Run(t, "ip", "-n", "nettest6", "addr", "add", "fe80::1/64", "dev", "v0", "nodad")
	sandbox.Run(t, "ip", "-n", "nettest6", "addr", "add", "fe80::2/64", "dev", "v1", "nodad")
	sandbox.Run(t, "ip", "-n", "nettest6", "link", "set", "v0", "up")
	sandbox.Run(t, "ip", "-n", "nettest6", "link", "set", "v1", "up")
	srv, err := Serve(ns, ":8081", "both")
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"127.0.0.1:8081", "[::1]:8081", "[::ffff:127.0.0.1]:8081", ":8081", "[fe80::2%v0]:8081"} {
		if got, err := Get(ns, addr, 2*time.Second); err != nil || got != "both" {
			t.Errorf("Get %s: %q, %v", addr, got, err)
		}
	}
	if _, err := Get(ns, "[fe80::1%nosuchdev]:8081", time.Second); err == nil {
		t.Errorf("Get with a zone naming no interface succeeded")
	}
	_, err = Get(ns, "127.0.0.1:8082", time.Second)
	if want := "127.0.0.1:8082: connect: connection refused"; !errors.Is(err, unix.ECONNREFUSED) || !strings.HasPrefix(err.Error(), "dial tcp ") || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("Get from a port nobody listens on: %v, want dial tcp ...%s", err, want)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := Get(ns, "127.0.0.1:8081", time.Second); err == nil {
		t.Errorf("the server answered after Close")
	}
}
