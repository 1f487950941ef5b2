package rtnl

import (
	"errors"
	"net"
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

func neighTableCases() []struct {
	name string
	t    NeighTable
} {
	return []struct {
		name string
		t    NeighTable
	}{
		{"dump_request", NeighTable{Family: unix.AF_INET}},
		{"full", NeighTable{Family: unix.AF_INET, Name: "arp_cache", Thresh1: 128, Thresh2: 512, Thresh3: 1024, GCInterval: 30000,
			Config: &NeighTableConfig{KeyLen: 4, EntrySize: 336, Entries: 7, LastFlush: 1, LastRand: 2, HashRnd: 3, HashMask: 15, HashChainGC: 4, ProxyQlen: 5},
			Stats:  &NeighTableStats{Allocs: 1, Destroys: 2, HashGrows: 3, ResFailed: 4, Lookups: 5, Hits: 6, RcvProbesMcast: 7, RcvProbesUcast: 8, PeriodicGCRuns: 9, ForcedGCRuns: 10, TableFulls: 11}}},
	}
}

func TestNeighTableGolden(t *testing.T) {
	for _, tt := range neighTableCases() {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.t.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/ntable_"+tt.name+".hex",
				"rtnl NeighTable.MarshalBinary, TestNeighTableGolden/"+tt.name+" (ndtmsg + NDTA_*)", got)
		})
	}
}

func TestNeighTableRoundTrip(t *testing.T) {
	for _, tt := range neighTableCases() {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.t.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got NeighTable
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.t, got); diff != "" {
				t.Errorf("decode(encode(table)) differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNeighTableDecodeKernelDump decodes the kernel's answer to `ip -s
// ntable show`, captured in a sandbox (rtnl/testdata/capture): the two
// tables with their thresholds, configuration and counters, and the
// per-device parameter messages (no NDTA_CONFIG) that NeighTables drops.
func TestNeighTableDecodeKernelDump(t *testing.T) {
	tables := map[string]NeighTable{}
	perDevice := 0
	for _, g := range golden.Glob(t, "testdata/kernel_ntable_*.hex") {
		var nt NeighTable
		if err := nt.UnmarshalBinary(g.Bytes); err != nil {
			t.Fatalf("%s: %v", g.Path, err)
		}
		if nt.Config == nil {
			perDevice++
			continue
		}
		tables[nt.Name] = nt
	}
	arp, nd := tables["arp_cache"], tables["ndisc_cache"]
	if arp.Family != unix.AF_INET || arp.Thresh3 != 1024 || arp.Thresh2 != 512 || arp.Thresh1 != 128 || arp.GCInterval != 30000 ||
		arp.Config.KeyLen != 4 || arp.Config.EntrySize != 336 || arp.Config.Entries != 2 || arp.Stats == nil || arp.Stats.Allocs != 277 {
		t.Errorf("arp_cache decoded as %+v %+v %+v", arp, arp.Config, arp.Stats)
	}
	if nd.Family != unix.AF_INET6 || nd.Thresh3 != 1024 || nd.Config == nil || nd.Config.KeyLen != 16 {
		t.Errorf("ndisc_cache decoded as %+v", nd)
	}
	if perDevice != 2 {
		t.Errorf("%d per-device parameter messages, want 2 (lo, for each family)", perDevice)
	}
}

func FuzzNeighTableUnmarshal(f *testing.F) {
	golden.FuzzRoundTrip[NeighTable](f, "testdata/ntable_*.hex", "testdata/kernel_ntable_*.hex")
}

// TestIntegrationNeighTables reads the tables from inside a namespace that
// is not the initial one, where /proc/sys/net/ipv4/neigh/default does not
// exist: the thresholds must be those `ip ntable` shows there, and an
// entry added in this namespace must count in the global table.
func TestIntegrationNeighTables(t *testing.T) {
	ns := newTestNS(t, "rtnl-ntable")
	ns.run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	tables, err := ns.c.NeighTables(0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]NeighTable{}
	for _, x := range tables {
		if x.Config == nil || x.Stats == nil {
			t.Errorf("a table without config or stats: %+v", x)
		}
		got[x.Name] = x
	}
	arp, ok := got["arp_cache"]
	if !ok || got["ndisc_cache"].Family != unix.AF_INET6 {
		t.Fatalf("tables %+v", tables)
	}
	out, err := exec.Command("ip", "-n", ns.name, "ntable", "show", "name", "arp_cache").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`thresh3 (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("ip ntable show: %s", out)
	}
	if want, _ := strconv.Atoi(string(m[1])); uint32(want) != arp.Thresh3 {
		t.Errorf("thresh3 %d, ip says %d", arp.Thresh3, want)
	}
	// The count is the machine's, so other tests move it too: an added
	// permanent entry must show, whatever else comes and goes, as at
	// least one entry.
	va := ns.link(t, "va")
	ip := netip.MustParseAddr("192.168.77.9")
	if err := ns.c.NeighAdd(&Neigh{Index: va.Index, IP: ip, LLAddr: net.HardwareAddr{2, 0, 0, 0, 0, 9}}); err != nil {
		t.Fatal(err)
	}
	tables, err = ns.c.NeighTables(unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].Name != "arp_cache" || tables[0].Config.Entries < 1 {
		t.Errorf("AF_INET tables after an add: %+v", tables)
	}
	n, err := ns.c.NeighGet(va.Index, ip)
	if err != nil || n.IP != ip || n.State != unix.NUD_PERMANENT || n.LLAddr.String() != "02:00:00:00:00:09" {
		t.Errorf("NeighGet = %+v, %v", n, err)
	}
	if _, err := ns.c.NeighGet(va.Index, netip.MustParseAddr("192.168.77.10")); !errors.Is(err, unix.ENOENT) {
		t.Errorf("NeighGet of a missing entry = %v, want ENOENT", err)
	}
}
