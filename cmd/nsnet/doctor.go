package main

import (
	"context"
	"fmt"

	"github.com/nsnet/nsnet/topo"
)

const doctorUsage = `Usage: nsnet doctor [FILE] [-j]
Runs the seed's troubleshooting checklist against the live system, for the
topology FILE or, without one, for every named namespace it finds:
namespace exists, veth created, correct end in the namespace, interfaces
up, addresses assigned, bridge up, routes present, gateway on a connected
subnet and answering ARP, IP forwarding where routing needs it, NAT rules
present, overlapping CIDRs, and other nftables tables that drop this
traffic. Each item prints pass or FAIL and, on failure, the exact command
that fixes it; a warning (warn) is a limit outside the topology, such as a
kernel neighbour table too small for traffic to all its hosts at once, with
the sysctl that raises it. Exit status: 0 when every item passes or warns.

Gateways are probed from inside the namespaces (without FILE, every named
one, nsnet's or not): one ping, and when it fails up to three ARP requests,
at most 32 at a time. The neighbour (ARP) entries the probes create, there
and on the gateway's side, are deleted again; entries that were there
before are left alone. Where conntrack is active in a namespace, the ping
leaves a conntrack entry that the kernel expires after 30 s. Nothing else
is changed.
`

// doctorReq is `nsnet doctor [FILE]`.
type doctorReq struct {
	file string
	json bool
}

func parseDoctor(args []string, o opts) (request, error) {
	r := doctorReq{json: o.json}
	for _, a := range args {
		switch a {
		case "help", "-h", "--help":
			return helpReq{text: doctorUsage}, nil
		case "-j", "--json":
			r.json = true
		default:
			if len(a) > 1 && a[0] == '-' {
				return nil, fmt.Errorf("doctor: option %q is unknown, try \"nsnet doctor help\"", a)
			}
			if r.file != "" {
				return nil, fmt.Errorf("doctor: one topology file, not %q and %q", r.file, a)
			}
			r.file = a
		}
	}
	if o.netns != "" {
		return nil, fmt.Errorf("doctor: -n does not apply: doctor checks every namespace of the file (or every named one)")
	}
	return r, nil
}

func (r doctorReq) run(e *env) error {
	ctx := context.Background()
	var t *topo.Topology
	var err error
	if r.file != "" {
		if t, err = loadTopo(e, r.file); err != nil {
			return err
		}
	} else if t, err = topo.Discover(ctx); err != nil {
		return err
	}
	rep, err := topo.Doctor(ctx, t, r.file)
	if err != nil {
		return err
	}
	if r.json {
		// Keys in sorted order, as the map encoding/json printed had them.
		if err := writeJSON(e.out, e.opts, jobj{{"items", jlist[topo.Item](nonNil(rep.Items))}, {"ok", rep.OK()}}); err != nil {
			return err
		}
	} else {
		printReport(e, rep)
	}
	if !rep.OK() {
		return exitStatus(1)
	}
	return nil
}

// printReport prints one line per item, and the fix under each failure.
func printReport(e *env, rep *topo.Report) {
	n := map[string]int{}
	for _, it := range rep.Items {
		n[it.Status]++
		mark := map[string]string{topo.Pass: "[pass]", topo.Fail: "[FAIL]", topo.Skip: "[skip]", topo.Warn: "[warn]"}[it.Status]
		line := fmt.Sprintf("%s %s: %s", mark, it.Check, it.Object)
		if it.Detail != "" && it.Status != topo.Pass {
			line += " — " + it.Detail
		}
		fmt.Fprintln(e.out, line)
		if it.Fix != "" {
			fmt.Fprintf(e.out, "       fix: %s\n", it.Fix)
		}
	}
	fmt.Fprintf(e.out, "doctor: %d passed, %d failed, %d skipped", n[topo.Pass], n[topo.Fail], n[topo.Skip])
	if n[topo.Warn] > 0 {
		fmt.Fprintf(e.out, ", %d warnings", n[topo.Warn])
	}
	fmt.Fprintln(e.out)
}
