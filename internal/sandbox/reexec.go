package sandbox

import "github.com/nsnet/nsnet/internal/isolate"

// The sandbox mechanism itself (re-exec, guard, setup) lives in internal/isolate, so
// that the nsnet binary can use it without importing package testing.
// These names keep the test-facing API in one place.

// Stdio holds the standard streams of a re-executed program.
type Stdio = isolate.Stdio

// Marked reports whether this process was started by Reexec.
func Marked() bool { return isolate.Marked() }

// Reexec runs /proc/self/exe with argv in a fresh network + mount namespace
// and waits for it; see isolate.Run.
func Reexec(argv, env []string, stdio Stdio) (exitCode int, err error) {
	return isolate.Run(argv, env, stdio)
}

// EnterChild checks the guard and sets the sandbox up; see
// isolate.Enter.
func EnterChild() error { return isolate.Enter() }

// Exec replaces the process with argv; see isolate.Exec.
func Exec(argv, env []string) error { return isolate.Exec(argv, env) }

func setUpHere() bool { return isolate.Ready() }

func checkGuard() error { return isolate.Guard() }
