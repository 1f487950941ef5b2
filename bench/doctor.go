package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// DoctorStats is `nsnet doctor FILE` (the whole process) on a healthy
// topology of N namespaces on one bridge, each routing through the
// bridge's address, with host forwarding on: every item must pass (the
// neighbour-table capacity may warn).
type DoctorStats struct {
	N        int
	Runs     int
	Median   time.Duration
	Min, Max time.Duration
	Failed   int      // failed items over all runs: false failures, the topology being healthy
	Warnings int      // warn items over all runs
	Left     int      // neighbour entries in the sandbox's host and namespaces after the runs, beyond those before
	Examples []string // a few failed items, verbatim
	Err      error
}

// doctorEnv names the doctor row's topology: bridge dbr0 10.40.0.1/16
// and the setup rows' namespace and veth names (the rows run one after
// the other). Only its names are used: `nsnet up` creates the bridge.
func doctorEnv() *Env { return &Env{Bridge: "dbr0", GW: netip.MustParsePrefix("10.40.0.1/16")} }

// MeasureDoctor brings the topology up with `nsnet up`, runs `nsnet
// doctor -j FILE` runs times, counts what did not pass and the neighbour
// entries left behind, and takes the topology down. An error is a failure
// of the measurement itself (up, down, unreadable output).
func MeasureDoctor(bin string, n, runs int) (DoctorStats, error) {
	st := DoctorStats{N: n}
	if _, err := os.Stat(bin); err != nil {
		return st, missing("nsnet binary " + bin)
	}
	dir, err := os.MkdirTemp("", "nsbench-doctor")
	if err != nil {
		return st, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "doctor.json")
	e := doctorEnv()
	b, err := e.topology(n, true)
	if err != nil {
		return st, err
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		return st, err
	}
	if err := runQuiet(bin, "up", file); err != nil {
		return st, err
	}
	base, err := neighbourEntries(e, n)
	if err != nil {
		return st, errors.Join(err, runQuiet(bin, "down", file))
	}
	var took []time.Duration
	for range runs {
		t := time.Now()
		out, err := exec.Command(bin, "doctor", "-j", file).Output()
		el := time.Since(t)
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
			st.Err = fmt.Errorf("doctor: %w", err)
			break
		}
		var rep struct {
			Items []struct{ Check, Object, Status, Detail string }
		}
		if err := json.Unmarshal(out, &rep); err != nil {
			st.Err = fmt.Errorf("doctor -j: %w: %.200s", err, out)
			break
		}
		took = append(took, el)
		for _, it := range rep.Items {
			switch it.Status {
			case "fail":
				st.Failed++
				if len(st.Examples) < 3 {
					st.Examples = append(st.Examples, it.Check+": "+it.Object+" — "+it.Detail)
				}
			case "warn":
				st.Warnings++
			}
		}
	}
	left, lerr := neighbourEntries(e, n)
	st.Left = left - base
	derr := runQuiet(bin, "down", file)
	if st.Err == nil {
		st.Err = lerr
	}
	if len(took) > 0 {
		s := Summarize(took)
		st.Runs, st.Median, st.Min, st.Max = s.N, s.Median, s.Min, s.Max
	}
	return st, derr
}

// neighbourEntries counts the IPv4 neighbour entries of the host and of
// the topology's n namespaces. Nothing sends on this topology but doctor (the
// bridge's own IGMP entry, NOARP, is there from the start), so a doctor
// that cleans up after its probes leaves the count as it found it.
func neighbourEntries(e *Env, n int) (int, error) {
	count := func(f *os.File) (int, error) {
		c, err := rtnl.Dial(f)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		ns, err := c.Neighs(unix.AF_INET)
		return len(ns), err
	}
	total, err := count(nil)
	if err != nil {
		return 0, err
	}
	for i := range n {
		f, err := os.Open("/run/netns/" + e.NS(i))
		if err != nil {
			return total, err
		}
		k, err := count(f)
		f.Close()
		if err != nil {
			return total, err
		}
		total += k
	}
	return total, nil
}

func (r *Results) doctorRow(n int) (DoctorStats, bool) {
	for _, d := range r.Doctor {
		if d.N == n && d.Err == nil && d.Runs > 0 {
			return d, true
		}
	}
	return DoctorStats{}, false
}

func (r *Results) doctorTable(b *strings.Builder) {
	if len(r.Doctor) == 0 {
		return
	}
	b.WriteString("## `nsnet doctor` on a healthy topology\n\n")
	b.WriteString("`nsnet doctor -j FILE`, the whole process, on N namespaces on one bridge that `nsnet up` built (each with a default route via the bridge's address, host forwarding on), run after the setup measurements, on the same loaded machine. Every item should pass: \"failed\" counts false failures over all runs. The warning is the neighbour-table capacity item (2N entries needed against gc_thresh3). \"entries left\" is the IPv4 neighbour entries found in the host and all N namespaces after the runs, less those there before them.\n\n")
	var rows [][]string
	for _, d := range r.Doctor {
		if d.Err != nil {
			rows = append(rows, []string{fmt.Sprint(d.N), "failed: " + d.Err.Error(), "", "", "", "", "", ""})
			continue
		}
		per := "—"
		if d.N > 0 {
			per = Dur(d.Median / time.Duration(d.N))
		}
		fails := fmt.Sprint(d.Failed)
		if len(d.Examples) > 0 {
			fails += " (" + strings.Join(d.Examples, "; ") + ")"
		}
		rows = append(rows, []string{fmt.Sprint(d.N), Dur(d.Median), Dur(d.Min) + " – " + Dur(d.Max), per, fmt.Sprint(d.Runs), fails, fmt.Sprint(d.Warnings), fmt.Sprint(d.Left)})
	}
	table(b, []string{"N", "median", "min – max", "per ns", "runs", "failed items", "warnings", "entries left"}, rows)
}

// doctorTargets adds issue 9's doctor bars to the targets table.
func (r *Results) doctorTargets(check func(what, want string, got float64, ok, has bool) *target) {
	if len(r.Doctor) == 0 {
		return
	}
	big, okBig := r.doctorRow(1000)
	small, okSmall := r.doctorRow(100)
	check("`nsnet doctor` at N=1000, seconds (issue 9)", "≤ 5", big.Median.Seconds(), big.Median <= 5*time.Second, okBig)
	if okBig && okSmall {
		v := float64(big.Median) / float64(small.Median)
		t := check("`nsnet doctor`: N=1000 / N=100 (10× the namespaces)", "—", v, true, true)
		t.why = fmt.Sprintf("%s vs %s; per namespace %s vs %s", Dur(big.Median), Dur(small.Median), Dur(big.Median/1000), Dur(small.Median/100))
	}
	fails, left, measured := 0, 0, false
	for _, d := range r.Doctor {
		if d.Err == nil && d.Runs > 0 {
			fails, left, measured = fails+d.Failed, left+d.Left, true
		}
	}
	check("`nsnet doctor` false failures on a healthy topology, all N and runs", "0", float64(fails), fails == 0, measured)
	check("neighbour entries left by `nsnet doctor`", "0", float64(left), left == 0, measured)
}
