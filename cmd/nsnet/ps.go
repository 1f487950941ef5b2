package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/nsutil"
)

const psUsage = `Usage: nsnet ps [NS]
Lists the processes in each named network namespace (or in NS only): the
namespace, the host PID, the PID inside the process's own pid namespace
(NSPID: 1 for a command started with nsnet run), its hostname and command.
-j prints JSON: netns, pid, nspid (every level, host first), hostname,
cmdline. See also "nsnet netns pids NAME" and "nsnet netns identify [PID]",
which print what iproute2 prints.
`

type psReq struct{ netns string }

func parsePS(args []string, o opts) (request, error) {
	if len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		return helpReq{text: psUsage}, nil
	}
	if len(args) > 1 {
		return nil, fmt.Errorf("ps: expected at most one namespace NAME, got %q", strings.Join(args, " "))
	}
	r := psReq{netns: o.netns}
	if len(args) == 1 {
		if err := checkNSName(args[0]); err != nil {
			return nil, err
		}
		if o.netns != "" && o.netns != args[0] {
			return nil, fmt.Errorf("ps: two namespaces given, %q (-n) and %q: give one", o.netns, args[0])
		}
		r.netns = args[0]
	}
	return r, nil
}

func (r psReq) run(e *env) error {
	var all []nsutil.NetNSProcesses
	if r.netns != "" {
		ns, err := openNS(r.netns)
		if err != nil {
			return err
		}
		procs, err := ns.Processes()
		ns.Close()
		if err != nil {
			return err
		}
		all = []nsutil.NetNSProcesses{{Name: r.netns, Procs: procs}}
	} else {
		var err error
		if all, err = nsutil.AllProcesses(); err != nil {
			return err
		}
	}
	if e.opts.json {
		out := []jobj{}
		for _, n := range all {
			for _, p := range n.Procs {
				out = append(out, jobj{{"netns", n.Name}, {"pid", p.PID}, {"nspid", p.NSpid},
					{"hostname", p.Hostname}, {"cmdline", p.Cmdline}})
			}
		}
		return writeJSON(e.out, e.opts, out)
	}
	tw := newColumns(e.out)
	fmt.Fprintln(tw, "NETNS\tPID\tNSPID\tHOSTNAME\tCOMMAND")
	for _, n := range all {
		for _, p := range n.Procs {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", n.Name, p.PID, p.InnerPID(), p.Hostname, strings.Join(p.Cmdline, " "))
		}
	}
	return tw.Flush()
}

// netnsPidsReq is `netns pids NAME`: ip netns pids, line for line.
type netnsPidsReq struct{ name string }

// netnsIdentifyReq is `netns identify [PID]`: ip netns identify.
type netnsIdentifyReq struct {
	pid   int    // 0: the current process (or -n NS)
	netns string // -n NS
}

func parseNetnsPids(args []string, _ opts) (request, error) {
	switch {
	case len(args) == 0:
		return nil, errors.New("netns pids: no netns name specified: expected netns pids NAME")
	case len(args) > 1:
		return nil, fmt.Errorf("netns pids: extra arguments specified (%q): expected netns pids NAME", strings.Join(args[1:], " "))
	}
	if err := checkNSName(args[0]); err != nil {
		return nil, err
	}
	return netnsPidsReq{name: args[0]}, nil
}

func parseNetnsIdentify(args []string, o opts) (request, error) {
	r := netnsIdentifyReq{netns: o.netns}
	switch {
	case len(args) > 1:
		return nil, fmt.Errorf("netns identify: extra arguments specified (%q): expected netns identify [PID]", strings.Join(args[1:], " "))
	case len(args) == 1:
		// iproute2's is_pid: digits only ("" too, which then names no process).
		if strings.Trim(args[0], "0123456789") != "" || args[0] == "" {
			return nil, fmt.Errorf("netns identify: specified string '%s' is not a pid", args[0])
		}
		pid, err := strconv.Atoi(args[0])
		if err != nil || pid == 0 {
			return nil, fmt.Errorf("netns identify: %s is not a process id", args[0])
		}
		r.pid = pid
	}
	return r, nil
}

func (r netnsPidsReq) run(e *env) error {
	ns, err := openNS(r.name)
	if err != nil {
		return err
	}
	defer ns.Close()
	pids, err := ns.PIDs()
	if err != nil {
		return err
	}
	for _, p := range pids { // plain lines even with -j, as ip -j prints them

		fmt.Fprintln(e.out, p)
	}
	return nil
}

func (r netnsIdentifyReq) run(e *env) error {
	var name string
	var err error
	if r.pid == 0 && r.netns != "" {
		var ns *nsutil.NetNS
		if ns, err = openNS(r.netns); err != nil {
			return err
		}
		name, err = ns.Identify()
		ns.Close()
	} else {
		name, err = nsutil.Identify(r.pid)
	}
	if errors.Is(err, os.ErrNotExist) && r.pid != 0 {
		return fmt.Errorf("netns identify: there is no process %d (no /proc/%d/ns/net)", r.pid, r.pid)
	}
	if err != nil {
		return err
	}
	// ip prints the name, or an empty line when no name matches.
	fmt.Fprintln(e.out, name)
	return nil
}
