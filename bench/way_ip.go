package bench

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// runTool runs one process and returns its error with its stderr.
func runTool(stdin string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}

// ipSteps is the seed's way, one step per line, for namespace i.
// hostSide lines run in the host namespace, the others with -n NS.
func ipSteps(e *Env, i int) (host, inNS []string) {
	ns, h, p := e.NS(i), e.Host(i), e.Peer(i)
	host = []string{
		"netns add " + ns,
		"link add " + h + " type veth peer name " + p,
		"link set " + p + " netns " + ns,
		"link set " + h + " master " + e.Bridge,
		"link set " + h + " up",
	}
	inNS = []string{
		"addr add " + e.Addr(i).String() + " dev " + p,
		"link set " + p + " up",
		"link set lo up",
		"route add default via " + e.GW.Addr().String(),
	}
	return host, inNS
}

// ipWay runs `ip` once per step, as the seed does: nine processes per namespace.
func ipWay() Way {
	return Way{
		Key:      "ip",
		Name:     "`ip`, one process per step",
		Teardown: "`ip netns del`, one process per namespace",
		Start:    func(e *Env) (Instance, error) { return &ipRun{e: e}, lookTool("ip") },
	}
}

func lookTool(name string) error {
	_, err := exec.LookPath(name)
	return err
}

type ipRun struct{ e *Env }

func (r *ipRun) Setup(i int) error {
	host, inNS := ipSteps(r.e, i)
	for _, l := range host {
		if err := runTool("", "ip", strings.Fields(l)...); err != nil {
			return err
		}
	}
	for _, l := range inNS {
		if err := runTool("", "ip", append([]string{"-n", r.e.NS(i)}, strings.Fields(l)...)...); err != nil {
			return err
		}
	}
	return nil
}

func (r *ipRun) Teardown(i int) error { return runTool("", "ip", "netns", "del", r.e.NS(i)) }
func (r *ipRun) Close() error         { return nil }

// ipBatchWay runs the same steps through `ip -batch`: one process for the
// host-side steps and one (`ip -n NS -batch`) for the steps inside.
func ipBatchWay() Way {
	return Way{
		Key:      "ip-batch",
		Name:     "`ip -batch` (2 processes per namespace)",
		Teardown: "`ip -batch` netns del, one process per namespace",
		Start:    func(e *Env) (Instance, error) { return &ipBatchRun{e: e}, lookTool("ip") },
	}
}

type ipBatchRun struct{ e *Env }

func (r *ipBatchRun) Setup(i int) error {
	host, inNS := ipSteps(r.e, i)
	if err := runTool(strings.Join(host, "\n")+"\n", "ip", "-batch", "-"); err != nil {
		return err
	}
	return runTool(strings.Join(inNS, "\n")+"\n", "ip", "-n", r.e.NS(i), "-batch", "-")
}

func (r *ipBatchRun) Teardown(i int) error {
	return runTool("netns del "+r.e.NS(i)+"\n", "ip", "-batch", "-")
}
func (r *ipBatchRun) Close() error { return nil }
