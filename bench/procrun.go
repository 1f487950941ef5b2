package bench

import (
	"fmt"
	"slices"
	"time"
)

// A ProcRow is one way to start /bin/true as PID 1 of new pid, uts, ipc
// and mount namespaces (with /proc mounted for it) in a named netns: what
// `nsnet run -n NS -- CMD` does, and the util-linux chains people use for
// it.
type ProcRow struct {
	Name string
	Argv []string
}

// ProcRows returns nsnet run and the two C chains for namespace ns.
func ProcRows(bin, ns string) []ProcRow {
	u := []string{"unshare", "--pid", "--fork", "--mount-proc", "--uts", "--ipc", "/bin/true"}
	return []ProcRow{
		{"nsnet run -n " + ns + " -- /bin/true", []string{bin, "run", "-n", ns, "--", "/bin/true"}},
		{"ip netns exec " + ns + " unshare --pid --fork --mount-proc --uts --ipc /bin/true", append([]string{"ip", "netns", "exec", ns}, u...)},
		{"nsenter --net=/run/netns/" + ns + " unshare --pid --fork --mount-proc --uts --ipc /bin/true", append([]string{"nsenter", "--net=/run/netns/" + ns}, u...)},
	}
}

// ProcStart runs every row once per round, rows interleaved and their
// order rotated each round, so that all see the same machine. It returns
// each row's wall times.
func ProcStart(rows []ProcRow, rounds int) ([][]time.Duration, error) {
	out := make([][]time.Duration, len(rows))
	for r := range rounds {
		for k := range rows {
			i := (k + r) % len(rows)
			d, err := ColdStart(rows[i].Argv, 1)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], d...)
		}
	}
	return out, nil
}

// Quantile is the nearest-rank quantile q of d (0 when empty).
func Quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[rank(len(s), q)]
}

// ProcVerdict states the targets for nsnet run against the
// faster C chain: median at most 0.8 of it, p90 at most twice nsnet's
// own median.
func ProcVerdict(nsnet, chainA, chainB []time.Duration) string {
	m := Median(nsnet)
	faster := min(Median(chainA), Median(chainB))
	p90 := Quantile(nsnet, 0.90)
	ratio := float64(m) / float64(faster)
	spread := float64(p90) / float64(m)
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	return fmt.Sprintf("nsnet run median %s = %.2f× the faster C chain's %s (target ≤ 0.8: %s); p90 %s = %.2f× its median (target ≤ 2: %s)",
		Dur(m), ratio, Dur(faster), mark(ratio <= 0.8), Dur(p90), spread, mark(spread <= 2))
}
