package bench

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Round is one measurement of one way at one size, in a fresh Env.
type Round struct {
	Setup         []time.Duration // per namespace, in order; nil for a bulk way
	SetupTotal    time.Duration   // wall time to set up all namespaces
	Teardown      []time.Duration // per namespace; nil for a bulk way
	TeardownTotal time.Duration   // wall time of the teardown calls
	Settle        time.Duration   // then, until the kernel has freed every host end
}

// Options tune a Run.
type Options struct {
	// Verify checks, untimed, that the last namespace really has the seed's
	// setup (with `ip`), before the teardown.
	Verify bool
	// BeforeTeardown, if set, runs untimed between setup and teardown
	// (profiling hooks, cold-start measurements with N namespaces present).
	BeforeTeardown func(e *Env, n int) error
}

// Run measures w at size n once. It must run inside the sandbox. It runs the
// way on a goroutine of its own, so that any thread the way switches between
// namespaces is never the caller's.
func Run(w Way, n int, o Options) (Round, error) {
	type res struct {
		r   Round
		err error
	}
	ch := make(chan res, 1)
	go func() {
		r, err := run(w, n, o)
		ch <- res{r, err}
	}()
	r := <-ch
	return r.r, r.err
}

func run(w Way, n int, o Options) (r Round, err error) {
	e, err := NewEnv()
	if err != nil {
		return r, fmt.Errorf("env: %w", err)
	}
	defer func() { err = errors.Join(err, e.Close()) }()
	inst, err := w.Start(e)
	if err != nil {
		return r, fmt.Errorf("%s: %w", w.Key, err)
	}
	defer func() { err = errors.Join(err, inst.Close()) }()
	bulk, isBulk := inst.(BulkInstance)

	start := time.Now()
	if isBulk {
		if err := bulk.SetupAll(n); err != nil {
			return r, fmt.Errorf("%s setup of %d: %w", w.Key, n, err)
		}
	} else {
		r.Setup = make([]time.Duration, n)
		for i := range n {
			t := time.Now()
			if err := inst.Setup(i); err != nil {
				return r, fmt.Errorf("%s setup of namespace %d: %w", w.Key, i, err)
			}
			r.Setup[i] = time.Since(t)
		}
	}
	r.SetupTotal = time.Since(start)

	if o.Verify {
		if err := verify(e, n-1, w.NoIPv6, w.OneQueue); err != nil {
			return r, fmt.Errorf("%s: %w", w.Key, err)
		}
	}
	if o.BeforeTeardown != nil {
		if err := o.BeforeTeardown(e, n); err != nil {
			return r, err
		}
	}

	start = time.Now()
	if isBulk {
		if err := bulk.TeardownAll(n); err != nil {
			return r, fmt.Errorf("%s teardown: %w", w.Key, err)
		}
	} else {
		r.Teardown = make([]time.Duration, n)
		for i := range n {
			t := time.Now()
			if err := inst.Teardown(i); err != nil {
				return r, fmt.Errorf("%s teardown of namespace %d: %w", w.Key, i, err)
			}
			r.Teardown[i] = time.Since(t)
		}
	}
	r.TeardownTotal = time.Since(start)
	if r.Settle, err = e.Settle(time.Minute); err != nil {
		return r, err
	}
	return r, leftovers(e, n)
}

// verify checks namespace i with iproute2, as an independent oracle.
func verify(e *Env, i int, noIPv6, oneQueue bool) error {
	ns := e.NS(i)
	if oneQueue {
		for _, args := range [][]string{{"-d", "link", "show", e.Host(i)}, {"-n", ns, "-d", "link", "show", "eth0"}} {
			out, err := exec.Command("ip", args...).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "numtxqueues 1 numrxqueues 1 ") {
				return fmt.Errorf("verify: ip %s: want one TX and one RX queue, got %q (%v)", strings.Join(args, " "), out, err)
			}
		}
	}
	if noIPv6 {
		for _, args := range [][]string{{"-n", ns, "-6", "-o", "addr", "show", "scope", "link"}, {"-6", "-o", "addr", "show", "dev", e.Host(i)}} {
			out, err := exec.Command("ip", args...).CombinedOutput()
			if err != nil || len(out) != 0 {
				return fmt.Errorf("verify: ip %s: want no IPv6 address, got %q (%v)", strings.Join(args, " "), out, err)
			}
		}
	}
	checks := []struct {
		args []string
		want string
	}{
		{[]string{"-n", ns, "route", "show", "default"}, "default via " + e.GW.Addr().String()},
		{[]string{"-n", ns, "-4", "-o", "addr", "show"}, "inet " + e.Addr(i).String()},
		{[]string{"-n", ns, "-o", "link", "show", "lo"}, ",UP"},
		{[]string{"-o", "link", "show", e.Host(i)}, "master " + e.Bridge + " state UP"},
	}
	for _, c := range checks {
		out, err := exec.Command("ip", c.args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("verify: ip %s: %w: %s", strings.Join(c.args, " "), err, out)
		}
		if !strings.Contains(string(out), c.want) {
			return fmt.Errorf("verify: ip %s: want %q in %q", strings.Join(c.args, " "), c.want, out)
		}
	}
	return nil
}

// leftovers fails if any namespace this run named is still mounted.
func leftovers(e *Env, n int) error {
	ents, err := os.ReadDir(RunDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, d := range ents {
		if strings.HasPrefix(d.Name(), "nb") {
			return fmt.Errorf("namespace %s left behind in %s", d.Name(), RunDir)
		}
	}
	return nil
}
