package nft

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// newNS makes an anonymous network namespace with lo up and returns a
// handle closed at the end of the test. unshare(2) runs on a goroutine that
// locks its thread and never unlocks it, so the runtime discards that
// thread (STYLE R7; nsutil.NewAnonymous does the same for the product).
func newNS(t testing.TB) *os.File {
	t.Helper()
	type result struct {
		f   *os.File
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // deliberately never unlocked
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			ch <- result{err: os.NewSyscallError("unshare", err)}
			return
		}
		f, err := os.Open("/proc/thread-self/ns/net")
		ch <- result{f, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { r.f.Close() })
	runIn(t, r.f, "ip", "link", "set", "lo", "up")
	return r.f
}

// doIn runs fn on a thread that joined ns; the thread is discarded, never
// switched back (STYLE R7). Sockets fn creates stay in ns; goroutines fn
// starts do not run in ns.
func doIn(ns *os.File, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: no restore to get wrong
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- os.NewSyscallError("setns", err)
			return
		}
		errc <- fn()
	}()
	err := <-errc
	runtime.KeepAlive(ns)
	return err
}

// runIn runs a tool inside ns (nil: the sandbox's own namespace) and
// returns its output; failure fails t. The child inherits the namespace of
// the thread that forks it.
func runIn(t testing.TB, ns *os.File, name string, args ...string) string {
	t.Helper()
	out, err := tryIn(ns, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

// tryIn is runIn that returns the error (with the tool's stderr) instead.
func tryIn(ns *os.File, name string, args ...string) (string, error) {
	return tryInStdin(ns, "", name, args...)
}

// tryInStdin is tryIn with stdin as the tool's standard input.
func tryInStdin(ns *os.File, stdin, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	run := func() error {
		cmd := exec.Command(name, args...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return &toolError{err: err, stderr: strings.TrimSpace(stderr.String())}
		}
		return nil
	}
	var err error
	if ns == nil {
		err = run()
	} else {
		err = doIn(ns, run)
	}
	return stdout.String(), err
}

type toolError struct {
	err    error
	stderr string
}

func (e *toolError) Error() string { return e.err.Error() + ": " + e.stderr }
func (e *toolError) Unwrap() error { return e.err }

// dialIn dials a Conn inside ns, closed at the end of the test.
func dialIn(t testing.TB, ns *os.File) *Conn {
	t.Helper()
	c, err := Dial(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
