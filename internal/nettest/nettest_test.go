package nettest

import (
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
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
