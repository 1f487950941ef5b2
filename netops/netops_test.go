package netops

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/internal/nettest"
	"github.com/nsnet/nsnet/internal/podtest"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nft"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
)

func TestMain(m *testing.M) { os.Exit(sandbox.Main(m)) }

// container is a podtest.Pod: a process in a network namespace of its
// own, as a container runtime makes one; the namespace has no name, only
// a path (/proc/PID/ns/net), as a CNI plugin gets it.
type container struct{ *podtest.Pod }

func startContainer(t *testing.T) *container { return &container{podtest.Start(t, "")} }

// snapshot is everything the changes may touch, as the oracles print
// them: links (with details: hairpin, queues, addrgenmode, qdisc),
// addresses, routes of every table in the host, in every named
// namespace and in the containers, the nft ruleset, and ip_forward.
func snapshot(t *testing.T, cs ...*container) string {
	t.Helper()
	var b strings.Builder
	type place struct {
		label string
		pre   []string // argv before ip
	}
	places := []place{{"host", nil}}
	for _, e := range sandbox.IPJSON(t, "netns", "list") {
		n := fmt.Sprint(e["name"])
		places = append(places, place{"netns " + n, []string{"ip", "netns", "exec", n}})
	}
	for _, c := range cs {
		places = append(places, place{"container", []string{"nsenter", "--net=" + c.Path}})
	}
	for _, p := range places {
		for _, what := range [][]string{{"-d", "link", "show"}, {"addr", "show"}, {"route", "show", "table", "all"}, {"-6", "route", "show", "table", "all"}} {
			argv := append(append([]string{}, p.pre...), append([]string{"ip", "-j"}, what...)...)
			out := sandbox.Run(t, argv[0], argv[1:]...)
			fmt.Fprintf(&b, "== %s %v\n%s\n", p.label, what, out)
		}
		argv := append(append([]string{}, p.pre...), "cat", "/proc/sys/net/ipv4/ip_forward")
		fmt.Fprintf(&b, "== %s ip_forward %s", p.label, sandbox.Run(t, argv[0], argv[1:]...))
	}
	fmt.Fprintf(&b, "== nft\n%s\n", sandbox.Run(t, "nft", "-j", "list", "ruleset"))
	// The kernel reports LOWERLAYERDOWN or DOWN for a link without
	// carrier depending on event order (see topo's snapshot): compare
	// the state.
	out := strings.ReplaceAll(b.String(), `"operstate":"LOWERLAYERDOWN"`, `"operstate":"DOWN"`)
	// A bridge's timers (ip -d) run, and rules count packets.
	out = timers.ReplaceAllString(out, `_timer":T`)
	return counters.ReplaceAllString(out, `"counter": C`)
}

var (
	timers   = regexp.MustCompile(`_timer":[0-9.]+`)
	counters = regexp.MustCompile(`"counter": \{"packets": [0-9]+, "bytes": [0-9]+\}`)
)

// withoutCarrier hides what the kernel changes on a bridge by itself when
// ports come and go, which no request can put back (verified on 6.18):
// its carrier (LOWER_UP, NO-CARRIER, operstate, routes' linkdown;
// br_port_state_selection), the IPv6 multicast route carrier brings, and
// tso_max_size, which follows its ports'. Only for a bridge that was
// there before: ours are deleted.
func withoutCarrier(s string) string {
	s = strings.NewReplacer(`,"LOWER_UP"`, "", `"linkdown"`, "", `"NO-CARRIER",`, "", `"operstate":"UP"`, `"operstate":"DOWN"`).Replace(s)
	s = strings.ReplaceAll(s, `,{"type":"multicast","dst":"ff00::/8","dev":"opsbr","table":"local","protocol":"kernel","metric":256,"flags":[],"pref":"medium"}`, "")
	return tsoMax.ReplaceAllString(s, `"tso_max_size":N`)
}

var tsoMax = regexp.MustCompile(`"tso_max_size":[0-9]+`)

// settled is lineDiff(before, norm(snapshot)), retried for up to ten
// seconds while they differ: a veth peer's carrier and operstate follow a
// link set down through linkwatch, which the kernel runs at most once a
// second (linkwatch_schedule_work), so right after an undo the peer may
// still show the carrier it had (on a loaded machine the worker that
// runs linkwatch can start well after that second).
func settled(t *testing.T, before string, norm func(string) string, cs ...*container) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := lineDiff(before, norm(snapshot(t, cs...)))
		if d == "" || time.Now().After(deadline) {
			return d
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func same(s string) string { return s }

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
			// Long JSON lines: show where they differ, with context.
			p := 0
			for p < len(x) && p < len(y) && x[p] == y[p] {
				p++
			}
			s := 0
			for s < len(x)-p && s < len(y)-p && x[len(x)-1-s] == y[len(y)-1-s] {
				s++
			}
			from := max(0, p-200)
			fmt.Fprintf(&d, "line %d, from byte %d:\n- %s\n+ %s\n", i+1, from, x[from:min(len(x), len(x)-s+80)], y[from:min(len(y), len(y)-s+80)])
		}
	}
	return d.String()
}

func host(t *testing.T) *NS {
	t.Helper()
	h, err := OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func openPath(t *testing.T, path, label string) *NS {
	t.Helper()
	ns, err := nsutil.OpenPath(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Open(ns, label)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// world is what a scenario runs against.
type world struct {
	host, old, ctr *NS
	pre0           int32 // a pre-existing host link the scenario changes
	preRoute       bool  // 10.98.0.0/24 dev lo metric 5 exists and is replaced
}

// scenario makes one of every change, in the order a caller would, and
// stops at the first error. It is the same whatever the hook does, so the
// k-th change is the same change in every run.
func scenario(j *Journal, w *world) error {
	a, err := CreateNetns(j, "opsA")
	if err != nil {
		return err
	}
	br, _, err := EnsureBridge(j, w.host, Bridge{Name: "opsbr", MTU: 1400, NoIPv6: true})
	if err != nil {
		return err
	}
	hb := NewBatch(j, w.host)
	hb.AddrAdd(Addr{Index: br, Dev: "opsbr", Prefix: pfx("10.77.0.1/24"), OnBridge: true})
	if err := hb.Flush(); err != nil {
		return err
	}
	if _, err := Attach(j, w.host, a, Attachment{Bridge: br, BridgeName: "opsbr", HostIf: "opsA-br", IfName: "eth0",
		Addrs:  []netip.Prefix{pfx("10.77.0.2/24")},
		Routes: []Route{{Dst: pfx("0.0.0.0/0"), Gateway: netip.MustParseAddr("10.77.0.1")}},
		NoIPv6: true, LoUp: true}); err != nil {
		return err
	}
	if _, err := Attach(j, w.host, w.ctr, Attachment{Bridge: br, BridgeName: "opsbr", HostIf: "opsC-br", IfName: "eth0", MTU: 1400,
		MAC:     net.HardwareAddr{0x02, 0, 0, 0x77, 0, 3},
		Addrs:   []netip.Prefix{pfx("10.77.0.3/24"), pfx("fd77::3/64")},
		Routes:  []Route{{Dst: pfx("0.0.0.0/0"), Gateway: netip.MustParseAddr("10.77.0.1")}},
		Hairpin: true, LoUp: true, LoWasDown: true}); err != nil {
		return err
	}
	// A veth between two namespaces: from the one this run created to
	// one that was there, whose lo was down.
	p, err := CreateVeth(j, a, Veth{Name: "ab0", Peer: "ab1", PeerNS: w.old, NoIPv6: true})
	if err != nil {
		return err
	}
	ob := NewBatch(j, w.old)
	ob.LoUp(true)
	ob.LinkUp(LinkUp{Index: p.PeerIndex, Name: "ab1", NoIPv6: true})
	ob.AddrAdd(Addr{Index: p.PeerIndex, Dev: "ab1", Prefix: pfx("10.78.0.2/30")})
	if err := ob.Flush(); err != nil {
		return err
	}
	if err := SetLink(j, w.host, LinkChange{Index: w.pre0, Name: "pre0", Up: true, MTU: 1300, Master: br}); err != nil {
		return err
	}
	hb.RouteAdd(Route{Dst: pfx("10.99.0.0/24"), Gateway: netip.MustParseAddr("10.77.0.2"), Metric: 7})
	if w.preRoute {
		old, err := findRoute(w.host, pfx("10.98.0.0/24"), 5)
		if err != nil {
			return err
		}
		hb.RouteAdd(Route{Dst: pfx("10.98.0.0/24"), Gateway: netip.MustParseAddr("10.77.0.3"), Metric: 5, Replaces: old})
	}
	if err := hb.Flush(); err != nil {
		return err
	}
	if err := Sysctl(j, w.host, "net.ipv4.ip_forward", "1"); err != nil {
		return err
	}
	if err := Sysctl(j, w.old, "net.ipv4.ip_forward", "1"); err != nil {
		return err
	}
	if _, err := AddNAT(j, w.host, "", firewall.Masquerade{Src: pfx("10.77.0.0/24")}); err != nil {
		return err
	}
	to := netip.MustParseAddrPort("10.77.0.2:80")
	if _, err := AddNAT(j, w.host, "", firewall.Forward{Proto: "tcp", Port: 8080, To: to}); err != nil {
		return err
	}
	return nil
}

// setUpWorld makes what exists before the scenario: a named namespace
// with lo down, a container, a host veth pair (down) and a route.
func setUpWorld(t *testing.T) (*world, *container) {
	t.Helper()
	sandbox.Run(t, "ip", "netns", "add", "opsold")
	t.Cleanup(func() { _ = nsutil.Delete("opsold") })
	sandbox.Run(t, "ip", "link", "add", "pre0", "type", "veth", "peer", "name", "pre1")
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", "pre0").Run() })
	sandbox.Run(t, "ip", "route", "add", "10.98.0.0/24", "dev", "lo", "metric", "5")
	t.Cleanup(func() { _ = exec.Command("ip", "route", "del", "10.98.0.0/24", "dev", "lo", "metric", "5").Run() })
	c := startContainer(t)
	w := &world{host: host(t), old: openNamed(t, "opsold"), ctr: openPath(t, c.Path, c.Path), preRoute: true}
	l, err := w.host.Conn().LinkByName("pre0")
	if err != nil {
		t.Fatal(err)
	}
	w.pre0 = l.Index
	return w, c
}

func openNamed(t *testing.T, name string) *NS {
	t.Helper()
	ns, err := nsutil.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Open(ns, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

var errInjected = errors.New("injected failure")

// TestFaultEveryStep fails each change of the scenario in turn (before it
// is made) and proves that undoing the journal leaves the system byte for
// byte as it was: links (with their details), addresses, routes, the nft
// ruleset and ip_forward, in the host, an existing named namespace and a
// container's namespace given by path. Run to the end, the whole journal's
// undo must restore it too.
func TestFaultEveryStep(t *testing.T) {
	sandbox.Require(t)
	w, c := setUpWorld(t)
	before := snapshot(t, c)
	var objs []Object
	j := &Journal{hook: func(o Object) error { objs = append(objs, o); return nil }}
	if err := scenario(j, w); err != nil {
		t.Fatalf("scenario: %v", err)
	}
	if snapshot(t, c) == before {
		t.Fatal("the scenario changed nothing: the test proves nothing")
	}
	checkScenarioTraffic(t, w)
	if err := j.Undo(); err != nil {
		t.Fatalf("undo of the whole scenario: %v", err)
	}
	if d := settled(t, before, same, c); d != "" {
		t.Fatalf("after the whole scenario's undo, the system differs:\n%s", d)
	}
	if len(objs) < 20 {
		t.Fatalf("the scenario has %d steps: %v", len(objs), objs)
	}
	for k := range objs {
		n := 0
		j := &Journal{hook: func(o Object) error {
			n++
			if n-1 == k {
				return errInjected
			}
			return nil
		}}
		err := scenario(j, w)
		if !errors.Is(err, errInjected) {
			t.Fatalf("step %d (%s): got %v, want the injected failure", k, objs[k], err)
		}
		var oe *Error
		if !errors.As(err, &oe) || oe.Object != objs[k] {
			t.Errorf("step %d: the error names %v, want %s", k, err, objs[k])
		}
		if err := j.Undo(); err != nil {
			t.Fatalf("step %d (%s): undo: %v", k, objs[k], err)
		}
		if d := settled(t, before, same, c); d != "" {
			t.Fatalf("after failing step %d (%s) and undoing, the system differs:\n%s", k, objs[k], d)
		}
	}
}

// checkScenarioTraffic: the attached namespaces reach the bridge and each
// other (the changes did what they say, not only something).
func checkScenarioTraffic(t *testing.T, w *world) {
	t.Helper()
	a, err := nsutil.Open("opsA")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, c := range []struct {
		from *nsutil.NetNS
		to   string
	}{{a, "10.77.0.1"}, {a, "10.77.0.3"}, {w.ctr.NetNS(), "10.77.0.2"}} {
		if err := nettest.Ping(c.from, netip.MustParseAddr(c.to), 2*time.Second); err != nil {
			t.Errorf("ping %s: %v", c.to, err)
		}
	}
}

// TestUndoKeepsForeignObjects (issue 9 H2, M6): the bridge, its address,
// a route and the NAT rules exist before, exactly as the scenario
// declares them (another writer made them). The scenario uses them as
// they are; failing each step and undoing deletes none of them.
func TestUndoKeepsForeignObjects(t *testing.T) {
	sandbox.Require(t)
	w, c := setUpWorld(t)
	// A fixed MAC (as nsnet gives its bridges): otherwise the bridge
	// takes its ports' and keeps 00:00:00:00:00:00 after the last left.
	sandbox.Run(t, "ip", "link", "add", "opsbr", "address", "02:00:00:77:00:01", "type", "bridge")
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", "opsbr").Run() })
	sandbox.Run(t, "ip", "link", "set", "opsbr", "addrgenmode", "none")
	sandbox.Run(t, "ip", "link", "set", "opsbr", "up")
	sandbox.Run(t, "ip", "addr", "add", "10.77.0.1/24", "dev", "opsbr")
	sandbox.Run(t, "ip", "route", "add", "10.99.0.0/24", "via", "10.77.0.2", "metric", "7")
	nc, err := nft.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := firewall.NewNAT(nc).Add(firewall.Masquerade{Src: pfx("10.77.0.0/24")}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = firewall.NewNAT(nc).Flush() })
	before := withoutCarrier(snapshot(t, c))
	var objs []Object
	j := &Journal{hook: func(o Object) error { objs = append(objs, o); return nil }}
	if err := scenario(j, w); err != nil {
		t.Fatalf("scenario: %v", err)
	}
	for _, e := range j.Entries() {
		switch {
		case e.Object.Kind == KindBridge, e.Object.Kind == KindMasquerade,
			e.Object.Kind == KindAddr && strings.HasPrefix(e.Object.Name, "10.77.0.1/"),
			e.Object.Kind == KindRoute && strings.HasPrefix(e.Object.Name, "10.99.0.0/24"):
			t.Errorf("journaled %s %s, which was there before", e.Verb, e.Object)
		}
	}
	if err := j.Undo(); err != nil {
		t.Fatal(err)
	}
	if d := settled(t, before, withoutCarrier, c); d != "" {
		t.Fatalf("undo touched what was there before:\n%s", d)
	}
	for k := range objs {
		n := 0
		j := &Journal{hook: func(o Object) error {
			n++
			if n-1 == k {
				return errInjected
			}
			return nil
		}}
		if err := scenario(j, w); !errors.Is(err, errInjected) {
			t.Fatalf("step %d: %v", k, err)
		}
		if err := j.Undo(); err != nil {
			t.Fatalf("step %d: undo: %v", k, err)
		}
		if d := settled(t, before, withoutCarrier, c); d != "" {
			t.Fatalf("after failing step %d (%s), undo touched what was there before:\n%s", k, objs[k], d)
		}
	}
}

// TestConflictNothingMade (issue 9 M7 at this layer): a veth whose name is
// taken by a link someone else made is a *ConflictError naming it, the
// link is left alone and nothing is journaled.
func TestConflictNothingMade(t *testing.T) {
	sandbox.Require(t)
	h := host(t)
	sandbox.Run(t, "ip", "link", "add", "opsX-br", "type", "veth", "peer", "name", "opsX-p")
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", "opsX-br").Run() })
	c := startContainer(t)
	ctr := openPath(t, c.Path, c.Path)
	before := snapshot(t, c)
	j := &Journal{}
	_, err := Attach(j, h, ctr, Attachment{HostIf: "opsX-br", IfName: "eth0", Addrs: []netip.Prefix{pfx("10.79.0.2/24")}})
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "opsX-br") {
		t.Fatalf("attach over a foreign veth: %v", err)
	}
	if j.Len() != 0 {
		t.Fatalf("journaled %s", j)
	}
	if err := j.Undo(); err != nil {
		t.Fatal(err)
	}
	if d := settled(t, before, same, c); d != "" {
		t.Fatalf("a refused attach changed the system:\n%s", d)
	}
	// A bridge name taken by a veth is a conflict too.
	if _, _, err := EnsureBridge(j, h, Bridge{Name: "opsX-br"}); !errors.As(err, &ce) || !strings.Contains(err.Error(), "veth") {
		t.Fatalf("bridge over a veth: %v", err)
	}
}

// TestAttachToDeletedBridge (issue 9 L6): the bridge a veth joins was
// deleted after it was found (a concurrent down). The error says so; the
// kernel alone answers "invalid argument".
func TestAttachToDeletedBridge(t *testing.T) {
	sandbox.Require(t)
	h := host(t)
	c := startContainer(t)
	ctr := openPath(t, c.Path, c.Path)
	j := &Journal{}
	br, created, err := EnsureBridge(j, h, Bridge{Name: "opsgone"})
	if err != nil || !created {
		t.Fatalf("bridge: %v %v", created, err)
	}
	sandbox.Run(t, "ip", "link", "del", "opsgone")
	_, err = Attach(j, h, ctr, Attachment{Bridge: br, BridgeName: "opsgone", HostIf: "opsG-br", IfName: "eth0"})
	var ge *GoneError
	if !errors.As(err, &ge) || !errors.Is(err, ErrGone) || ge.Object.Name != "opsgone" || ge.Object.Kind != KindBridge {
		t.Fatalf("attach to a deleted bridge: %v", err)
	}
	if err := j.Undo(); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentEnsureBridge (issue 9 M6 at this layer): many writers
// ensure the same bridge and address at once; none fails, exactly one
// journals the bridge, none journals the address twice, and undoing a
// journal that did not create them leaves them.
func TestConcurrentEnsureBridge(t *testing.T) {
	sandbox.Require(t)
	h := host(t)
	const n = 8
	js := make([]*Journal, n)
	errs := make(chan error, n)
	for i := range n {
		js[i] = &Journal{}
		go func() {
			br, _, err := EnsureBridge(js[i], h, Bridge{Name: "opsshared", NoIPv6: true})
			if err == nil {
				b := NewBatch(js[i], h)
				b.AddrAdd(Addr{Index: br, Dev: "opsshared", Prefix: pfx("10.80.0.1/24"), OnBridge: true})
				err = b.Flush()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent ensure: %v", err)
		}
	}
	bridges, addrs := 0, 0
	var owners []*Journal
	for _, j := range js {
		if j.Len() > 0 {
			owners = append(owners, j)
		}
		for _, e := range j.Entries() {
			switch e.Object.Kind {
			case KindBridge:
				bridges++
			case KindAddr:
				addrs++
			}
		}
	}
	if bridges != 1 || addrs != 1 {
		t.Fatalf("%d journals created the bridge, %d the address; want 1 and 1", bridges, addrs)
	}
	for _, j := range js {
		if j.Len() == 0 {
			if err := j.Undo(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if out := sandbox.Run(t, "ip", "-br", "addr", "show", "dev", "opsshared"); !strings.Contains(out, "10.80.0.1/24") {
		t.Fatalf("a journal that did not make the bridge or its address deleted them: %s", out)
	}
	for _, j := range owners {
		if err := j.Undo(); err != nil {
			t.Fatal(err)
		}
	}
	if err := exec.Command("ip", "link", "show", "opsshared").Run(); err == nil {
		t.Fatal("the creators' undo left the bridge")
	}
}

// TestSharedBridgeKeptForOthersPorts (issue 9 M6): a run creates the
// bridge and its address; another writer attaches a port to it; the first
// run's undo leaves the bridge and the address, which the other relies on.
func TestSharedBridgeKeptForOthersPorts(t *testing.T) {
	sandbox.Require(t)
	h := host(t)
	c := startContainer(t)
	ctr := openPath(t, c.Path, c.Path)
	first, other := &Journal{}, &Journal{}
	br, _, err := EnsureBridge(first, h, Bridge{Name: "opskeep", NoIPv6: true})
	if err != nil {
		t.Fatal(err)
	}
	b := NewBatch(first, h)
	b.AddrAdd(Addr{Index: br, Dev: "opskeep", Prefix: pfx("10.81.0.1/24"), OnBridge: true})
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, created, err := EnsureBridge(other, h, Bridge{Name: "opskeep", NoIPv6: true}); err != nil || created {
		t.Fatalf("second ensure: created %v, %v", created, err)
	}
	if _, err := Attach(other, h, ctr, Attachment{Bridge: br, BridgeName: "opskeep", HostIf: "opsK-br", IfName: "eth0",
		Addrs: []netip.Prefix{pfx("10.81.0.2/24")}, NoIPv6: true}); err != nil {
		t.Fatal(err)
	}
	if err := first.Undo(); err != nil {
		t.Fatal(err)
	}
	if out := sandbox.Run(t, "ip", "-br", "addr", "show", "dev", "opskeep"); !strings.Contains(out, "10.81.0.1/24") {
		t.Fatalf("the first run's undo took the bridge or its address from under the other's port: %q", out)
	}
	if err := other.Undo(); err != nil {
		t.Fatal(err)
	}
	_ = exec.Command("ip", "link", "del", "opskeep").Run()
}

// findRoute returns the main-table route to dst with metric in ns.
func findRoute(ns *NS, dst netip.Prefix, metric uint32) (*rtnl.Route, error) {
	routes, err := ns.Conn().Routes(0)
	if err != nil {
		return nil, err
	}
	for i := range routes {
		if routes[i].DstPrefix() == dst && routes[i].Priority == metric {
			return &routes[i], nil
		}
	}
	return nil, errors.New("no route " + dst.String() + " metric " + strconv.Itoa(int(metric)))
}

// TestHostSysctlPath: the process's own namespace reads sysctls by path
// with nsutil's rule (dotted keys, or paths for names with dots), and
// leaves anything else to nsutil to refuse.
func TestHostSysctlPath(t *testing.T) {
	for key, want := range map[string]string{
		"net.ipv4.ip_forward":               "/proc/sys/net/ipv4/ip_forward",
		"net/ipv4/conf/br.1/route_localnet": "/proc/sys/net/ipv4/conf/br.1/route_localnet",
		"kernel.hostname":                   "",
		"net/../kernel/hostname":            "",
		"net":                               "",
	} {
		got, ok := hostSysctlPath(key)
		if got != want || ok != (want != "") {
			t.Errorf("hostSysctlPath(%q) = %q, %v; want %q", key, got, ok, want)
		}
	}
}
