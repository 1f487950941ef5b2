package rtnl

import (
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

func neighCases() []struct {
	name  string
	neigh Neigh
} {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 9}
	return []struct {
		name  string
		neigh Neigh
	}{
		{"add_v4", (&Neigh{Index: 4, IP: netip.MustParseAddr("192.168.15.9"), LLAddr: mac}).request()},
		{"add_v6", (&Neigh{Index: 4, IP: netip.MustParseAddr("2001:db8::9"), LLAddr: mac}).request()},
		{"del_v4", (&Neigh{Index: 4, IP: netip.MustParseAddr("192.168.15.9")}).request()},
		{"dump_request", Neigh{Family: unix.AF_INET}},
	}
}

func TestNeighGolden(t *testing.T) {
	for _, tt := range neighCases() {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.neigh.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/neigh_"+tt.name+".hex",
				"rtnl Neigh.MarshalBinary, TestNeighGolden/"+tt.name+" (ndmsg + NDA_*)", got)
		})
	}
}

func TestNeighRoundTrip(t *testing.T) {
	for _, tt := range neighCases() {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.neigh.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got Neigh
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.neigh, got, cmpOpts()); diff != "" {
				t.Errorf("decode(encode(neigh)) differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNeighMatchesIproute2(t *testing.T) {
	for _, tt := range []struct {
		file string
		ours Neigh
	}{
		{"ip_neigh_add_0", Neigh{IP: netip.MustParseAddr("192.168.15.9"), LLAddr: net.HardwareAddr{2, 0, 0, 0, 0, 9}}},
		{"ip_neigh_del_0", Neigh{IP: netip.MustParseAddr("192.168.15.9")}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var ip Neigh
			if err := ip.UnmarshalBinary(golden.Read(t, "testdata/"+tt.file+".hex")); err != nil {
				t.Fatal(err)
			}
			tt.ours.Index = ip.Index
			if diff := cmp.Diff(ip, tt.ours.request(), cmpOpts()); diff != "" {
				t.Errorf("ip's request and ours differ (-ip +ours):\n%s", diff)
			}
		})
	}
}

func TestNeighDecodeKernelDump(t *testing.T) {
	found := map[netip.Addr]Neigh{}
	for _, g := range golden.Glob(t, "testdata/kernel_neigh_*.hex") {
		path, b := g.Path, g.Bytes
		var n Neigh
		if err := n.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		found[n.IP] = n
	}
	for ip, mac := range map[string]string{"192.168.15.9": "02:00:00:00:00:09", "2001:db8::9": "02:00:00:00:00:0a"} {
		n := found[netip.MustParseAddr(ip)]
		if n.State != unix.NUD_PERMANENT || n.LLAddr.String() != mac || n.Index == 0 {
			t.Errorf("%s decoded as %+v", ip, n)
		}
	}
}

func FuzzNeighUnmarshal(f *testing.F) {
	golden.FuzzRoundTrip[Neigh](f, "testdata/neigh_*.hex", "testdata/ip_neigh_*.hex", "testdata/kernel_neigh_*.hex")
}

func BenchmarkNeighMarshal(b *testing.B) {
	n := (&Neigh{Index: 4, IP: netip.MustParseAddr("192.168.15.9"), LLAddr: net.HardwareAddr{2, 0, 0, 0, 0, 9}}).request()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}
