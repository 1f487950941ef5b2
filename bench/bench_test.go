package bench

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// The go test benchmarks are the CI smoke of the same code nsbench runs:
// small sizes by default, wider with the flags.
var (
	flagN     = flag.String("nsbench.n", "1,10", "namespace counts for BenchmarkSetup")
	flagK     = flag.String("nsbench.k", "1,100", "DNAT rule counts for BenchmarkNAT")
	flagNsnet = flag.String("nsbench.nsnet", "bin/nsnet", "static nsnet binary (CLI rows; skipped if missing)")
	flagDoc   = flag.String("nsbench.doctor", "10", "namespace counts for BenchmarkDoctor")
)

func sizes(tb testing.TB, s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(f)
		if err != nil {
			tb.Fatalf("bad size %q", f)
		}
		out = append(out, v)
	}
	return out
}

// BenchmarkSetup builds N namespaces with each way and tears them down.
// ns/op is the whole round (setup, teardown, until the kernel freed
// everything); setup-ns/netns is the per-namespace setup median.
func BenchmarkSetup(b *testing.B) {
	sandbox.Require(b)
	for _, w := range Ways(*flagNsnet) {
		b.Run(w.Key, func(b *testing.B) {
			for _, n := range sizes(b, *flagN) {
				b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
					b.ReportAllocs()
					var per, td time.Duration
					for b.Loop() {
						r, err := Run(w, n, Options{Verify: true})
						if errors.Is(err, ErrMissing) {
							b.Skip(err)
						}
						if err != nil {
							b.Fatal(err)
						}
						if r.Setup != nil {
							per += Median(r.Setup)
						} else {
							per += r.SetupTotal / time.Duration(n)
						}
						td += r.TeardownTotal + r.Settle
					}
					b.ReportMetric(float64(per)/float64(b.N), "setup-ns/netns")
					b.ReportMetric(float64(td)/float64(b.N)/float64(n), "teardown-ns/netns")
				})
			}
		})
	}
}

// BenchmarkNAT loads one masquerade and K DNAT rules with each tool.
func BenchmarkNAT(b *testing.B) {
	sandbox.Require(b)
	for _, w := range NATWays(b.TempDir()) {
		b.Run(w.Key, func(b *testing.B) {
			for _, k := range sizes(b, *flagK) {
				b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
					b.ReportAllocs()
					var load time.Duration
					for b.Loop() {
						res, err := MeasureNAT(w, k)
						if err != nil {
							b.Fatal(err)
						}
						if res.Err != nil {
							// A tool's own limit (google/nftables' ENOBUFS
							// with default buffers) is a result, not a bug
							// here; nsnet must never fail.
							if w.Key == "nsnet" {
								b.Fatal(res.Err)
							}
							b.Skipf("%s fails at K=%d: %v", w.Key, k, res.Err)
						}
						load += res.Took
					}
					// ns/op includes resetting and checking the table with nft.
					b.ReportMetric(float64(load)/float64(b.N), "load-ns/op")
				})
			}
		})
	}
}

// BenchmarkColdStart runs `ip link show` and `nsnet link show` as whole
// processes.
func BenchmarkColdStart(b *testing.B) {
	sandbox.Require(b)
	for _, c := range []struct{ name, bin string }{{"ip", "ip"}, {"nsnet", *flagNsnet}} {
		b.Run(c.name, func(b *testing.B) {
			if c.bin != "ip" {
				if _, err := os.Stat(c.bin); err != nil {
					b.Skipf("no nsnet binary at %s (make build)", c.bin)
				}
			}
			for b.Loop() {
				if _, err := ColdStart([]string{c.bin, "link", "show"}, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDoctor runs `nsnet doctor FILE` on a healthy topology of N
// namespaces (issue 9: N=1000 in at most 5 s, no false failures).
func BenchmarkDoctor(b *testing.B) {
	sandbox.Require(b)
	for _, n := range sizes(b, *flagDoc) {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			var failed, left int
			var took time.Duration
			for b.Loop() {
				st, err := MeasureDoctor(*flagNsnet, n, 1)
				if errors.Is(err, ErrMissing) {
					b.Skip(err)
				}
				if err == nil {
					err = st.Err
				}
				if err != nil {
					b.Fatal(err)
				}
				failed, left, took = failed+st.Failed, left+st.Left, took+st.Median
				if st.Failed > 0 {
					b.Errorf("doctor on a healthy topology of %d: %v", n, st.Examples)
				}
			}
			// ns/op includes up and down; doctor-ns/op is doctor alone.
			b.ReportMetric(float64(took)/float64(b.N), "doctor-ns/op")
			b.ReportMetric(float64(failed), "false-failures")
			b.ReportMetric(float64(left), "entries-left")
		})
	}
}

// BenchmarkRunPID1 starts /bin/true as PID 1 of new pid, uts, ipc and
// mount namespaces in a named netns: nsnet run against the util-linux
// chains (ip netns exec / nsenter + unshare --pid --fork --mount-proc),
// interleaved in each iteration so that all three see the same machine.
// ratio is nsnet's median over the faster chain's (target ≤ 0.8), spread
// nsnet's p90 over its median (target ≤ 2).
func BenchmarkRunPID1(b *testing.B) {
	sandbox.Require(b)
	if _, err := os.Stat(*flagNsnet); err != nil {
		b.Skipf("no nsnet binary at %s (make build)", *flagNsnet)
	}
	for _, tool := range []string{"unshare", "nsenter", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s: %v", tool, err)
		}
	}
	del, err := NamedNamespaces(1)
	if err != nil {
		b.Fatal(err)
	}
	defer del()
	rows := ProcRows(*flagNsnet, "nb0")
	all := make([][]time.Duration, len(rows))
	for b.Loop() {
		d, err := ProcStart(rows, 1)
		if err != nil {
			b.Fatal(err)
		}
		for i := range d {
			all[i] = append(all[i], d[i]...)
		}
	}
	faster := min(Median(all[1]), Median(all[2]))
	b.ReportMetric(float64(Median(all[0])), "nsnet-ns/run")
	b.ReportMetric(float64(Median(all[1])), "ip-unshare-ns/run")
	b.ReportMetric(float64(Median(all[2])), "nsenter-unshare-ns/run")
	b.ReportMetric(float64(Median(all[0]))/float64(faster), "ratio")
	b.ReportMetric(float64(Quantile(all[0], 0.9))/float64(Median(all[0])), "spread")
	b.Log(ProcVerdict(all[0], all[1], all[2]))
}
