package topo

import (
	"net/netip"
	"strings"
	"testing"
)

func TestNeighNeed(t *testing.T) {
	for _, tt := range []struct {
		name   string
		top    *Topology
		v4, v6 int
	}{
		// One bridge with its address and 1000 namespaces: each namespace
		// holds its gateway, the host holds every namespace.
		{"1000 on a bridge", generated(t, 1000), 2000, 0},
		{"10 on a bridge", generated(t, 10), 20, 0},
		{"a veth pair between two namespaces, dual stack", &Topology{Veths: []Veth{{
			End:  End{Name: "a", Netns: "x", Addresses: []netip.Prefix{netip.MustParsePrefix("10.1.0.1/30"), netip.MustParsePrefix("fd00::1/64")}},
			Peer: End{Name: "b", Netns: "y", Addresses: []netip.Prefix{netip.MustParsePrefix("10.1.0.2/30"), netip.MustParsePrefix("fd00::2/64"), netip.MustParsePrefix("fe80::2/64")}},
		}}}, 2, 2},
		{"addresses of one interface are one station", &Topology{Bridges: []Bridge{{Name: "b", Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("10.0.1.1/24")}}},
			Veths: []Veth{{End: End{Name: "e", Netns: "x", Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24"), netip.MustParsePrefix("10.0.1.2/24")}}, Peer: End{Name: "p", Bridge: "b"}}}}, 2, 0},
		{"a lone address needs nothing", &Topology{Bridges: []Bridge{{Name: "b", Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}}}}, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v4, v6 := tt.top.neighNeed()
			if v4 != tt.v4 || v6 != tt.v6 {
				t.Errorf("need %d IPv4, %d IPv6; want %d, %d", v4, v6, tt.v4, tt.v6)
			}
		})
	}
}

func TestNeighCapacityWarning(t *testing.T) {
	c := NeighCapacity{Family: "IPv4", Sysctl: "net.ipv4.neigh.default.gc_thresh3", Need: 2000, Limit: 1024, InUse: 2}
	if !c.Short() || c.Suggested() != 3072 {
		t.Errorf("short %v, suggested %d", c.Short(), c.Suggested())
	}
	w := c.Warning()
	for _, s := range []string{"2000", "1024", "net.ipv4.neigh.default.gc_thresh3", "kernel limit", "2 in use"} {
		if !strings.Contains(w, s) {
			t.Errorf("warning %q lacks %q", w, s)
		}
	}
	if f := c.Fix(); !strings.HasPrefix(f, "sysctl -w net.ipv4.neigh.default.gc_thresh3=3072 ") {
		t.Errorf("fix %q", f)
	}
	c.Limit = 4096
	if c.Short() || c.Warning() != "" {
		t.Errorf("a large enough table warns: %q", c.Warning())
	}
	c.Limit = 0
	if w := c.Warning(); !strings.Contains(w, "could not be read") {
		t.Errorf("unknown limit: %q", w)
	}
}
