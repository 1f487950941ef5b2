package rtnl

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

func addrCases() []struct {
	name string
	addr Addr
} {
	v4 := netip.MustParseAddr("192.168.15.1")
	v6 := netip.MustParseAddr("2001:db8::1")
	return []struct {
		name string
		addr Addr
	}{
		{"v4", Addr{Family: unix.AF_INET, PrefixLen: 24, Index: 4, Local: v4, Address: v4}},
		{"v4_brd_label", Addr{Family: unix.AF_INET, PrefixLen: 24, Index: 4, Local: v4, Address: v4,
			Broadcast: netip.MustParseAddr("192.168.15.255"), Label: "veth-red:1"}},
		{"v6_nodad", Addr{Family: unix.AF_INET6, PrefixLen: 64, Index: 4, Local: v6, Address: v6,
			Flags: unix.IFA_F_NODAD}},
		{"v6_flags_lifetimes", Addr{Family: unix.AF_INET6, PrefixLen: 64, Index: 4, Address: v6,
			Flags: unix.IFA_F_NOPREFIXROUTE | unix.IFA_F_NODAD, ValidLft: 600, PreferredLft: 300}},
		{"dump_request", Addr{Family: unix.AF_INET}},
	}
}

func TestAddrGolden(t *testing.T) {
	for _, tt := range addrCases() {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.addr.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/addr_"+tt.name+".hex",
				"rtnl Addr.MarshalBinary, TestAddrGolden/"+tt.name+" (ifaddrmsg + IFA_*)", got)
		})
	}
}

func TestAddrRoundTrip(t *testing.T) {
	for _, tt := range addrCases() {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.addr.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got Addr
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.addr, got, cmpOpts()); diff != "" {
				t.Errorf("decode(encode(addr)) differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAddrMatchesIproute2: AddrAdd's request (Addr.request) for the
// command means what `ip addr add` sent.
func TestAddrMatchesIproute2(t *testing.T) {
	for _, tt := range []struct {
		file string
		ours Addr
	}{
		{"ip_addr_add_v4_0", Addr{Local: netip.MustParseAddr("192.168.15.1"), PrefixLen: 24}},
		{"ip_addr_add_v4brd_0", Addr{Local: netip.MustParseAddr("192.168.16.1"), PrefixLen: 24,
			Broadcast: netip.MustParseAddr("192.168.16.255")}},
		{"ip_addr_add_v6_0", Addr{Address: netip.MustParseAddr("2001:db8::1"), PrefixLen: 64}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var ip Addr
			if err := ip.UnmarshalBinary(golden.Read(t, "testdata/"+tt.file+".hex")); err != nil {
				t.Fatal(err)
			}
			tt.ours.Index = ip.Index
			q := tt.ours.request()
			b, err := q.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var ours Addr
			if err := ours.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ip, ours, cmpOpts()); diff != "" {
				t.Errorf("ip's request and ours differ (-ip +ours):\n%s", diff)
			}
		})
	}
}

func TestAddrDecodeKernelDump(t *testing.T) {
	seen := map[netip.Prefix]Addr{}
	for _, g := range golden.Glob(t, "testdata/kernel_addr_*.hex") {
		path, b := g.Path, g.Bytes
		var a Addr
		if err := a.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		seen[a.Prefix()] = a
	}
	lo := seen[netip.MustParsePrefix("127.0.0.1/8")]
	if lo.Scope != unix.RT_SCOPE_HOST || lo.Label != "lo" || lo.ValidLft != 0xffffffff || lo.Flags&unix.IFA_F_PERMANENT == 0 {
		t.Errorf("127.0.0.1/8 decoded as %+v", lo)
	}
	brd := seen[netip.MustParsePrefix("192.168.16.1/24")]
	if brd.Broadcast != netip.MustParseAddr("192.168.16.255") || brd.Local != brd.Address {
		t.Errorf("192.168.16.1/24 decoded as %+v", brd)
	}
	if v4 := seen[netip.MustParsePrefix("192.168.15.1/24")]; v4.Broadcast.IsValid() {
		t.Errorf("plain ip addr add got a broadcast: %+v", v4)
	}
	v6 := seen[netip.MustParsePrefix("2001:db8::1/64")]
	if v6.Family != unix.AF_INET6 || v6.Local.IsValid() || v6.Scope != unix.RT_SCOPE_UNIVERSE {
		t.Errorf("2001:db8::1/64 decoded as %+v (the kernel reports IPv6 in IFA_ADDRESS only)", v6)
	}
}

func TestAddrUnmarshalErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"short header":    make([]byte, 7),
		"5-byte address":  append(make([]byte, 8), 9, 0, unix.IFA_LOCAL, 0, 1, 2, 3, 4, 5, 0, 0, 0),
		"short cacheinfo": append(make([]byte, 8), 8, 0, unix.IFA_CACHEINFO, 0, 1, 2, 3, 4),
	} {
		var a Addr
		if err := a.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: decoded without error: %+v", name, a)
		}
	}
}

func FuzzAddrUnmarshal(f *testing.F) {
	golden.FuzzRoundTrip[Addr](f, "testdata/addr_*.hex", "testdata/ip_addr_*.hex", "testdata/kernel_addr_*.hex")
}

func BenchmarkAddrMarshal(b *testing.B) {
	ip := netip.MustParseAddr("192.168.15.1")
	a := Addr{Family: unix.AF_INET, PrefixLen: 24, Index: 4, Local: ip, Address: ip}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}
