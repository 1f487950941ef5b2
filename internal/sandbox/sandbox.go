package sandbox

import (
	"fmt"
	"os"
	"runtime"
	"testing"
)

// init pins the main goroutine to the main thread (M0). See the package
// documentation: this is the exception STYLE §3.2 allows, because every
// test binary that may create namespaces imports this package, and a
// namespace worker that lands on M0 wedges it in the wrong namespace.
func init() { runtime.LockOSThread() }

// Main is the body of a package's TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(sandbox.Main(m)) }
//
// As root and not yet inside, it re-executes the test binary with the same
// arguments in a fresh network + mount namespace and returns the child's
// exit code. Inside the sandbox (or without root, in place) it runs the
// tests and fails the run if they leaked file descriptors.
//
// A test binary started from inside an existing sandbox (for example under
// `nsnet sandbox -- go test ./...`) gets a nested sandbox of its own, so
// that test binaries of different packages, which go test runs in
// parallel, never share /run/netns or links.
func Main(m *testing.M) int {
	switch {
	case Marked() && !setUpHere():
		if err := EnterChild(); err != nil {
			fmt.Fprintf(os.Stderr, "sandbox: %v\n", err)
			return 1
		}
	case os.Geteuid() == 0:
		code, err := Reexec(os.Args, nil, Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
		if err != nil {
			fmt.Fprintf(os.Stderr, "sandbox: %v\n", err)
			return 1
		}
		return code
	}
	return runChecked(m)
}

// runChecked runs the tests and turns a growth of /proc/self/fd into a
// failure, naming every leaked descriptor.
func runChecked(m *testing.M) int {
	if err := warmPoller(); err != nil {
		fmt.Fprintf(os.Stderr, "sandbox: %v\n", err)
		return 1
	}
	before, err := fdSnapshot()
	if err != nil {
		fmt.Fprintf(os.Stderr, "sandbox: %v\n", err)
		return 1
	}
	code := m.Run()
	after, err := fdSnapshot()
	if err != nil {
		fmt.Fprintf(os.Stderr, "sandbox: %v\n", err)
		return 1
	}
	if leaks := leaked(before, after); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "sandbox: the tests leaked %d file descriptor(s):\n", len(leaks))
		for _, l := range leaks {
			fmt.Fprintf(os.Stderr, "\t%s\n", l)
		}
		fmt.Println("FAIL")
		if code == 0 {
			code = 1
		}
	}
	return code
}

// skipMessage is the one line a privileged test prints without root.
const skipMessage = "needs root; as root, tests run in a private net+mount namespace"

// Require skips t unless the test runs inside a verified sandbox. As root
// outside a sandbox it fails instead: that means the package's TestMain
// does not call Main, and privileged tests must never skip silently as root
// (nor run on the host).
func Require(t testing.TB) {
	t.Helper()
	if Inside() {
		return
	}
	if os.Geteuid() == 0 {
		t.Fatal("sandbox: root but not inside the sandbox; the package's TestMain must be: os.Exit(sandbox.Main(m))")
	}
	t.Skip(skipMessage)
}

// Inside reports whether the process runs in a sandbox made by Reexec: the
// marker is set and the guard holds (its network and mount namespaces
// differ from the parent's).
func Inside() bool {
	return Marked() && checkGuard() == nil
}
