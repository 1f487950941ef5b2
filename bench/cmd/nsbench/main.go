// Command nsbench measures per-namespace setup and teardown, nf_tables NAT
// rule loading, CLI cold start and binary size for nsnet against the tools
// users would otherwise use, side by side in one private sandbox.
package main

import (
	"fmt"
	"os"
	"runtime"

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
	code, err := sandbox.Reexec(os.Args, nil, sandbox.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "nsbench:", err)
		return false, 1
	}
	return false, code
}

func realMain() int {
	inside, code := enter()
	if !inside {
		return code
	}
	for _, w := range bench.Ways() {
		r, err := bench.Run(w, 10, bench.Options{Verify: true})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		s := bench.Summarize(r.Setup)
		t := bench.Summarize(r.Teardown)
		fmt.Printf("%-50s setup med %v p95 %v total %v | teardown med %v total %v settle %v\n", w.Name, s.Median, s.P95, r.SetupTotal, t.Median, r.TeardownTotal, r.Settle)
	}
	return 0
}
