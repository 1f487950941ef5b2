// Command nsbench measures, side by side in one private sandbox,
// per-namespace setup and teardown, nf_tables NAT loading, CLI cold start
// and binary size for nsnet against the tools users would otherwise use.
// It prints the tables and writes RESULTS.md and an SVG chart.
//
//	nsbench [-n 1,10,100,1000] [-rounds 3] [-rounds-big 2] [-k 1,100,1000]
//	        [-nsnet bin/nsnet] [-out RESULTS.md] [-svg setup.svg] [-quick]
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nsnet/nsnet/bench"
	"github.com/nsnet/nsnet/internal/sandbox"
)

func init() { runtime.LockOSThread() } // main keeps M0; namespace workers never land on it

func main() { os.Exit(realMain()) }

// enter is the one call that puts the bench in its sandbox: it returns
// (true, 0) in the sandboxed child, or (false, exit code) in the parent.
func enter() (inside bool, code int) {
	if sandbox.Marked() {
		if err := sandbox.EnterChild(); err != nil {
			fmt.Fprintln(os.Stderr, "nsbench:", err)
			return false, 1
		}
		return true, 0
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "nsbench: needs root (it builds namespaces, inside a private sandbox)")
		return false, 1
	}
	code, err := sandbox.Reexec(os.Args, nil, sandbox.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "nsbench:", err)
		return false, 1
	}
	return false, code
}

type config struct {
	sizes, ks            []int
	rounds, roundsBig    int
	natRounds, coldRuns  int
	coldNS               int
	bin, out, svg, only  string
	doctorNs             []int
	doctorRuns           int
	quick, profile, skip bool
	doctorOnly           bool
	perf                 bool
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil
}

func realMain() int {
	var c config
	var sizes, ks, doctorNs string
	flag.StringVar(&sizes, "n", "1,10,100,1000", "namespace counts")
	flag.StringVar(&ks, "k", "1,100,1000", "DNAT rule counts")
	flag.IntVar(&c.rounds, "rounds", 5, "rounds per way and size (sizes below 30 get more, up to 15)")
	flag.IntVar(&c.roundsBig, "rounds-big", 2, "rounds for sizes ≥ 1000 (they take minutes for the slow ways)")
	flag.IntVar(&c.natRounds, "nat-rounds", 3, "rounds per NAT tool and K")
	flag.IntVar(&c.coldRuns, "cold-runs", 200, "runs per cold-start command")
	flag.IntVar(&c.coldNS, "cold-ns", 1000, "named namespaces present for the -n cold start")
	flag.StringVar(&doctorNs, "doctor-n", "100,1000", "namespace counts for the nsnet doctor row")
	flag.IntVar(&c.doctorRuns, "doctor-runs", 3, "doctor runs per size")
	flag.BoolVar(&c.doctorOnly, "doctor-only", false, "only the nsnet doctor row, printed (RESULTS.md and the chart are not written from a partial run)")
	flag.StringVar(&c.bin, "nsnet", "bin/nsnet", "static nsnet binary")
	flag.StringVar(&c.out, "out", "RESULTS.md", "results file (empty: none)")
	flag.StringVar(&c.svg, "svg", "setup.svg", "chart file, next to -out (empty: none)")
	flag.StringVar(&c.only, "ways", "", "comma-separated way keys to run (default all)")
	flag.BoolVar(&c.quick, "quick", false, "smoke: every benchmark once at the smallest size, nothing written")
	flag.BoolVar(&c.profile, "profile", true, "measure where the time goes (phase breakdown at the largest N)")
	flag.BoolVar(&c.skip, "setup-only", false, "skip NAT, cold start and size")
	flag.BoolVar(&c.perf, "perf", true, "profile the floor at the largest N with perf(1), if installed")
	floor := flag.Int("floor", 0, "internal: set up and tear down this many namespaces the floor's way, silently (perf's workload)")
	floorV6 := flag.Bool("floor-ipv6", false, "internal: with -floor, keep the kernel's IPv6 defaults")
	flag.Parse()

	inside, code := enter()
	if !inside {
		return code
	}
	if *floor > 0 {
		if err := bench.FloorOnly(*floor, !*floorV6); err != nil {
			fmt.Fprintln(os.Stderr, "nsbench:", err)
			return 1
		}
		return 0
	}
	var err error
	if c.sizes, err = parseInts(sizes); err != nil {
		fmt.Fprintln(os.Stderr, "nsbench:", err)
		return 2
	}
	if c.ks, err = parseInts(ks); err != nil {
		fmt.Fprintln(os.Stderr, "nsbench:", err)
		return 2
	}
	if c.doctorNs, err = parseInts(doctorNs); err != nil {
		fmt.Fprintln(os.Stderr, "nsbench:", err)
		return 2
	}
	if c.quick {
		c.sizes, c.ks, c.doctorNs, c.doctorRuns = c.sizes[:1], c.ks[:1], []int{10}, 1
		c.rounds, c.roundsBig, c.natRounds, c.coldRuns, c.coldNS = 1, 1, 1, 3, 3
		c.out, c.svg, c.profile, c.perf = "", "", false, false
	}
	if c.doctorOnly {
		c.out, c.svg, c.profile, c.perf, c.skip = "", "", false, false, true
		c.only = "-" // no setup way has this key
	}
	r, failed := run(c)
	md := r.Markdown()
	fmt.Print(md)
	if c.out != "" {
		if c.svg != "" {
			svgPath := filepath.Join(filepath.Dir(c.out), c.svg)
			if err := os.WriteFile(svgPath, []byte(bench.SVG("nsnet bench: per-namespace setup vs namespaces on one bridge", c.sizes, r.Series())), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "nsbench:", err)
				return 1
			}
		}
		if err := os.WriteFile(c.out, []byte(md), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "nsbench:", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "nsbench: wrote %s and %s\n", c.out, c.svg)
	}
	if failed {
		fmt.Fprintln(os.Stderr, "nsbench: some measurements failed (see Notes)")
		return 1
	}
	return 0
}

// roundsFor is how many rounds size n gets: small sizes get more, so that
// every row rests on at least ~30 namespaces (at most 15 rounds).
func roundsFor(c config, n int) int {
	if n >= 1000 {
		return c.roundsBig
	}
	if c.quick {
		return 1
	}
	return max(c.rounds, min(15, (30+n-1)/n))
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "nsbench: "+format+"\n", args...)
}

// run measures everything; failed reports a failure that is not a tool's
// documented limit (a missing optional tool is a note, not a failure).
func run(c config) (r bench.Results, failed bool) {
	start := time.Now()
	r.Machine = bench.DescribeMachine()
	r.Machine.Contention = "the CPUs are shared with whatever else runs on the machine (not controlled by the bench): see the load average above and the spread columns"
	r.Sizes, r.NATKs = c.sizes, c.ks
	if !c.quick {
		r.Chart = c.svg
	}
	ways := bench.Ways(c.bin)
	if c.only != "" {
		keys := strings.Split(c.only, ",")
		ways = slices.DeleteFunc(ways, func(w bench.Way) bool { return !slices.Contains(keys, w.Key) })
	}
	// Setup and teardown: rounds outermost, ways rotated each round, so
	// that slow drift of the machine spreads over every way.
	type key struct {
		way string
		n   int
	}
	rounds := map[key][]bench.Round{}
	errs := map[key]error{}
	maxRounds := 0
	for _, n := range c.sizes {
		maxRounds = max(maxRounds, roundsFor(c, n))
	}
	for round := range maxRounds {
		for _, n := range c.sizes {
			want := roundsFor(c, n)
			if round >= want {
				continue
			}
			for j := range ways {
				w := ways[(j+round)%len(ways)]
				k := key{w.Key, n}
				if errs[k] != nil {
					continue
				}
				t := time.Now()
				rd, err := bench.Run(w, n, bench.Options{Verify: round == 0})
				if err != nil {
					errs[k] = err
					logf("%s N=%d: %v", w.Key, n, err)
					continue
				}
				rounds[k] = append(rounds[k], rd)
				logf("round %d N=%d %-13s per-ns median %-9s total %-9s teardown %s + %s (%s)", round+1, n, w.Key,
					bench.Dur(bench.Median(rd.Setup)), bench.Dur(rd.SetupTotal), bench.Dur(rd.TeardownTotal), bench.Dur(rd.Settle), time.Since(t).Round(time.Millisecond))
			}
		}
	}
	for _, n := range c.sizes {
		for _, w := range ways {
			k := key{w.Key, n}
			if err := errs[k]; err != nil {
				if errors.Is(err, bench.ErrMissing) {
					r.Notes = append(r.Notes, fmt.Sprintf("%s skipped: %v", w.Name, err))
				} else {
					r.Setup = append(r.Setup, bench.SetupStats{Way: w, N: n, Err: err})
					r.Notes = append(r.Notes, fmt.Sprintf("%s at N=%d failed: %v", w.Name, n, err))
					failed = true
				}
				continue
			}
			r.Setup = append(r.Setup, bench.Aggregate(w, n, rounds[k]))
		}
	}
	if c.profile {
		where, err := bench.WhereTimeGoes(c.sizes[len(c.sizes)-1])
		if err != nil {
			r.Notes = append(r.Notes, "phase breakdown failed: "+err.Error())
			failed = true
		}
		r.Where = where
	}
	if c.perf {
		n := c.sizes[len(c.sizes)-1]
		for _, v6 := range []bool{false, true} {
			exe, err := os.Executable()
			if err != nil {
				r.Notes = append(r.Notes, "perf: "+err.Error())
				break
			}
			argv := []string{exe, "-floor", strconv.Itoa(n)}
			title := "addr-gen-mode none"
			if v6 {
				argv = append(argv, "-floor-ipv6")
				title = "kernel IPv6 defaults"
			}
			top, err := bench.PerfTop(argv, 25)
			switch {
			case errors.Is(err, bench.ErrMissing):
				r.Notes = append(r.Notes, "no kernel profile: perf is not installed")
			case err != nil:
				r.Notes = append(r.Notes, "perf ("+title+"): "+err.Error())
			default:
				r.Where += "\n**Kernel profile, floor, " + title + ", N=" + strconv.Itoa(n) + "**\n\n" + top
			}
			if errors.Is(err, bench.ErrMissing) {
				break
			}
		}
	}
	if c.doctorOnly {
		failed = measureDoctor(c, &r) || failed
	}
	if !c.skip {
		if natFailed := measureNAT(c, &r); natFailed {
			failed = true
		}
		if coldFailed := measureCold(c, &r); coldFailed {
			failed = true
		}
		measureSize(c, &r)
		if doctorFailed := measureDoctor(c, &r); doctorFailed {
			failed = true
		}
	}
	r.Machine.Finish(start)
	return r, failed
}

func measureNAT(c config, r *bench.Results) (failed bool) {
	tmp, err := os.MkdirTemp("", "nsbench-nat")
	if err != nil {
		r.Notes = append(r.Notes, "NAT: "+err.Error())
		return true
	}
	defer os.RemoveAll(tmp)
	type key struct {
		way string
		k   int
	}
	took := map[key][]time.Duration{}
	stats := map[key]*bench.NATStats{}
	ways := bench.NATWays(tmp)
	for round := range c.natRounds {
		for _, k := range c.ks {
			for j := range ways {
				w := ways[(j+round)%len(ways)]
				if w.Key == "nft-per-rule" && k > 100 && round > 0 {
					continue // one round is minutes of processes; the others are enough
				}
				kk := key{w.Key, k}
				if stats[kk] == nil {
					stats[kk] = &bench.NATStats{Way: w, K: k}
				}
				s := stats[kk]
				res, err := bench.MeasureNAT(w, k)
				if err != nil {
					r.Notes = append(r.Notes, fmt.Sprintf("NAT %s K=%d: %v", w.Key, k, err))
					failed = true
					continue
				}
				s.Rounds++
				if res.Err != nil {
					s.Failed++
					if msg := res.Err.Error(); !slices.Contains(s.Errs, msg) {
						s.Errs = append(s.Errs, msg)
					}
					logf("NAT round %d K=%d %-12s failed after %s: %v", round+1, k, w.Key, bench.Dur(res.Took), res.Err)
					continue
				}
				took[kk] = append(took[kk], res.Took)
				logf("NAT round %d K=%d %-12s %s", round+1, k, w.Key, bench.Dur(res.Took))
			}
		}
	}
	for _, w := range ways {
		for _, k := range c.ks {
			kk := key{w.Key, k}
			if s := stats[kk]; s != nil {
				s.Median, s.Spread = bench.Median(took[kk]), bench.Spread(took[kk])
				r.NAT = append(r.NAT, *s)
			}
		}
	}
	return failed
}

func measureCold(c config, r *bench.Results) (failed bool) {
	if _, err := os.Stat(c.bin); err != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("cold start skipped: no nsnet binary at %s (make builds it)", c.bin))
		return false
	}
	add := func(name string, d []time.Duration) {
		s := bench.Summarize(d)
		r.Cold = append(r.Cold, bench.ColdStats{Name: name, Median: s.Median, P95: s.P95, Runs: s.N})
		logf("cold %-45s median %s p95 %s", name, bench.Dur(s.Median), bench.Dur(s.P95))
	}
	ip, ns, err := bench.ColdPair([]string{"ip", "link", "show"}, []string{c.bin, "link", "show"}, c.coldRuns)
	if err != nil {
		r.Notes = append(r.Notes, "cold start: "+err.Error())
		return true
	}
	add("ip link show", ip)
	add("nsnet link show", ns)
	hello := filepath.Join(filepath.Dir(c.bin), "gohello")
	if _, err := os.Stat(hello); err == nil {
		// The Go runtime's own start, against ip in the same interleaving.
		_, hd, err := bench.ColdPair([]string{"ip", "link", "show"}, []string{hello}, c.coldRuns/2)
		if err != nil {
			r.Notes = append(r.Notes, "cold start: "+err.Error())
			return true
		}
		add("gohello (static Go hello world: the Go runtime's start)", hd)
	}
	links := filepath.Join(filepath.Dir(c.bin), "golinks")
	if _, err := os.Stat(links); err == nil {
		// A Go `link show` with nothing but raw system calls: the floor
		// for any Go implementation of the command.
		_, ld, err := bench.ColdPair([]string{"ip", "link", "show"}, []string{links}, c.coldRuns/2)
		if err != nil {
			r.Notes = append(r.Notes, "cold start: "+err.Error())
			return true
		}
		add(bench.GoLinksCold, ld)
	}
	// The two states (1 and coldNS named namespaces) alternate in blocks,
	// so that slow changes in the machine's load fall on both.
	const blocks = 3
	type state struct{ ip, ns []time.Duration }
	states := map[int]*state{1: {}, c.coldNS: {}}
	for range blocks {
		for _, count := range []int{1, c.coldNS} {
			del, err := bench.NamedNamespaces(count)
			if err != nil {
				r.Notes = append(r.Notes, "cold start: "+err.Error())
				return true
			}
			ip, ns, err := bench.ColdPair([]string{"ip", "-n", "nb0", "link", "show"}, []string{c.bin, "-n", "nb0", "link", "show"}, max(1, c.coldRuns/blocks))
			derr := del()
			if err = errors.Join(err, derr); err != nil {
				r.Notes = append(r.Notes, "cold start: "+err.Error())
				return true
			}
			st := states[count]
			st.ip, st.ns = append(st.ip, ip...), append(st.ns, ns...)
		}
	}
	for _, count := range []int{1, c.coldNS} {
		add(fmt.Sprintf("ip -n nb0 link show (%d named netns)", count), states[count].ip)
		add(fmt.Sprintf("nsnet -n nb0 link show (%d named netns)", count), states[count].ns)
	}
	return measureProc(c, r, add)
}

// measureProc: a command as PID 1 of new pid, uts, ipc and mount
// namespaces in a named netns, nsnet run against the util-linux chains,
// interleaved.
func measureProc(c config, r *bench.Results, add func(string, []time.Duration)) (failed bool) {
	del, err := bench.NamedNamespaces(1)
	if err != nil {
		r.Notes = append(r.Notes, "nsnet run: "+err.Error())
		return true
	}
	rows := bench.ProcRows(c.bin, "nb0")
	d, err := bench.ProcStart(rows, max(3, c.coldRuns/2))
	if err = errors.Join(err, del()); err != nil {
		r.Notes = append(r.Notes, "nsnet run: "+err.Error())
		return true
	}
	for i, row := range rows {
		add(row.Name, d[i])
	}
	v := bench.ProcVerdict(d[0], d[1], d[2])
	logf("%s", v)
	r.Notes = append(r.Notes, v)
	return false
}

func measureSize(c config, r *bench.Results) {
	if files, static, err := bench.BinarySize(c.bin); err == nil {
		d := "static"
		if !static {
			d = fmt.Sprintf("NOT static: %d files", len(files))
		}
		r.Size = append(r.Size, bench.SizeRow{Name: bench.NsnetSize, Bytes: bench.UnionSize(files), Detail: d})
		shares, err := bench.SizeByPackage(c.bin+".sym", bench.UnionSize(files))
		if err != nil {
			r.Notes = append(r.Notes, "binary size by package: "+err.Error())
		}
		r.Shares = shares
	}
	if files, _, err := bench.BinarySize(filepath.Join(filepath.Dir(c.bin), "gohello")); err == nil {
		r.Size = append(r.Size, bench.SizeRow{Name: bench.HelloSize, Bytes: bench.UnionSize(files), Detail: "the Go runtime alone"})
	}
	if files, _, err := bench.BinarySize(filepath.Join(filepath.Dir(c.bin), "gostd")); err == nil {
		r.Size = append(r.Size, bench.SizeRow{Name: bench.StdOnlySize, Bytes: bench.UnionSize(files), Detail: "bench/cmd/gostd: the standard packages nsnet's binary imports, used as it uses them; no nsnet code, no other module"})
	}
	ipf, _, err1 := bench.BinarySize("ip")
	nftf, _, err2 := bench.BinarySize("nft")
	if err1 != nil || err2 != nil {
		r.Notes = append(r.Notes, "binary size of ip/nft: "+errors.Join(err1, err2).Error())
		return
	}
	names := func(fs []bench.FileSize) string {
		var s []string
		for _, f := range fs {
			s = append(s, filepath.Base(f.Path))
		}
		return strings.Join(s, ", ")
	}
	union, files := bench.Union(ipf, nftf)
	r.Size = append(r.Size,
		bench.SizeRow{Name: "ip + its shared libraries", Bytes: bench.UnionSize(ipf), Detail: names(ipf)},
		bench.SizeRow{Name: "nft + its shared libraries", Bytes: bench.UnionSize(nftf), Detail: names(nftf)},
		bench.SizeRow{Name: "ip + nft + libraries (union)", Bytes: union, Detail: fmt.Sprintf("%d distinct files", files)},
	)
}

// measureDoctor runs the doctor row: `nsnet doctor` on a healthy topology
// at each size. A false failure is a result (the row shows it), not a
// failed measurement.
func measureDoctor(c config, r *bench.Results) (failed bool) {
	for _, n := range c.doctorNs {
		st, err := bench.MeasureDoctor(c.bin, n, c.doctorRuns)
		switch {
		case errors.Is(err, bench.ErrMissing):
			r.Notes = append(r.Notes, "doctor row skipped: "+err.Error())
			return false
		case err != nil:
			r.Notes = append(r.Notes, fmt.Sprintf("doctor N=%d: %v", n, err))
			failed = true
			continue
		}
		if st.Err != nil {
			r.Notes = append(r.Notes, fmt.Sprintf("doctor N=%d: %v", n, st.Err))
			failed = true
		}
		logf("doctor N=%d median %s (%d runs), %d failed items, %d warnings, %d neighbour entries left", n, bench.Dur(st.Median), st.Runs, st.Failed, st.Warnings, st.Left)
		r.Doctor = append(r.Doctor, st)
	}
	return failed
}
