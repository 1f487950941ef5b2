package rtnl

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// BenchmarkVethIntoNamespace compares, on the real kernel, a veth pair
// whose peer is born in the target namespace and whose host end is up and
// enslaved (one RTM_NEWLINK) with the pair created in place, then the peer
// moved and the host end set up and enslaved (three requests, and a move).
func BenchmarkVethIntoNamespace(b *testing.B) {
	sandbox.Require(b)
	for _, mode := range []string{"born-in-ns", "create-then-move"} {
		b.Run(mode, func(b *testing.B) {
			name := "rtnl-bench-" + mode
			out, err := runIP("netns", "add", name)
			if err != nil {
				b.Fatalf("ip netns add: %v %s", err, out)
			}
			defer runIP("netns", "del", name)
			red, err := os.Open("/run/netns/" + name)
			if err != nil {
				b.Fatal(err)
			}
			defer red.Close()
			c, err := Dial(nil)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			br := "br-" + mode[:4]
			if err := c.LinkAdd(&Link{Name: br, Flags: unix.IFF_UP, Change: unix.IFF_UP, Info: &Bridge{}}); err != nil {
				b.Fatal(err)
			}
			defer func() {
				if l, err := c.LinkByName(br); err == nil {
					c.LinkDel(l.Index)
				}
			}()
			brl, err := c.LinkByName(br)
			if err != nil {
				b.Fatal(err)
			}
			master := uint32(brl.Index)
			var hosts []int32
			defer func() {
				for _, i := range hosts {
					c.LinkDel(i)
				}
			}()
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				host, peer := fmt.Sprintf("vh%d%s", i, mode[:1]), fmt.Sprintf("vp%d", i)
				i++
				if mode == "born-in-ns" {
					err = c.LinkAdd(&Link{Name: host, Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: master,
						Info: &Veth{Peer: Link{Name: peer, NetNS: red}}})
				} else {
					err = c.LinkAdd(&Link{Name: host, Info: &Veth{Peer: Link{Name: peer}}})
					if err == nil {
						err = c.LinkSet(&Link{Name: peer, NetNS: red})
					}
					if err == nil {
						err = c.LinkSet(&Link{Name: host, Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: master})
					}
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if l, err := c.LinkByName(host); err == nil {
					hosts = append(hosts, l.Index)
				}
				b.StartTimer()
			}
		})
	}
}

// runIP runs ip outside of a *testing.T (benchmarks clean up after Fatal).
func runIP(args ...string) ([]byte, error) {
	return exec.Command("ip", args...).CombinedOutput()
}
