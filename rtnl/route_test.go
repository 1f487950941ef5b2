package rtnl

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

func routeCases() []struct {
	name  string
	route Route
} {
	return []struct {
		name  string
		route Route
	}{
		{"via", (&Route{Dst: netip.MustParseAddr("10.9.0.0"), DstLen: 16,
			Gateway: netip.MustParseAddr("192.168.15.2")}).addDefaults()},
		{"default_metric", (&Route{Gateway: netip.MustParseAddr("192.168.15.254"), Priority: 100}).addDefaults()},
		{"dev", (&Route{Dst: netip.MustParseAddr("10.8.0.0"), DstLen: 16, OutIndex: 4}).addDefaults()},
		{"v6_via_dev", (&Route{Dst: netip.MustParseAddr("2001:db8:1::"), DstLen: 48,
			Gateway: netip.MustParseAddr("fe80::1"), OutIndex: 4}).addDefaults()},
		{"table_1000", (&Route{Table: 1000, Dst: netip.MustParseAddr("10.7.0.0"), DstLen: 16, OutIndex: 4}).addDefaults()},
		{"v6_pref_high", (&Route{Dst: netip.MustParseAddr("2001:db8:5::"), DstLen: 48, OutIndex: 4,
			Pref: PrefHigh, HasPref: true}).addDefaults()},
		{"del_via", (&Route{Dst: netip.MustParseAddr("10.9.0.0"), DstLen: 16,
			Gateway: netip.MustParseAddr("192.168.15.2")}).delDefaults()},
	}
}

func TestRouteGolden(t *testing.T) {
	for _, tt := range routeCases() {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.route.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/route_"+tt.name+".hex",
				"rtnl Route.MarshalBinary, TestRouteGolden/"+tt.name+" (rtmsg + RTA_*)", got)
		})
	}
}

func TestRouteRoundTrip(t *testing.T) {
	for _, tt := range routeCases() {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.route.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got Route
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.route, got, cmpOpts()); diff != "" {
				t.Errorf("decode(encode(route)) differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRouteMatchesIproute2: the defaults RouteAdd/RouteDel fill in are
// the ones `ip route add/del` sends.
func TestRouteMatchesIproute2(t *testing.T) {
	for _, tt := range []struct {
		file string
		ours func(ip Route) Route
	}{
		{"ip_route_add_via_0", func(Route) Route {
			return (&Route{Dst: netip.MustParseAddr("10.9.0.0"), DstLen: 16, Gateway: netip.MustParseAddr("192.168.15.2")}).addDefaults()
		}},
		{"ip_route_add_default_0", func(Route) Route {
			return (&Route{Gateway: netip.MustParseAddr("192.168.15.254"), Priority: 100}).addDefaults()
		}},
		{"ip_route_add_dev_0", func(ip Route) Route {
			return (&Route{Dst: netip.MustParseAddr("10.8.0.0"), DstLen: 16, OutIndex: ip.OutIndex}).addDefaults()
		}},
		{"ip_route_add_pref_0", func(ip Route) Route {
			return (&Route{Dst: netip.MustParseAddr("2001:db8:5::"), DstLen: 48, OutIndex: ip.OutIndex, Pref: PrefHigh, HasPref: true}).addDefaults()
		}},
		{"ip_route_del_0", func(Route) Route {
			return (&Route{Dst: netip.MustParseAddr("10.9.0.0"), DstLen: 16, Gateway: netip.MustParseAddr("192.168.15.2")}).delDefaults()
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var ip Route
			if err := ip.UnmarshalBinary(golden.Read(t, "testdata/"+tt.file+".hex")); err != nil {
				t.Fatal(err)
			}
			want := tt.ours(ip)
			if diff := cmp.Diff(ip, want, cmpOpts()); diff != "" {
				t.Errorf("ip's request and ours differ (-ip +ours):\n%s", diff)
			}
		})
	}
}

func TestRouteDecodeKernelDump(t *testing.T) {
	var main4, local4, v6 []Route
	for _, g := range golden.Glob(t, "testdata/kernel_route_*.hex", "testdata/kernel_route6_*.hex") {
		path, b := g.Path, g.Bytes
		var r Route
		if err := r.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch {
		case r.Family == unix.AF_INET6:
			v6 = append(v6, r)
		case r.Table == unix.RT_TABLE_MAIN:
			main4 = append(main4, r)
		case r.Table == unix.RT_TABLE_LOCAL:
			local4 = append(local4, r)
		}
	}
	var def, dev, kernel bool
	for _, r := range main4 {
		switch {
		case r.DstLen == 0:
			def = r.Gateway == netip.MustParseAddr("192.168.15.254") && r.Priority == 100 &&
				r.Protocol == unix.RTPROT_BOOT && r.Scope == unix.RT_SCOPE_UNIVERSE && r.OutIndex != 0
		case r.DstPrefix() == netip.MustParsePrefix("10.8.0.0/16"):
			dev = r.Scope == unix.RT_SCOPE_LINK && !r.Gateway.IsValid()
		case r.DstPrefix() == netip.MustParsePrefix("192.168.15.0/24"):
			kernel = r.Protocol == unix.RTPROT_KERNEL && r.PrefSrc == netip.MustParseAddr("192.168.15.1")
		}
	}
	for _, r := range v6 {
		if !r.HasPref || r.Pref != PrefMedium {
			t.Errorf("IPv6 route %v: RTA_PREF decoded as %v %v, the kernel sends medium for every one", r.DstPrefix(), r.HasPref, r.Pref)
		}
	}
	for _, r := range main4 {
		if r.HasPref {
			t.Errorf("IPv4 route %v has RTA_PREF", r.DstPrefix())
		}
	}
	if !def || !dev || !kernel || len(local4) == 0 || len(v6) == 0 {
		t.Errorf("dump decoded wrongly: default %v, dev route %v, kernel route %v, %d local, %d v6\n%+v",
			def, dev, kernel, len(local4), len(v6), main4)
	}
}

func TestRouteDefaults(t *testing.T) {
	r := (&Route{Dst: netip.MustParseAddr("2001:db8::"), DstLen: 32, OutIndex: 3}).addDefaults()
	if r.Family != unix.AF_INET6 || r.Table != unix.RT_TABLE_MAIN || r.Protocol != unix.RTPROT_BOOT ||
		r.Scope != unix.RT_SCOPE_UNIVERSE || r.Type != unix.RTN_UNICAST {
		t.Errorf("addDefaults = %+v (iproute2 leaves an IPv6 route at scope universe)", r)
	}
	r = (&Route{Dst: netip.MustParseAddr("10.8.0.0"), DstLen: 16, OutIndex: 3}).addDefaults()
	if r.Family != unix.AF_INET || r.Scope != unix.RT_SCOPE_LINK {
		t.Errorf("addDefaults = %+v (an IPv4 route without a gateway is scope link)", r)
	}
	if p := (&Route{}).DstPrefix(); p != netip.MustParsePrefix("0.0.0.0/0") {
		t.Errorf("default route prefix = %v", p)
	}
	if p := (&Route{Family: unix.AF_INET6}).DstPrefix(); p != netip.MustParsePrefix("::/0") {
		t.Errorf("default v6 route prefix = %v", p)
	}
}

func FuzzRouteUnmarshal(f *testing.F) {
	golden.FuzzRoundTrip[Route](f, "testdata/route_*.hex", "testdata/ip_route_*.hex", "testdata/kernel_route*.hex")
}

func BenchmarkRouteMarshal(b *testing.B) {
	r := (&Route{Gateway: netip.MustParseAddr("192.168.15.254"), Priority: 100}).addDefaults()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRouteSetFlags: each RouteMode sends the NLM_F_* flags of its `ip
// route` command (iproute2's do_iproute), and names itself in errors.
func TestRouteSetFlags(t *testing.T) {
	for mode, want := range map[RouteMode]struct {
		flags netlink.HeaderFlags
		op    string
	}{
		RouteModeAdd:     {netlink.Create | netlink.Excl, "route add"},
		RouteModeChange:  {netlink.Replace, "route change"},
		RouteModeReplace: {netlink.Create | netlink.Replace, "route replace"},
		RouteModePrepend: {netlink.Create, "route prepend"},
		RouteModeAppend:  {netlink.Create | netlink.Append, "route append"},
	} {
		var got netlink.HeaderFlags
		c := fakeConn(func(reqs []netlink.Message) ([]netlink.Message, error) {
			if len(reqs) == 0 {
				return nil, nil
			}
			got = reqs[0].Header.Flags
			return []netlink.Message{ack(reqs[0], unix.ENOENT, "")}, nil
		})
		err := c.RouteSet(&Route{Dst: netip.MustParseAddr("10.0.0.0"), DstLen: 8, OutIndex: 2}, mode)
		const base = netlink.Request | netlink.Acknowledge
		if got != base|want.flags {
			t.Errorf("mode %d sent flags %#x, want %#x", mode, got, base|want.flags)
		}
		var oe *OpError
		if !errors.As(err, &oe) || oe.Op != want.op || !errors.Is(err, unix.ENOENT) {
			t.Errorf("mode %d: error %v, want an OpError %q wrapping ENOENT", mode, err, want.op)
		}
	}
}
