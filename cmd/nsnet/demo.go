package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/nsnet/nsnet/internal/isolate"
	"github.com/nsnet/nsnet/internal/nettest"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/topo"
)

const demoUsage = `Usage: nsnet demo
Builds the seed's whole network in a private sandbox (a fresh network and
mount namespace: this host's interfaces, routes and firewall are never
touched): red and blue on bridge v-net-0 (192.168.15.0/24, host
192.168.15.5), a "lan" namespace on a second host segment (192.168.1.0/24,
host 192.168.1.2), routes, forwarding, masquerade and a port forward
8080 -> blue:80. Each step prints the iproute2/iptables commands it
replaces; every claim of the seed is proved with traffic; doctor runs;
everything is torn down. Exit status: 0 only if every claim held.
`

// envDemoChild marks the re-executed nsnet that runs the demo inside its
// sandbox.
const envDemoChild = "NSNET_DEMO_CHILD"

type demoReq struct{}

func parseDemo(args []string, o opts) (request, error) {
	if len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		return helpReq{text: demoUsage}, nil
	}
	if len(args) > 0 {
		return nil, fmt.Errorf("demo: takes no arguments, found %q", strings.Join(args, " "))
	}
	if o.netns != "" {
		return nil, fmt.Errorf("demo: -n does not apply: the demo makes its own sandbox")
	}
	return demoReq{}, nil
}

func (demoReq) run(e *env) error {
	if os.Getenv(envDemoChild) != "1" {
		if err := e.out.Flush(); err != nil {
			return err
		}
		env := append(os.Environ(), envDemoChild+"=1")
		return exitOf(isolate.Run([]string{"nsnet", "demo"}, env, isolate.Stdio{Out: e.rawOut, Err: e.stderr}))
	}
	if err := isolate.Enter(); err != nil {
		return err
	}
	ok, err := runDemo(e.out)
	if err != nil {
		return err
	}
	if !ok {
		return exitStatus(1)
	}
	return nil
}

// demo is one run of the walkthrough.
type demo struct {
	w      io.Writer
	claims int
	failed int
}

// claim prints a claim and whether it held.
func (d *demo) claim(text string, err error, wantFail bool) {
	d.claims++
	held := err == nil
	if wantFail {
		held = err != nil
	}
	mark := "ok  "
	if !held {
		mark = "FAIL"
		d.failed++
	}
	line := fmt.Sprintf("   %s %s", mark, text)
	switch {
	case !held && err != nil:
		line += ": " + err.Error()
	case !held:
		line += ": it worked, and it should not have"
	case wantFail && err != nil:
		line += " (" + err.Error() + ")"
	}
	fmt.Fprintln(d.w, line)
}

// printSteps prints what up did, each with the commands it replaces.
func (d *demo) printSteps(p *topo.PlanResult) {
	for _, s := range p.Steps {
		if s.Action == topo.Exists {
			continue
		}
		fmt.Fprintf(d.w, "   %s %s %s\n", s.Action, s.Kind, s.Object)
		for _, c := range s.Commands {
			fmt.Fprintf(d.w, "        $ %s\n", c)
		}
	}
}

// runDemo builds the seed's picture in the current (sandboxed) network
// namespace, proves its claims with traffic, runs doctor and tears it all
// down. It reports whether every claim held.
func runDemo(w io.Writer) (bool, error) {
	start := time.Now()
	ctx := context.Background()
	seed, err := topo.Parse("seed.json", topo.Seed())
	if err != nil {
		return false, err
	}
	d := &demo{w: w}
	fmt.Fprintln(w, "nsnet demo: the seed's network, built in a private sandbox (this host's network is not touched)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "1. Namespaces, a bridge, veth pairs, addresses, routes, forwarding (no NAT yet)")
	noNAT := *seed
	noNAT.NAT = topo.NAT{}
	p, err := topo.Up(ctx, &noNAT, topo.Options{})
	if err != nil {
		return false, err
	}
	d.printSteps(p)
	defer func() {
		// Whatever happens, leave nothing behind.
		_, _ = topo.Down(ctx, seed, topo.Options{})
	}()
	open := func(name string) (*nsutil.NetNS, error) { return nsutil.Open(name) }
	red, err := open("red")
	if err != nil {
		return false, err
	}
	blue, err := open("blue")
	if err != nil {
		red.Close()
		return false, err
	}
	lan, err := open("lan")
	if err != nil {
		red.Close()
		blue.Close()
		return false, err
	}
	closeAll := func() { red.Close(); blue.Close(); lan.Close() }
	ping := func(ns *nsutil.NetNS, dst string, timeout time.Duration) error {
		return nettest.Ping(ns, netip.MustParseAddr(dst), timeout)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "2. Prove it with traffic")
	d.claim("red -> blue through the bridge: ping 192.168.15.2      ($ ip netns exec red ping 192.168.15.2)", ping(red, "192.168.15.2", 2*time.Second), false)
	d.claim("blue -> red through the bridge: ping 192.168.15.1", ping(blue, "192.168.15.1", 2*time.Second), false)
	d.claim("host -> red via v-net-0 192.168.15.5: ping 192.168.15.1", ping(nil, "192.168.15.1", 2*time.Second), false)
	d.claim("host -> blue: ping 192.168.15.2", ping(nil, "192.168.15.2", 2*time.Second), false)
	d.claim("red -> its gateway, the host: ping 192.168.15.5", ping(red, "192.168.15.5", 2*time.Second), false)
	d.claim("blue -> LAN 192.168.1.10 fails without NAT: the LAN has no route back to 192.168.15.0/24",
		ping(blue, "192.168.1.10", 300*time.Millisecond), true)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "3. NAT: masquerade 192.168.15.0/24, forward tcp 8080 -> blue:80")
	p, err = topo.Up(ctx, seed, topo.Options{})
	if err != nil {
		closeAll()
		return false, err
	}
	d.printSteps(p)
	d.claim("blue -> LAN 192.168.1.10 with masquerade (the LAN sees 192.168.1.2)", ping(blue, "192.168.1.10", 2*time.Second), false)
	srv, err := nettest.Serve(blue, ":80", "hello from blue\n")
	if err != nil {
		closeAll()
		return false, err
	}
	got, err := nettest.Get(lan, "192.168.1.2:8080", 2*time.Second)
	if err == nil && got != "hello from blue\n" {
		err = fmt.Errorf("got %q", got)
	}
	d.claim("LAN -> host 192.168.1.2:8080 -> blue 192.168.15.2:80 (web app in blue answers)", err, false)
	d.claim("LAN -> host 192.168.1.2:80 -> blue:80 after the tutorial's own iptables lines", d.tutorialIPTables(lan), false)
	srv.Close()
	closeAll() // open handles would keep the namespaces alive after down
	fmt.Fprintln(w)
	fmt.Fprintln(w, "4. Doctor: the seed's troubleshooting checklist")
	rep, err := topo.Doctor(ctx, seed, "seed.json")
	if err != nil {
		return false, err
	}
	n := map[string]int{}
	for _, it := range rep.Items {
		n[it.Status]++
		if it.Status != topo.Pass {
			fmt.Fprintf(w, "   [%s] %s: %s — %s\n", it.Status, it.Check, it.Object, it.Detail)
		}
	}
	d.claim(fmt.Sprintf("doctor: %d checks passed, %d failed, %d skipped", n[topo.Pass], n[topo.Fail], n[topo.Skip]), reportErr(rep), false)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "5. Tear down          ($ ip netns del red; ip netns del blue; ip netns del lan; ip link del v-net-0 ...)")
	rm, err := topo.Down(ctx, seed, topo.Options{})
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "   removed %d objects\n", len(rm))
	after, err := topo.Plan(ctx, seed)
	if err != nil {
		return false, err
	}
	var left []string
	for _, s := range after.Steps {
		if s.Action == topo.Exists && s.Kind != topo.KindForwarding {
			left = append(left, string(s.Kind)+" "+s.Object)
		}
	}
	var leftErr error
	if len(left) > 0 {
		leftErr = fmt.Errorf("still there: %s", strings.Join(left, ", "))
	}
	d.claim("nothing of the seed's network is left", leftErr, false)
	fmt.Fprintln(w)
	el := time.Since(start).Round(time.Millisecond)
	if d.failed > 0 {
		fmt.Fprintf(w, "demo: %d of %d claims FAILED (%v)\n", d.failed, d.claims, el)
		return false, nil
	}
	fmt.Fprintf(w, "demo: all %d claims held (%v)\n", d.claims, el)
	return true, nil
}

// reportErr is nil when every doctor item passed.
func reportErr(r *topo.Report) error {
	if r.OK() {
		return nil
	}
	var f []string
	for _, it := range r.Failed() {
		f = append(f, it.Check+": "+it.Object)
	}
	return fmt.Errorf("failed: %s", strings.Join(f, "; "))
}

// tutorialIPTables runs the seed's two iptables lines verbatim through
// nsnet as iptables (ln -s nsnet iptables), written as iptables-nft
// writes them, proves the DNAT with traffic from lan, and deletes them.
func (d *demo) tutorialIPTables(lan *nsutil.NetNS) error {
	lines := [][]string{
		{"-t", "nat", "-A", "POSTROUTING", "-s", "192.168.15.0/24", "-j", "MASQUERADE"},
		{"-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", "192.168.15.2:80"},
	}
	ipt := func(args []string) error {
		var errb strings.Builder
		if code := iptMain("iptables", args, nil, d.w, &errb); code != 0 {
			return fmt.Errorf("iptables %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
		}
		return nil
	}
	for _, l := range lines {
		fmt.Fprintf(d.w, "   $ iptables %s\n", strings.Join(l, " "))
		if err := ipt(l); err != nil {
			return err
		}
	}
	fmt.Fprintln(d.w, "   $ iptables -t nat -S")
	if err := ipt([]string{"-t", "nat", "-S"}); err != nil {
		return err
	}
	got, err := nettest.Get(lan, "192.168.1.2:80", 2*time.Second)
	if err == nil && got != "hello from blue\n" {
		err = fmt.Errorf("got %q", got)
	}
	for _, l := range lines {
		del := append([]string{}, l...)
		del[2] = "-D"
		if derr := ipt(del); err == nil {
			err = derr
		}
	}
	return err
}
