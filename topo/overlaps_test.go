package topo

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"reflect"
	"testing"
)

// overlapsPairwise is overlaps as it was, comparing every subnet with
// every other (O(n²)): the reference the sweep must agree with, and the
// "before" row of BenchmarkOverlaps.
func (c *checker) overlapsPairwise(m *model) {
	type sub struct {
		p netip.Prefix
		f *iface
	}
	var subs []sub
	for _, f := range m.ifaces {
		for _, a := range f.Addrs {
			subs = append(subs, sub{a.Masked(), f})
		}
	}
	for i := range subs {
		for j := 0; j < i; j++ {
			a, b := subs[i], subs[j]
			if a.f.Segment != b.f.Segment && a.p.Overlaps(b.p) {
				c.add(a.f.Path+".addresses", "%s has %s, which overlaps %s of %s on another segment (%s, %s): use non-overlapping subnets", a.f.describe(), a.p, b.p, b.f.describe(), a.f.Segment, b.f.Segment)
			}
		}
	}
}

// randomModel has n interfaces with one to three addresses each from a
// small pool of nested, equal and disjoint subnets of both families, on
// a few segments.
func randomModel(r *rand.Rand, n int) *model {
	pool := []string{"10.0.0.1/8", "10.1.0.1/16", "10.1.2.3/24", "10.1.2.4/24", "10.2.0.1/16", "10.1.2.5/30", "192.168.1.1/24",
		"192.168.1.2/24", "192.168.2.1/24", "172.16.0.1/12", "0.0.0.1/0", "fd00::1/64", "fd00::2/64", "fd00:1::1/48", "fd00::3/8", "2001:db8::1/32"}
	segs := []string{"bridge a", "bridge b", "veth x/y", "veth p/q", "bridge c"}
	m := &model{}
	for i := range n {
		f := &iface{Name: fmt.Sprintf("if%d", i), NS: fmt.Sprintf("ns%d", r.IntN(4)), Segment: segs[r.IntN(len(segs))], Path: fmt.Sprintf("veths[%d]", i)}
		for range 1 + r.IntN(3) {
			f.Addrs = append(f.Addrs, netip.MustParsePrefix(pool[r.IntN(len(pool))]))
		}
		m.ifaces = append(m.ifaces, f)
	}
	return m
}

// TestOverlapsAgrees: the sweep reports exactly what comparing every
// pair reported, in the same order.
func TestOverlapsAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		m := randomModel(r, r.IntN(12))
		want, got := &checker{t: &Topology{}}, &checker{t: &Topology{}}
		want.overlapsPairwise(m)
		got.overlaps(m)
		if !reflect.DeepEqual(got.problems, want.problems) {
			t.Fatalf("sweep:\n%v\npairwise:\n%v", got.problems, want.problems)
		}
	}
}

// scaleModel is a routed lab of n addresses: n/2 veth pairs between a
// namespace and the host, each its own /30 (no overlaps: every subnet is
// compared and none is reported), like a file of n/2 namespaces.
func scaleModel(n int) *model {
	m := &model{}
	for i := range n / 2 {
		base := netip.AddrFrom4([4]byte{10, byte(i >> 14), byte(i >> 6), byte(i << 2)})
		seg := fmt.Sprintf("veth v%d/h%d", i, i)
		m.ifaces = append(m.ifaces,
			&iface{NS: fmt.Sprintf("n%d", i), Name: "eth0", Segment: seg, Addrs: []netip.Prefix{netip.PrefixFrom(base.Next(), 30)}},
			&iface{Name: fmt.Sprintf("h%d", i), Segment: seg, Addrs: []netip.Prefix{netip.PrefixFrom(base.Next().Next(), 30)}})
	}
	return m
}

// BenchmarkOverlaps: the sweep against every-pair comparison (the code
// before issue 9 M2) at 16k and 160k addresses. The pairwise row at 160k
// takes minutes and runs only with NSNET_BENCH_PAIRWISE=1.
func BenchmarkOverlaps(b *testing.B) {
	for _, n := range []int{16_000, 160_000} {
		m := scaleModel(n)
		b.Run(fmt.Sprintf("sweep/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := &checker{t: &Topology{}}
				c.overlaps(m)
				if len(c.problems) != 0 {
					b.Fatal(c.problems[0].Msg)
				}
			}
		})
		b.Run(fmt.Sprintf("pairwise/%dk", n/1000), func(b *testing.B) {
			if n > 16_000 && os.Getenv("NSNET_BENCH_PAIRWISE") != "1" {
				b.Skip("minutes per iteration; set NSNET_BENCH_PAIRWISE=1")
			}
			for b.Loop() {
				c := &checker{t: &Topology{}}
				c.overlapsPairwise(m)
			}
		})
	}
}

// TestValidateManyAddresses validates a topology of 50,000 namespaces,
// each on its own veth pair to the host with a /30 (100,000 addresses,
// 50,000 routes). Validation compared every subnet with every other, and
// every route's gateway with every interface of the file (issue 9 M2):
// that is 5·10⁹ comparisons here, beyond go test's default timeout; the
// sweep and the per-namespace index take well under a second.
func TestValidateManyAddresses(t *testing.T) {
	const n = 50_000
	top := &Topology{}
	for i := range n {
		ns := fmt.Sprintf("n%d", i)
		base := netip.AddrFrom4([4]byte{10, byte(i >> 14), byte(i >> 6), byte(i << 2)})
		top.Namespaces = append(top.Namespaces, Namespace{Name: ns, Routes: []Route{{To: defaultRoute, Via: base.Next().Next()}}})
		top.Veths = append(top.Veths, Veth{
			End:  End{Name: "eth0", Netns: ns, Addresses: []netip.Prefix{netip.PrefixFrom(base.Next(), 30)}},
			Peer: End{Name: fmt.Sprintf("h%d", i), Addresses: []netip.Prefix{netip.PrefixFrom(base.Next().Next(), 30)}},
		})
	}
	if err := top.Validate(); err != nil {
		t.Fatal(err)
	}
}
