package firewall

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
)

// seedNet is the seed's picture, built in the sandbox with ip(8): the
// sandbox's own namespace is the host; red (192.168.15.1) and blue
// (192.168.15.2) hang off bridge v-net-0 (host 192.168.15.5, default route
// via the host); lan (192.168.1.10) sits behind veth eth-lan (host
// 192.168.1.2) and has no route back to 192.168.15.0/24. IPv6 twins:
// fd00:15::/64 (host ::5) and fd00:1::/64 (host ::2). ip_forward is on.
type seedNet struct {
	red, blue, lan *nsutil.NetNS
	host           *testConn
}

func newSeedNet(t *testing.T) *seedNet {
	t.Helper()
	ip := func(args ...string) { runIn(t, nil, "ip", args...) }
	noDAD(t, nil)
	for _, n := range []string{"red", "blue", "lan"} {
		ip("netns", "add", n)
		t.Cleanup(func() { tryIn(nil, "ip", "netns", "del", n) })
		ns, err := nsutil.Open(n)
		if err != nil {
			t.Fatal(err)
		}
		noDAD(t, ns)
		ns.Close()
	}
	ip("link", "add", "v-net-0", "type", "bridge")
	t.Cleanup(func() { tryIn(nil, "ip", "link", "del", "v-net-0") })
	ip("link", "set", "v-net-0", "up")
	ip("addr", "add", "192.168.15.5/24", "dev", "v-net-0")
	ip("addr", "add", "fd00:15::5/64", "dev", "v-net-0", "nodad")
	for _, h := range []struct{ ns, v4, v6 string }{{"red", "192.168.15.1", "fd00:15::1"}, {"blue", "192.168.15.2", "fd00:15::2"}} {
		ip("link", "add", "veth-"+h.ns, "type", "veth", "peer", "name", "eth0", "netns", h.ns)
		t.Cleanup(func() { tryIn(nil, "ip", "link", "del", "veth-"+h.ns) }) // synchronous, unlike the netns teardown
		ip("link", "set", "veth-"+h.ns, "master", "v-net-0", "up")
		ip("-n", h.ns, "link", "set", "lo", "up")
		ip("-n", h.ns, "link", "set", "eth0", "up")
		ip("-n", h.ns, "addr", "add", h.v4+"/24", "dev", "eth0")
		ip("-n", h.ns, "addr", "add", h.v6+"/64", "dev", "eth0", "nodad")
		ip("-n", h.ns, "route", "add", "default", "via", "192.168.15.5")
		ip("-n", h.ns, "-6", "route", "add", "default", "via", "fd00:15::5")
	}
	ip("link", "add", "eth-lan", "type", "veth", "peer", "name", "eth0", "netns", "lan")
	t.Cleanup(func() { tryIn(nil, "ip", "link", "del", "eth-lan") })
	ip("link", "set", "eth-lan", "up")
	ip("addr", "add", "192.168.1.2/24", "dev", "eth-lan")
	ip("addr", "add", "fd00:1::2/64", "dev", "eth-lan", "nodad")
	ip("-n", "lan", "link", "set", "lo", "up")
	ip("-n", "lan", "link", "set", "eth0", "up")
	ip("-n", "lan", "addr", "add", "192.168.1.10/24", "dev", "eth0")
	ip("-n", "lan", "addr", "add", "fd00:1::10/64", "dev", "eth0", "nodad")
	for _, k := range []string{"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"} {
		if err := os.WriteFile(k, []byte("1"), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.WriteFile(k, []byte("0"), 0) })
	}
	s := &seedNet{host: dialIn(t, nil)}
	for _, p := range []struct {
		ns   **nsutil.NetNS
		name string
	}{{&s.red, "red"}, {&s.blue, "blue"}, {&s.lan, "lan"}} {
		ns, err := nsutil.Open(p.name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ns.Close() })
		*p.ns = ns
	}
	t.Cleanup(func() { s.host.Flush() })
	return s
}

// noDAD turns IPv6 duplicate address detection off for the links created
// from now on in ns (nil: the sandbox's own namespace, restored at the end
// of the test). Otherwise their link-local addresses stay tentative for
// one to several seconds (DAD runs from a workqueue that needs the RTNL,
// which is slow on a busy host), and while they do the kernel sends no
// neighbour solicitation for a packet whose source is not an address of
// the outgoing device (ndisc_send_ns needs a usable link-local source): a
// forwarded packet then waits longer than the 1 s a test connection may
// take.
func noDAD(t *testing.T, ns *nsutil.NetNS) {
	t.Helper()
	const key = "net.ipv6.conf.default.accept_dad"
	if ns != nil {
		if err := ns.SysctlSet(key, "0"); err != nil {
			t.Fatal(err)
		}
		return
	}
	const path = "/proc/sys/net/ipv6/conf/default/accept_dad"
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("0"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(path, old, 0) })
}

// serve starts a server inside ns (nil: the host) that answers every TCP connection or UDP
// datagram with the peer address it sees. The socket is made on a thread
// that joined ns (doIn), so it lives there; the serving goroutine can run
// anywhere.
func serve(t *testing.T, ns *nsutil.NetNS, network, addr string) {
	t.Helper()
	var wg sync.WaitGroup
	switch network {
	case "tcp":
		var l net.Listener
		if err := doIn(ns, func() (err error) { l, err = net.Listen("tcp", addr); return }); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				fmt.Fprintln(c, c.RemoteAddr())
				c.Close()
			}
		})
		t.Cleanup(func() { l.Close(); wg.Wait() })
	case "udp":
		var pc net.PacketConn
		if err := doIn(ns, func() (err error) { pc, err = net.ListenPacket("udp", addr); return }); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			b := make([]byte, 64)
			for {
				_, peer, err := pc.ReadFrom(b)
				if err != nil {
					return
				}
				pc.WriteTo([]byte(peer.String()+"\n"), peer)
			}
		})
		t.Cleanup(func() { pc.Close(); wg.Wait() })
	}
}

// ask connects from ns (nil: the host) to addr and returns the peer address
// the server saw, with its port removed.
func ask(ns *nsutil.NetNS, network, addr string) (string, error) {
	var c net.Conn
	dial := func() (err error) {
		d := net.Dialer{Timeout: time.Second}
		c, err = d.DialContext(context.Background(), network, addr)
		return err
	}
	if err := doIn(ns, dial); err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if network == "udp" {
		if _, err := c.Write([]byte("?")); err != nil {
			return "", err
		}
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", err
	}
	ap, err := netip.ParseAddrPort(strings.TrimSpace(line))
	if err != nil {
		return "", err
	}
	return ap.Addr().String(), nil
}

func expectPeer(t *testing.T, what string, ns *nsutil.NetNS, network, addr, peer string) {
	t.Helper()
	got, err := ask(ns, network, addr)
	if err != nil {
		t.Errorf("%s: %s %s: %v", what, network, addr, err)
		return
	}
	if got != peer {
		t.Errorf("%s: %s %s: server saw peer %s, want %s", what, network, addr, got, peer)
	}
}

func expectFail(t *testing.T, what string, ns *nsutil.NetNS, network, addr string) {
	t.Helper()
	if got, err := ask(ns, network, addr); err == nil {
		t.Errorf("%s: %s %s reached a server that saw %s; want no answer", what, network, addr, got)
	}
}

func natAdd(t *testing.T, c *testConn, text string) {
	t.Helper()
	if _, err := c.Add(mustParseNAT(t, text)); err != nil {
		t.Fatalf("nat add %s: %v", text, err)
	}
}

func TestTrafficMasquerade(t *testing.T) {
	sandbox.Require(t)
	s := newSeedNet(t)
	serve(t, s.lan, "tcp", ":9000")
	for _, v := range []struct{ masq, server, host string }{
		{"masquerade 192.168.15.0/24", "192.168.1.10:9000", "192.168.1.2"},
		{"masquerade fd00:15::/64 oif eth-lan", "[fd00:1::10]:9000", "fd00:1::2"},
	} {
		expectFail(t, "blue to lan without masquerade", s.blue, "tcp", v.server)
		natAdd(t, s.host, v.masq)
		expectPeer(t, "blue to lan with "+v.masq, s.blue, "tcp", v.server, v.host)
		list, err := s.host.List()
		if err != nil {
			t.Fatal(err)
		}
		if e := list[len(list)-1]; e.Packets == 0 || e.Bytes == 0 {
			t.Errorf("%s: counters did not move: %+v", v.masq, e)
		}
	}
}

func TestTrafficForward(t *testing.T) {
	sandbox.Require(t)
	s := newSeedNet(t)
	serve(t, s.blue, "tcp", ":80")
	serve(t, s.blue, "udp", ":53")
	expectFail(t, "lan to host:8080 without forward", s.lan, "tcp", "192.168.1.2:8080")
	for _, f := range []string{
		"forward tcp 8080 192.168.15.2:80",
		"forward udp 5353 192.168.15.2:53",
		"forward tcp 8080 [fd00:15::2]:80",
		"forward udp 5353 [fd00:15::2]:53",
	} {
		natAdd(t, s.host, f)
	}
	// Without a hairpin network every forwarded connection is masqueraded:
	// blue sees the host's bridge address.
	for _, c := range []struct {
		what   string
		ns     *nsutil.NetNS
		to     string
		server string
	}{
		{"from the lan", s.lan, "192.168.1.2", "192.168.15.5"},
		{"from the host itself", nil, "192.168.1.2", "192.168.15.5"},
		{"hairpin from red", s.red, "192.168.15.5", "192.168.15.5"},
		{"from the lan, IPv6", s.lan, "fd00:1::2", "fd00:15::5"},
		{"from the host itself, IPv6", nil, "fd00:1::2", "fd00:15::5"},
		{"hairpin from red, IPv6", s.red, "fd00:15::5", "fd00:15::5"},
	} {
		for _, p := range []struct{ network, port string }{{"tcp", "8080"}, {"udp", "5353"}} {
			expectPeer(t, c.what, c.ns, p.network, net.JoinHostPort(c.to, p.port), c.server)
		}
	}
	// The host's loopback is left alone: a service of its own on
	// 127.0.0.1:8080 still answers there.
	serve(t, nil, "tcp", "127.0.0.1:8080")
	expectPeer(t, "host to its own loopback", nil, "tcp", "127.0.0.1:8080", "127.0.0.1")
	// With the hairpin network, only red's connections are masqueraded;
	// the lan client keeps its own address.
	if err := s.host.Del(mustParseNAT(t, "forward tcp 8080 192.168.15.2:80")); err != nil {
		t.Fatal(err)
	}
	expectFail(t, "lan after nat del", s.lan, "tcp", "192.168.1.2:8080")
	natAdd(t, s.host, "forward tcp 8080 192.168.15.2:80 hairpin 192.168.15.0/24")
	expectPeer(t, "lan, hairpin scoped", s.lan, "tcp", "192.168.1.2:8080", "192.168.1.10")
	expectPeer(t, "red, hairpin scoped", s.red, "tcp", "192.168.15.5:8080", "192.168.15.5")
	expectPeer(t, "host, hairpin scoped", nil, "tcp", "192.168.1.2:8080", "192.168.1.2")
	// iif: only connections arriving on eth-lan are forwarded.
	if _, err := s.host.Flush(); err != nil {
		t.Fatal(err)
	}
	natAdd(t, s.host, "forward tcp 8080 192.168.15.2:80 iif eth-lan")
	expectPeer(t, "lan with iif eth-lan", s.lan, "tcp", "192.168.1.2:8080", "192.168.15.5")
	expectFail(t, "red with iif eth-lan", s.red, "tcp", "192.168.15.5:8080")
	list, err := s.host.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Packets != 1 {
		t.Errorf("after one forwarded connection: %+v, want one entry counting 1 packet", list)
	}
	if errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}
