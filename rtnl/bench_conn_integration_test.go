package rtnl

import (
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// BenchmarkConnRoundTrips measures what a Conn's own send and receive path
// costs on the real kernel, one sub-benchmark per shape of exchange: a
// dump of N links (multi-part, many datagrams, NLMSG_DONE), a get by name
// (one answer), a request with its ACK, and a batch of N ACKed requests in
// one write. Each runs in a namespace of its own with N veth pairs.
// Besides wall time it reports cpu-ns/op, the process's user+system CPU
// time per operation (getrusage): on a loaded machine that is the steadier
// number, since time spent waiting for a core does not count.
func BenchmarkConnRoundTrips(b *testing.B) {
	sandbox.Require(b)
	for _, n := range []int{8, 512} {
		b.Run(fmt.Sprintf("links=%d", 2*n), func(b *testing.B) {
			name := fmt.Sprintf("rtnl-rt-%d", n)
			if out, err := runIP("netns", "add", name); err != nil {
				b.Fatalf("ip netns add: %v %s", err, out)
			}
			defer runIP("netns", "del", name)
			c := dialNamed(b, name)
			defer c.Close()
			batch := c.Batch()
			for i := range n {
				batch.LinkAdd(&Link{Name: fmt.Sprintf("va%d", i), Info: &Veth{Peer: Link{Name: fmt.Sprintf("vb%d", i)}}})
			}
			if err := batch.Flush(); err != nil {
				b.Fatal(err)
			}
			va, err := c.LinkByName("va0")
			if err != nil {
				b.Fatal(err)
			}
			b.Run("dump", func(b *testing.B) {
				defer cpuPerOp(b)()
				b.ReportAllocs()
				for b.Loop() {
					if links, err := c.Links(); err != nil || len(links) != 2*n+1 {
						b.Fatalf("Links: %d, %v", len(links), err)
					}
				}
			})
			b.Run("get", func(b *testing.B) {
				defer cpuPerOp(b)()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.LinkByName("vb0"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("ack", func(b *testing.B) {
				defer cpuPerOp(b)()
				b.ReportAllocs()
				for b.Loop() {
					if err := c.LinkSet(&Link{Index: va.Index, MTU: 1500}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("batch", func(b *testing.B) {
				defer cpuPerOp(b)()
				a := &Addr{Index: va.Index, Local: netip.MustParseAddr("10.3.0.1"), PrefixLen: 24}
				b.ReportAllocs()
				for b.Loop() {
					batch := c.Batch()
					for range n / 2 {
						batch.AddrAdd(a)
						batch.AddrDel(a)
					}
					if err := batch.Flush(); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func dialNamed(b *testing.B, name string) *Conn {
	b.Helper()
	f, err := os.Open("/run/netns/" + name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	c, err := Dial(f)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// cpuPerOp starts counting the process's CPU time; the function it
// returns reports it per iteration as cpu-ns/op.
func cpuPerOp(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op")
	}
}
