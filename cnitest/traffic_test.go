package cnitest

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/nsnet/nsnet/internal/nettest"
	"github.com/nsnet/nsnet/nsutil"
)

// outside is a namespace outside the host (a client on the LAN): a veth
// to the host, 192.0.2.2/24 there, the host's end 192.0.2.1/24.
func outside(t *testing.T, name, hostIf string) *nsutil.NetNS {
	t.Helper()
	for _, argv := range [][]string{
		{"netns", "add", name},
		{"link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", name},
		{"addr", "add", "192.0.2.1/24", "dev", hostIf},
		{"link", "set", hostIf, "up"},
		{"-n", name, "addr", "add", "192.0.2.2/24", "dev", "eth0"},
		{"-n", name, "link", "set", "eth0", "up"},
		{"-n", name, "link", "set", "lo", "up"},
		{"-n", name, "route", "add", "default", "via", "192.0.2.1"},
	} {
		if out, err := run(t, nil, "", "ip", argv...); err != nil {
			t.Fatalf("ip %v: %v %s", argv, err, out)
		}
	}
	t.Cleanup(func() {
		run(t, nil, "", "ip", "netns", "del", name)
		run(t, nil, "", "ip", "link", "del", hostIf)
	})
	ns, err := nsutil.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	return ns
}

// TestTraffic: two pods reach each other; a server in pod A is reached
// through its hostPort from outside, from the host (its LAN address and
// 127.0.0.1), and by hairpin from pod A itself and from pod B; after DEL
// nothing of it answers.
func TestTraffic(t *testing.T) {
	require(t)
	n := newNetwork()
	l := n.list(t, "1.1.0", n.nsnetPlugin(""))
	c := cniConfig()
	out := outside(t, "lan-"+n.name, "lan"+n.bridge)
	a, b := startPod(t, "web"), startPod(t, "client")
	pm := map[string]any{"portMappings": []map[string]any{{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}}}
	res, err := c.AddNetworkList(ctx(t), l, a.rt("eth0", pm))
	if err != nil {
		t.Fatal(err)
	}
	ra, _ := types100.NewResultFromResult(res)
	res, err = c.AddNetworkList(ctx(t), l, b.rt("eth0", nil))
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := types100.NewResultFromResult(res)
	ipA := ra.IPs[0].Address.IP.String()
	if rb.IPs[0].Address.IP.Equal(ra.IPs[0].Address.IP) {
		t.Fatalf("both pods got %s", ipA)
	}
	srv, err := nettest.Serve(a.ns(t), ":80", "hello from web")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := nettest.Ping(b.ns(t), netipOf(ra.IPs[0].Address.IP), 3*time.Second); err != nil {
		t.Errorf("pod B -> pod A: %v", err)
	}
	for _, tt := range []struct {
		from string
		ns   *nsutil.NetNS
		addr string
	}{
		{"pod B directly", b.ns(t), ipA + ":80"},
		{"outside via hostPort", out, "192.0.2.1:8080"},
		{"the host via its LAN address", nil, "192.0.2.1:8080"},
		{"the host via 127.0.0.1", nil, "127.0.0.1:8080"},
		{"the host via the gateway address", nil, n.gateway().String() + ":8080"},
		{"pod A itself by hairpin", a.ns(t), "192.0.2.1:8080"},
		{"pod B via the host", b.ns(t), "192.0.2.1:8080"},
	} {
		got, err := nettest.Get(tt.ns, tt.addr, 3*time.Second)
		if err != nil || got != "hello from web" {
			t.Errorf("%s (%s): %q %v", tt.from, tt.addr, got, err)
		}
	}
	if err := c.DelNetworkList(ctx(t), l, a.rt("eth0", pm)); err != nil {
		t.Fatal(err)
	}
	if got, err := nettest.Get(out, "192.0.2.1:8080", 500*time.Millisecond); err == nil {
		t.Errorf("hostPort still answers after DEL: %q", got)
	}
	if err := c.DelNetworkList(ctx(t), l, b.rt("eth0", nil)); err != nil {
		t.Fatal(err)
	}
}

// TestParallel: 20 ADDs at once through libcni on one network, then 20
// DELs: distinct addresses, no errors, nothing left.
func TestParallel(t *testing.T) {
	require(t)
	n := newNetwork()
	l := n.list(t, "1.0.0", n.nsnetPlugin(""))
	c := cniConfig()
	const k = 20
	pods := make([]*pod, k)
	for i := range pods {
		pods[i] = startPod(t, fmt.Sprintf("par%d", i))
	}
	var wg sync.WaitGroup
	ips := make([]string, k)
	errs := make([]error, k)
	each := func(f func(i int, p *pod) error) {
		for i, p := range pods {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = f(i, p) }()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("pod %d: %v", i, err)
			}
		}
	}
	each(func(i int, p *pod) error {
		res, err := c.AddNetworkList(ctx(t), l, p.rt("eth0", nil))
		if err != nil {
			return err
		}
		r, err := types100.NewResultFromResult(res)
		if err == nil {
			ips[i] = r.IPs[0].Address.String()
		}
		return err
	})
	seen := map[string]bool{}
	for _, ip := range ips {
		if seen[ip] {
			t.Errorf("%s given twice", ip)
		}
		seen[ip] = true
	}
	if got := len(reservations(t, n.name)); got != k+2 {
		t.Errorf("store has %d files, want %d", got, k+2)
	}
	each(func(i int, p *pod) error { return c.DelNetworkList(ctx(t), l, p.rt("eth0", nil)) })
	if got := reservations(t, n.name); len(got) != 2 {
		t.Errorf("store after DELs: %v", got)
	}
}

func netipOf(ip []byte) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}
