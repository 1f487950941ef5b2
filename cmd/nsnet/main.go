package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/nsnet/nsnet/nsutil"
)

// init pins the main goroutine to the main thread (M0), so that the
// disposable threads nsutil uses for namespace work never land on it
// (STYLE.md §3.2, R7).
func init() { runtime.LockOSThread() }

func main() {
	// nsnet run's helper (PID 1 in the new namespaces) goes first: it has
	// mounts to make and a command to exec, and nothing else to do.
	if nsutil.IsHelper(os.Args[0]) {
		os.Exit(nsutil.RunHelper(os.Args[1:]))
	}
	if cniMode() {
		os.Exit(cniMain())
	}
	// iptables, ip6tables, iptables-save, iptables-restore (and -nft):
	// iptables' own dialect (iptables.go).
	if _, _, ok := iptablesName(os.Args[0]); ok {
		os.Exit(iptMain(os.Args[0], os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run is main without the process, so tests call it with argv and buffers.
// Exit codes: 0 success, 1 the kernel or the system refused, 2 bad usage or
// invalid input (found before anything is changed). Invoked as ip, the
// messages and codes are iproute2's (explainIP).
func run(argv []string, stdout, stderr io.Writer) int {
	ipName := len(argv) > 0 && filepath.Base(argv[0]) == "ip"
	inv, err := parse(argv) // pure: no syscalls, no files
	if err != nil {
		if ipName {
			msg, code := explainIP(err, true)
			fmt.Fprintln(stderr, msg)
			return code
		}
		fmt.Fprintf(stderr, "nsnet: %v\n", err)
		return 2
	}
	out := bufio.NewWriter(stdout)
	e := &env{opts: inv.opts, out: out, rawOut: stdout, stderr: stderr}
	err = inv.req.run(e)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write output: %w", ferr)
	}
	var st exitStatus
	var bad *inputError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &st):
		return int(st)
	case ipName:
		msg, code := explainIP(err, false)
		fmt.Fprintln(stderr, msg)
		return code
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "nsnet: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "nsnet: %s\n", explain(err))
	return 1
}

// exitStatus is the status of a program nsnet ran (netns exec): returned
// as is, with nothing printed.
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// exitOf is the result of a run that ends with another nsnet process (a
// sandboxed re-exec, isolate.Run): its error if it could not run, else
// its exit code, passed on as an exitStatus unless it is 0.
func exitOf(code int, err error) error {
	if err != nil {
		return err
	}
	if code != 0 {
		return exitStatus(code)
	}
	return nil
}
