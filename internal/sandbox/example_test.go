package sandbox_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// A package's privileged tests run in a private network + mount
// namespace when its TestMain is this one line.
func ExampleMain() {
	var m *testing.M // the *testing.M that TestMain receives
	if m != nil {
		os.Exit(sandbox.Main(m))
	}
}

// How `nsnet sandbox -- CMD...` uses the package: the first process
// re-executes itself in a fresh sandbox; the re-executed one (Marked)
// sets the sandbox up and replaces itself with CMD.
func ExampleReexec() {
	run := func(args []string) int {
		if !sandbox.Marked() {
			code, err := sandbox.Reexec(os.Args, nil, sandbox.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
			if err != nil {
				fmt.Fprintln(os.Stderr, "nsnet:", err)
				return 1
			}
			return code
		}
		if err := sandbox.EnterChild(); err != nil {
			fmt.Fprintln(os.Stderr, "nsnet:", err)
			return 1
		}
		err := sandbox.Exec(args, nil) // returns only on error
		fmt.Fprintln(os.Stderr, "nsnet:", err)
		return 1
	}
	_ = run // e.g. os.Exit(run([]string{"sh"}))
}
