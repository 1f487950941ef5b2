package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/nsnet/nsnet/nsutil"
)

const netnsUsage = `Usage: nsnet netns list
       nsnet netns add NAME
       nsnet netns del NAME
       nsnet netns exec NAME CMD [ARGS...]
       nsnet netns pids NAME
       nsnet netns identify [PID]
A bare "nsnet netns" lists. Namespaces live in /run/netns, shared with iproute2.
Abbreviations as in iproute2: netns l, netns a, netns d, netns e.
`

type netnsListReq struct{}

type netnsAddReq struct{ name string }

type netnsDelReq struct{ name string }

type netnsExecReq struct {
	name string
	argv []string
}

// parseNetns reads `netns COMMAND ...`; the verb order is iproute2's
// do_netns(), so abbreviations resolve the same way.
func parseNetns(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return netnsListReq{}, nil
	}
	one := func(verb string, mk func(string) request) func([]string, opts) (request, error) {
		return func(a []string, _ opts) (request, error) {
			if len(a) != 1 {
				return nil, fmt.Errorf("netns %s: expected exactly one namespace NAME, got %d words", verb, len(a))
			}
			if err := checkNSName(a[0]); err != nil {
				return nil, err
			}
			return mk(a[0]), nil
		}
	}
	return pickVerb("netns", args[0], args[1:], o, []verb{
		{names: []string{"list", "show", "lst"}, parse: func(a []string, _ opts) (request, error) {
			if len(a) != 0 {
				return nil, fmt.Errorf("netns list: unexpected %q: list takes no arguments", a[0])
			}
			return netnsListReq{}, nil
		}},
		{names: []string{"list-id"}},
		helpVerb(netnsUsage),
		{names: []string{"add"}, parse: one("add", func(n string) request { return netnsAddReq{n} })},
		{names: []string{"set"}},
		{names: []string{"delete"}, parse: one("del", func(n string) request { return netnsDelReq{n} })},
		{names: []string{"identify"}, parse: parseNetnsIdentify}, // ps.go
		{names: []string{"pids"}, parse: parseNetnsPids},         // ps.go
		{names: []string{"exec"}, parse: parseNetnsExec},
		{names: []string{"monitor"}},
		{names: []string{"attach"}},
	})
}

func parseNetnsExec(args []string, _ opts) (request, error) {
	if len(args) == 0 {
		return nil, errors.New("netns exec: expected a namespace NAME and a command: netns exec NAME CMD [ARGS...]")
	}
	if err := checkNSName(args[0]); err != nil {
		return nil, err
	}
	if len(args) == 1 {
		return nil, fmt.Errorf("netns exec %s: no command specified: expected netns exec NAME CMD [ARGS...]", args[0])
	}
	return netnsExecReq{name: args[0], argv: args[1:]}, nil
}

func (r netnsListReq) run(e *env) error {
	list, err := e.nsList()
	if err != nil {
		return err
	}
	if e.opts.json {
		out := []jobj{}
		for _, n := range list {
			o := jobj{{jName, n.Name}}
			if n.ID >= 0 {
				o.add(jID, n.ID)
			}
			out = append(out, o)
		}
		return writeJSON(e.out, e.opts, out)
	}
	for _, n := range list {
		fmt.Fprintln(e.out, n.String())
	}
	return nil
}

func (r netnsAddReq) run(e *env) error {
	ns, err := nsutil.Create(r.name)
	if err != nil {
		return err
	}
	return ns.Close()
}

func (r netnsDelReq) run(e *env) error { return nsutil.Delete(r.name) }

// run starts the program inside the namespace (nsutil.NetNS.Start does
// what `ip netns exec` does), forwards the usual terminal signals to it,
// and returns its exit status: 128+N if signal N killed it, as shells do.
func (r netnsExecReq) run(e *env) error {
	ns, err := openNS(r.name)
	if err != nil {
		return err
	}
	defer ns.Close()
	path, err := exec.LookPath(r.argv[0])
	if err != nil {
		return &execNotFound{name: r.argv[0], err: err}
	}
	if err := e.out.Flush(); err != nil {
		return err
	}
	cmd := &exec.Cmd{Path: path, Args: r.argv, Stdin: os.Stdin, Stdout: e.rawOut, Stderr: e.stderr}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := ns.Start(cmd); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-sigs:
			_ = cmd.Process.Signal(s)
		case err := <-done:
			var xe *exec.ExitError
			if errors.As(err, &xe) {
				if ws, ok := xe.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					return exitStatus(128 + int(ws.Signal()))
				}
				return exitStatus(xe.ExitCode())
			}
			return err
		}
	}
}

// execNotFound reports a program that netns exec could not find.
type execNotFound struct {
	name string
	err  error
}

func (x *execNotFound) Error() string {
	return fmt.Sprintf("netns exec: %s: not found in PATH (%v)", x.name, x.err)
}

func (x *execNotFound) Unwrap() error { return x.err }
