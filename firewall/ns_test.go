package firewall

import (
	"bytes"
	"fmt"
	"github.com/nsnet/nsnet/nft"
	"os/exec"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/nsutil"
)

// Namespaces for the privileged tests come from nsutil, the one package
// that switches threads (STYLE R7). Only these tests import it: the
// firewall package itself knows nothing of nsutil, and internal/archtest checks
// the dependencies of the non-test package.

// newNS makes an anonymous network namespace with lo up and returns a
// handle closed at the end of the test.
func newNS(t testing.TB) *nsutil.NetNS {
	t.Helper()
	f, err := nsutil.NewAnonymous()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A NetNS (for Do) is opened from the anonymous namespace's fd; the
	// namespace lives as long as either file is open.
	ns, err := nsutil.OpenPath(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	runIn(t, ns, "ip", "link", "set", "lo", "up")
	return ns
}

// doIn runs fn on a thread that joined ns (nil: the sandbox's own
// namespace, on the calling goroutine). Sockets fn creates stay in ns;
// goroutines fn starts do not run in ns.
func doIn(ns *nsutil.NetNS, fn func() error) error {
	if ns == nil {
		return fn()
	}
	return ns.Do(fn)
}

// runIn runs a tool inside ns (nil: the sandbox's own namespace) and
// returns its output; failure fails t. The child inherits the namespace of
// the thread that forks it.
func runIn(t testing.TB, ns *nsutil.NetNS, name string, args ...string) string {
	t.Helper()
	out, err := tryIn(ns, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

// tryIn is runIn that returns the error (with the tool's stderr) instead.
func tryIn(ns *nsutil.NetNS, name string, args ...string) (string, error) {
	return tryInStdin(ns, "", name, args...)
}

// tryInStdin is tryIn with stdin as the tool's standard input.
func tryInStdin(ns *nsutil.NetNS, stdin, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	err := doIn(ns, func() error {
		cmd := exec.Command(name, args...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return &toolError{err: err, stderr: strings.TrimSpace(stderr.String())}
		}
		return nil
	})
	return stdout.String(), err
}

type toolError struct {
	err    error
	stderr string
}

func (e *toolError) Error() string { return e.err.Error() + ": " + e.stderr }
func (e *toolError) Unwrap() error { return e.err }

// A testConn is an nf_tables connection and the NAT table reached through
// it, so tests call both c.Rules and c.Add.
type testConn struct {
	*nft.Conn
	*NAT
}

// dialIn dials a connection inside ns (nil: the sandbox's own namespace),
// closed at the end of the test.
func dialIn(t testing.TB, ns *nsutil.NetNS) *testConn {
	t.Helper()
	var c *nft.Conn
	var err error
	if ns == nil {
		c, err = nft.Dial(nil)
	} else {
		c, err = nft.Dial(ns.File())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &testConn{c, NewNAT(c)}
}
