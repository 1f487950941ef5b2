package bench

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// SetupStats aggregates the rounds of one way at one size.
type SetupStats struct {
	Way    Way
	N      int
	Rounds int
	Bulk   bool          // per-namespace figures are total/N
	PerNS  time.Duration // median over rounds of each round's per-namespace median
	P95    time.Duration // median over rounds of each round's per-namespace p95
	Total  time.Duration // median over rounds of the wall time for all N
	Spread float64       // (max-min)/median of the rounds' PerNS

	TdPerNS  time.Duration // teardown call per namespace, median
	TdTotal  time.Duration // teardown calls for all N, median
	TdSettle time.Duration // then until the kernel freed every host end, median
	TdSpread float64       // of TdTotal+TdSettle across rounds
	Err      error
}

// Aggregate summarizes rounds of w at size n.
func Aggregate(w Way, n int, rounds []Round) SetupStats {
	s := SetupStats{Way: w, N: n, Rounds: len(rounds)}
	var per, p95, tot, tdPer, tdTot, tdSet, tdAll []time.Duration
	for _, r := range rounds {
		if r.Setup == nil {
			s.Bulk = true
			per = append(per, r.SetupTotal/time.Duration(n))
		} else {
			sum := Summarize(r.Setup)
			per, p95 = append(per, sum.Median), append(p95, sum.P95)
		}
		if r.Teardown == nil {
			tdPer = append(tdPer, r.TeardownTotal/time.Duration(n))
		} else {
			tdPer = append(tdPer, Summarize(r.Teardown).Median)
		}
		tot = append(tot, r.SetupTotal)
		tdTot, tdSet = append(tdTot, r.TeardownTotal), append(tdSet, r.Settle)
		tdAll = append(tdAll, r.TeardownTotal+r.Settle)
	}
	s.PerNS, s.P95, s.Total, s.Spread = Median(per), Median(p95), Median(tot), Spread(per)
	s.TdPerNS, s.TdTotal, s.TdSettle, s.TdSpread = Median(tdPer), Median(tdTot), Median(tdSet), Spread(tdAll)
	return s
}

// NATStats aggregates one NAT loader at one K.
type NATStats struct {
	Way    NATWay
	K      int
	Rounds int
	Median time.Duration
	Spread float64
	Errs   []string // distinct failures of the tool itself (ENOBUFS...)
	Failed int      // rounds that failed
}

// ColdStats is one cold-start figure.
type ColdStats struct {
	Name   string
	Median time.Duration
	P95    time.Duration
	Runs   int
}

// SizeRow is one binary-size figure.
type SizeRow struct {
	Name   string
	Bytes  int64
	Detail string
}

// Machine describes where the numbers were taken.
type Machine struct {
	When        time.Time
	CPUs        int
	CPUModel    string
	Kernel      string
	Go          string
	IP, NFT     string
	LoadBefore  string
	LoadAfter   string
	Contention  string
	Duration    time.Duration
	CommandLine string
}

// DescribeMachine fills what it can read.
func DescribeMachine() Machine {
	m := Machine{When: time.Now().UTC(), CPUs: runtime.NumCPU(), Go: runtime.Version(), LoadBefore: loadavg()}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:]) + " " + unix.ByteSliceToString(u.Machine[:])
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	m.IP = firstLine("ip", "-V")
	m.NFT = firstLine("nft", "-v")
	m.CommandLine = strings.Join(os.Args, " ")
	return m
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// Finish records the load after the run.
func (m *Machine) Finish(start time.Time) {
	m.LoadAfter = loadavg()
	m.Duration = time.Since(start).Round(time.Second)
}

func firstLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return "not installed"
	}
	l, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return l
}

// Dur formats a duration with 3 significant digits in µs, ms or s.
func Dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < 999500*time.Nanosecond: // below what rounds to "1e+03 µs"
		return fmt.Sprintf("%.3g µs", float64(d)/float64(time.Microsecond))
	case d < 999500*time.Microsecond:
		return fmt.Sprintf("%.3g ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.3g s", float64(d)/float64(time.Second))
	}
}

// Ratio formats a/b as "×N".
func Ratio(a, b time.Duration) string {
	if a <= 0 || b <= 0 {
		return "—"
	}
	r := float64(a) / float64(b)
	if r >= 10 {
		return fmt.Sprintf("×%.0f", r)
	}
	return fmt.Sprintf("×%.3g", r)
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

// table renders a markdown table.
func table(b *strings.Builder, head []string, rows [][]string) {
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for range head {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteString("\n")
}
