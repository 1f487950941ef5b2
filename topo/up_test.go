package topo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/nettest"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
)

// envChild makes the test binary act as a killable `nsnet up` (see
// TestKilledUpThenDown): it applies the topology file named by the value
// and stops dead at step NSNET_TOPO_STOP.
const envChild = "NSNET_TOPO_CHILD_UP"

func TestMain(m *testing.M) {
	if f := os.Getenv(envChild); f != "" {
		os.Exit(childUp(f))
	}
	if f := os.Getenv(envKillChild); f != "" {
		os.Exit(killChild(f))
	}
	os.Exit(sandbox.Main(m))
}

// childUp runs inside the parent test's sandbox (it inherits its
// namespaces): it prints "step N" before each step and blocks forever at
// the step numbered NSNET_TOPO_STOP, waiting to be killed.
func childUp(file string) int {
	stop, _ := strconv.Atoi(os.Getenv("NSNET_TOPO_STOP"))
	top, err := Load(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	_, err = up(context.Background(), top, Options{Workers: 1}, func(s *Step) error {
		fmt.Printf("step %d\n", s.index)
		if s.index == stop {
			select {} // killed here
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func seed(t *testing.T) *Topology {
	t.Helper()
	top, err := Parse("seed.json", Seed())
	if err != nil {
		t.Fatal(err)
	}
	return top
}

// snapshot is everything up may touch, as the oracles print it: links,
// addresses and routes (all tables) of the host and of every namespace,
// the namespace list, the nft ruleset and the host's ip_forward.
func snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	names := []string{""}
	for _, e := range sandbox.IPJSON(t, "netns", "list") {
		names = append(names, fmt.Sprint(e["name"]))
	}
	for _, ns := range names {
		pre := []string{"-j"}
		if ns != "" {
			pre = append(pre, "-n", ns)
		}
		for _, what := range [][]string{{"link", "show"}, {"addr", "show"}, {"route", "show", "table", "all"}, {"-6", "route", "show", "table", "all"}} {
			fmt.Fprintf(&b, "== %q %v\n%s\n", ns, what, sandbox.Run(t, "ip", append(pre, what...)...))
		}
	}
	fmt.Fprintf(&b, "== nft\n%s\n", sandbox.Run(t, "nft", "-j", "list", "ruleset"))
	fwd, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "== ip_forward %s", fwd)
	// For a link without carrier the kernel reports LOWERLAYERDOWN or
	// DOWN depending on whether the link that has its peer's ifindex *in
	// its own namespace* had carrier at the last carrier event
	// (default_operstate, net/core/link_watch.c): for a veth whose peer
	// is in another namespace that is an unrelated link, so the word
	// depends on event order, not on the state. Compare the state.
	out := strings.ReplaceAll(b.String(), `"operstate":"LOWERLAYERDOWN"`, `"operstate":"DOWN"`)
	// Rules count packets, and the kernel sends some by itself on timers
	// after links come up (a rule's handle, not its counter, shows that
	// it was made again).
	return counters.ReplaceAllString(out, `"counter": C`)
}

var counters = regexp.MustCompile(`"counter": \{"packets": [0-9]+, "bytes": [0-9]+\}`)

// mustDown runs Down and fails the test on error.
func mustDown(t *testing.T, top *Topology) []Removed {
	t.Helper()
	rm, err := Down(context.Background(), top, Options{})
	if err != nil {
		t.Fatalf("down: %v", err)
	}
	return rm
}

func TestUpSeedTrafficDown(t *testing.T) {
	sandbox.Require(t)
	top := seed(t)
	before := snapshot(t)
	p, err := Up(context.Background(), top, Options{})
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if cr, ch, ex, co := p.Counts(); cr+ch != len(p.Steps) || ex+co != 0 {
		t.Fatalf("first up on a clean system: %d create, %d change, %d exists, %d conflict", cr, ch, ex, co)
	}
	t0 := time.Now()
	checkSeedTraffic(t)
	t.Logf("traffic: %v", time.Since(t0))
	// The oracle sees what the file says.
	links := sandbox.IPJSON(t, "-n", "red", "addr", "show", "dev", "veth-red")
	if len(links) != 1 || !strings.Contains(fmt.Sprint(links[0]["addr_info"]), "192.168.15.1") {
		t.Errorf("ip -n red addr show dev veth-red: %v", links)
	}
	if ai := fmt.Sprint(sandbox.IPJSON(t, "-n", "red", "addr", "show", "dev", "veth-red")[0]["addr_info"]); strings.Contains(ai, "inet6") {
		t.Errorf("the seed has no IPv6, but veth-red has an IPv6 address: %s", ai)
	}
	for _, dev := range []string{"v-net-0", "veth-red-br", "v-lan"} {
		if ai := fmt.Sprint(sandbox.IPJSON(t, "addr", "show", "dev", dev)[0]["addr_info"]); strings.Contains(ai, "inet6") {
			t.Errorf("the seed has no IPv6, but host link %s has an IPv6 address: %s", dev, ai)
		}
	}
	master := sandbox.IPJSON(t, "link", "show", "master", "v-net-0")
	if len(master) != 2 {
		t.Errorf("v-net-0 has %d ports, want 2: %v", len(master), master)
	}
	// A second up changes nothing.
	p2, err := Up(context.Background(), top, Options{})
	if err != nil {
		t.Fatalf("second up: %v", err)
	}
	if cr, ch, _, _ := p2.Counts(); cr+ch != 0 {
		t.Fatalf("second up: %d create, %d change; want none:\n%v", cr, ch, p2.Steps)
	}
	t0 = time.Now()
	rm := mustDown(t, top)
	t.Logf("down: %v", time.Since(t0))
	if len(rm) == 0 {
		t.Fatal("down removed nothing")
	}
	after := snapshot(t)
	if d := lineDiff(before, withForwarding(t, after)); d != "" {
		t.Fatalf("down left the system different from before up:\n%s", d)
	}
	if rm := mustDown(t, top); len(rm) != 0 {
		t.Fatalf("second down removed %v", rm)
	}
}

// withForwarding accounts for the one thing down leaves: ip_forward.
func withForwarding(t *testing.T, s string) string {
	t.Helper()
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("0"), 0); err != nil {
		t.Fatal(err)
	}
	return strings.Replace(s, "== ip_forward 1", "== ip_forward 0", 1)
}

// checkSeedTraffic proves the seed's claims with real packets.
func checkSeedTraffic(t *testing.T) {
	t.Helper()
	open := func(name string) *nsutil.NetNS {
		ns, err := nsutil.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		return ns
	}
	red, blue, lan := open("red"), open("blue"), open("lan")
	// Closed before down: an open handle keeps a namespace (and the
	// host ends of its veths) alive.
	defer red.Close()
	defer blue.Close()
	defer lan.Close()
	for _, c := range []struct {
		from *nsutil.NetNS
		name string
		to   string
	}{
		{red, "red", "192.168.15.2"}, {blue, "blue", "192.168.15.1"},
		{nil, "host", "192.168.15.1"}, {nil, "host", "192.168.15.2"}, {nil, "host", "192.168.1.10"},
		{blue, "blue", "192.168.1.10"}, {red, "red", "192.168.15.5"},
	} {
		if err := nettest.Ping(c.from, netip.MustParseAddr(c.to), 2*time.Second); err != nil {
			t.Errorf("%s -> %s: %v", c.name, c.to, err)
		}
	}
	srv, err := nettest.Serve(blue, ":80", "hello from blue")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	got, err := nettest.Get(lan, "192.168.1.2:8080", 2*time.Second)
	if err != nil || got != "hello from blue" {
		t.Errorf("lan -> host:8080 -> blue:80: %q, %v", got, err)
	}
}

// settledDiff is lineDiff(before, snapshot(t)), retried for up to ten
// seconds while they differ: a veth peer's carrier and operstate follow a
// link set down through linkwatch, which the kernel runs at most once a
// second (linkwatch_schedule_work), so right after a rollback the peer
// may still show the carrier it had (on a loaded machine the worker that
// runs linkwatch can start well after that second).
func settledDiff(t *testing.T, before string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := lineDiff(before, snapshot(t))
		if d == "" || time.Now().After(deadline) {
			return d
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lineDiff returns the lines that differ between a and b ("" if none).
func lineDiff(a, b string) string {
	if a == b {
		return ""
	}
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var d strings.Builder
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&d, "line %d:\n- %s\n+ %s\n", i+1, x, y)
		}
	}
	return d.String()
}

// TestUpFaultEveryStep fails each step of up in turn and proves that the
// system is then exactly as it was before.
func TestUpFaultEveryStep(t *testing.T) {
	sandbox.Require(t)
	top := seed(t)
	p, err := Plan(context.Background(), top)
	if err != nil {
		t.Fatal(err)
	}
	n := len(p.Steps)
	if n < 10 {
		t.Fatalf("the seed plan has %d steps", n)
	}
	before := snapshot(t)
	injected := errors.New("injected failure")
	for k := 0; k < n; k++ {
		_, err := up(context.Background(), top, Options{}, func(s *Step) error {
			if s.index == k {
				return injected
			}
			return nil
		})
		var se *StepError
		if !errors.As(err, &se) || !errors.Is(err, injected) {
			t.Fatalf("step %d failed: got %v, want a *StepError wrapping the injected failure", k, err)
		}
		if se.Step.index != k {
			t.Errorf("step %d failed, the error names step %d (%s)", k, se.Step.index, se.Step.Object)
		}
		if se.RollbackErr != nil {
			t.Errorf("step %d: rollback: %v", k, se.RollbackErr)
		}
		if !strings.Contains(err.Error(), p.Steps[k].Object) {
			t.Errorf("step %d: message does not name %q: %v", k, p.Steps[k].Object, err)
		}
		if d := settledDiff(t, before); d != "" {
			t.Fatalf("after failing step %d (%s %s), the system differs from before up:\n%s", k, p.Steps[k].Kind, p.Steps[k].Object, d)
		}
	}
}

// TestKilledUpThenDown kills an up half-way (and at its last step) and
// proves that down from the file removes everything it had created.
func TestKilledUpThenDown(t *testing.T) {
	sandbox.Require(t)
	top := seed(t)
	p, err := Plan(context.Background(), top)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t)
	file := t.TempDir() + "/seed.json"
	if err := os.WriteFile(file, Seed(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, stop := range []int{len(p.Steps) / 2, len(p.Steps) - 1} {
		cmd := exec.Command("/proc/self/exe")
		cmd.Env = append(os.Environ(), envChild+"="+file, "NSNET_TOPO_STOP="+strconv.Itoa(stop))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		reached := false
		for sc.Scan() {
			if sc.Text() == fmt.Sprintf("step %d", stop) {
				reached = true
				break
			}
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if !reached {
			t.Fatalf("the up child never reached step %d", stop)
		}
		if snapshot(t) == before {
			t.Fatalf("killed at step %d, the up child had changed nothing: the test proves nothing", stop)
		}
		if rm := mustDown(t, top); len(rm) == 0 {
			t.Fatal("down removed nothing")
		}
		after := snapshot(t)
		if strings.Contains(after, "== ip_forward 1") {
			after = withForwarding(t, after)
		}
		if d := lineDiff(before, after); d != "" {
			t.Fatalf("up killed at step %d, then down: the system differs from before:\n%s", stop, d)
		}
	}
}

// TestUpRightAfterNamespaceDeleted: the host end of a deleted namespace's
// veth lingers while the kernel frees it; an up at once must not take it
// for a foreign veth.
func TestUpRightAfterNamespaceDeleted(t *testing.T) {
	sandbox.Require(t)
	top := seed(t)
	if _, err := Up(context.Background(), top, Options{}); err != nil {
		t.Fatal(err)
	}
	defer mustDown(t, top)
	for range 3 {
		if err := nsutil.Delete("lan"); err != nil {
			t.Fatal(err)
		}
		p, err := Up(context.Background(), top, Options{})
		if err != nil {
			t.Fatalf("up right after deleting lan: %v", err)
		}
		if cr, _, _, _ := p.Counts(); cr == 0 {
			t.Fatal("up created nothing after lan was deleted")
		}
	}
}

// TestUpFaultFromPartialState: up repairs a damaged network (changes and a
// few creations); failing each of its steps must restore the damaged
// state exactly, which exercises the undo of every kind of change.
func TestUpFaultFromPartialState(t *testing.T) {
	sandbox.Require(t)
	top := seed(t)
	if _, err := Up(context.Background(), top, Options{}); err != nil {
		t.Fatal(err)
	}
	defer mustDown(t, top)
	sandbox.Run(t, "ip", "link", "set", "v-net-0", "down")
	sandbox.Run(t, "ip", "-n", "lan", "link", "set", "lo", "down")
	sandbox.Run(t, "ip", "-n", "blue", "route", "del", "192.168.1.0/24")
	sandbox.Run(t, "ip", "-n", "blue", "route", "replace", "default", "via", "192.168.15.1")
	sandbox.Run(t, "ip", "link", "set", "veth-blue-br", "nomaster")
	sandbox.Run(t, "ip", "-n", "red", "link", "set", "veth-red", "down")
	sandbox.Run(t, "ip", "-n", "lan", "addr", "del", "192.168.1.10/24", "dev", "eth0")
	sandbox.Run(t, "nft", "delete", "table", "inet", "nsnet")
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("0"), 0); err != nil {
		t.Fatal(err)
	}
	p, err := Plan(context.Background(), top)
	if err != nil {
		t.Fatal(err)
	}
	var work []int
	for i, s := range p.Steps {
		if s.Action != Exists {
			work = append(work, i)
		}
	}
	if len(work) < 8 {
		t.Fatalf("the damaged network needs %d steps: %+v", len(work), p.Steps)
	}
	before := snapshot(t)
	injected := errors.New("injected failure")
	for _, k := range work {
		_, err := up(context.Background(), top, Options{}, func(s *Step) error {
			if s.index == k {
				return injected
			}
			return nil
		})
		var se *StepError
		if !errors.As(err, &se) || se.RollbackErr != nil {
			t.Fatalf("step %d: %v", k, err)
		}
		if d := settledDiff(t, before); d != "" {
			t.Fatalf("after failing step %d (%s %s: %s):\n%s", k, p.Steps[k].Action, p.Steps[k].Object, p.Steps[k].Detail, d)
		}
	}
	// And without a failure, up repairs it all.
	if _, err := Up(context.Background(), top, Options{}); err != nil {
		t.Fatal(err)
	}
	checkSeedTraffic(t)
}

// TestUpConflictChangesNothing: a name the file uses taken by another kind
// of link makes up refuse before it changes anything.
func TestUpConflictChangesNothing(t *testing.T) {
	sandbox.Require(t)
	top := seed(t)
	sandbox.Run(t, "ip", "link", "add", "veth-blue-br", "type", "bridge")
	defer sandbox.Run(t, "ip", "link", "del", "veth-blue-br")
	before := snapshot(t)
	p, err := Up(context.Background(), top, Options{})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "a bridge link named veth-blue-br is already in the host") {
		t.Fatalf("up: %v", err)
	}
	if _, _, _, co := p.Counts(); co != 1 {
		t.Errorf("%d conflicts, want 1", co)
	}
	if d := lineDiff(before, snapshot(t)); d != "" {
		t.Fatalf("a refused up changed the system:\n%s", d)
	}
}

// TestUpCancelled: cancelling the context (nsnet up on Ctrl-C) stops up
// and undoes what it created.
func TestUpCancelled(t *testing.T) {
	sandbox.Require(t)
	top := generated(t, 20)
	before := snapshot(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := up(ctx, top, Options{Workers: 2}, func(s *Step) error {
		if s.index == 10 {
			cancel()
		}
		return nil
	})
	var se *StepError
	if !errors.As(err, &se) || !errors.Is(err, context.Canceled) || se.RollbackErr != nil {
		t.Fatalf("cancelled up: %v", err)
	}
	if d := lineDiff(before, snapshot(t)); d != "" {
		t.Fatalf("a cancelled up left changes:\n%s", d)
	}
}
