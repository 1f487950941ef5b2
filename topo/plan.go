package topo

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// An Action says what `up` does about one object.
type Action uint8

// Actions, in the words plan prints.
const (
	Exists   Action = iota // already there, as the file says
	Create                 // missing: up creates it
	Change                 // there, but differs: up changes it (Detail says how)
	Conflict               // something else has the name: up refuses, before changing anything
)

// String returns the words plan prints for a.
func (a Action) String() string {
	switch a {
	case Exists:
		return "already there"
	case Create:
		return "create"
	case Change:
		return "change"
	case Conflict:
		return "conflict"
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// MarshalText makes an Action print as its words in JSON.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// A Kind is the sort of object a Step is about.
type Kind string

// Kinds of objects, in the order up handles them.
const (
	KindNetns      Kind = "netns"
	KindBridge     Kind = "bridge"
	KindVeth       Kind = "veth"
	KindAddr       Kind = "address"
	KindRoute      Kind = "route"
	KindForwarding Kind = "forwarding"
	KindMasquerade Kind = "masquerade"
	KindForward    Kind = "forward"
)

// A Step is one object of the topology and what up does about it. The
// json tags are the names AppendJSON prints its exported fields with
// (Action as its words); a test holds AppendJSON to encoding/json.
type Step struct {
	Action Action `json:"action"`
	Kind   Kind   `json:"kind"`
	NS     string `json:"netns,omitempty"` // "" = host
	Object string `json:"object"`          // "veth-red (red) <-> veth-red-br (host, bridge v-net-0)"
	Detail string `json:"detail,omitempty"`
	// Commands are the iproute2 / nft commands the step replaces, for
	// people who know those tools (nsnet demo prints them).
	Commands []string `json:"commands,omitempty"`

	index int      // position in the plan; the fault-injection hook sees it
	fix   fixFlags // what a Change must do
	veth  *Veth    // KindVeth
	owner string   // KindVeth: the namespace whose worker creates it ("" for ns<->ns pairs)
	br    *Bridge  // KindBridge
	addr  netip.Prefix
	dev   string // KindAddr: interface; KindRoute: file's dev
	route Route  // KindRoute
	dst   netip.Prefix
	gw    netip.Addr
	mtu   int
	masq  firewall.Masquerade
	fwd   firewall.Forward
	old   *rtnl.Route // KindRoute Change: the route it replaces
}

// fixFlags are the parts of a Change.
type fixFlags uint16

const (
	fixUp         fixFlags = 1 << iota // set the (host or only) link up
	fixPeerUp                          // set the namespace end up
	fixMaster                          // enslave the host end to its bridge
	fixMTU                             // set the bridge's MTU
	fixRecreate                        // delete the veth's ends and create the pair again
	fixLoUp                            // set lo up in the namespace
	fixReplace                         // replace a route (different gateway or device)
	fixForwarding                      // set ip_forward to 1
)

// live is what Plan saw of the system, limited to what the file names.
type live struct {
	host *nsLive
	ns   map[string]*nsLive // nil: the namespace does not exist
	nat  natLive
}

// nsLive is one namespace as seen.
type nsLive struct {
	links      map[string]*rtnl.Link // by name; only names the file uses, plus lo
	addrs      []rtnl.Addr
	routes     []rtnl.Route
	forwarding map[string]string // sysctl key -> value
}

// natLive is nsnet's NAT table as seen: the canonical texts of its rules.
type natLive struct {
	rules map[string]bool
}

// A PlanResult is the list of steps up would take, in order. AppendJSON
// prints it as {"steps": [...]}.
type PlanResult struct {
	Steps []Step `json:"steps"`
}

// Counts returns how many steps create, change, are already there and conflict.
func (p *PlanResult) Counts() (create, change, exists, conflict int) {
	for _, s := range p.Steps {
		switch s.Action {
		case Create:
			create++
		case Change:
			change++
		case Exists:
			exists++
		case Conflict:
			conflict++
		}
	}
	return
}

// diff compares the topology with what was seen and returns the plan. It
// is pure: tests feed it hand-made live states.
func diff(t *Topology, lv *live) *PlanResult {
	p := &PlanResult{}
	add := func(s Step) *Step {
		s.index = len(p.Steps)
		p.Steps = append(p.Steps, s)
		return &p.Steps[len(p.Steps)-1]
	}
	v6 := t.HasIPv6()
	// Namespaces.
	for _, n := range t.Namespaces {
		s := Step{Kind: KindNetns, NS: n.Name, Object: n.Name,
			Commands: []string{"ip netns add " + n.Name, "ip -n " + n.Name + " link set lo up"}}
		nl := lv.ns[n.Name]
		switch {
		case nl == nil:
			s.Action = Create
		case nl.links["lo"] != nil && !nl.links["lo"].Up():
			s.Action, s.Detail, s.fix = Change, "set lo up", fixLoUp
			s.Commands = s.Commands[1:]
		default:
			s.Action = Exists
		}
		add(s)
	}
	// Bridges.
	for i := range t.Bridges {
		b := &t.Bridges[i]
		s := Step{Kind: KindBridge, Object: b.Name, br: b, mtu: b.MTU,
			Commands: []string{"ip link add " + b.Name + " type bridge", "ip link set " + b.Name + " up"}}
		if b.MTU != 0 {
			s.Commands = append(s.Commands, fmt.Sprintf("ip link set %s mtu %d", b.Name, b.MTU))
		}
		l := lv.host.links[b.Name]
		switch {
		case l == nil:
			s.Action = Create
		case l.Kind() != "bridge":
			s.Action = Conflict
			s.Detail = fmt.Sprintf("a %s link named %s is already on the host: delete it (nsnet link del %s) or rename the bridge in the file", kindWord(l), b.Name, b.Name)
		default:
			var what []string
			if !l.Up() {
				s.fix |= fixUp
				what = append(what, "set up")
			}
			if b.MTU != 0 && int(l.MTU) != b.MTU {
				s.fix |= fixMTU
				what = append(what, fmt.Sprintf("mtu %d -> %d", l.MTU, b.MTU))
			}
			s.Action, s.Detail = Exists, strings.Join(what, ", ")
			if s.fix != 0 {
				s.Action = Change
			}
		}
		add(s)
	}
	// Veth pairs.
	for i := range t.Veths {
		v := &t.Veths[i]
		add(vethStep(v, lv))
	}
	// Addresses, on namespace ends, bridges and host ends.
	addAddrs := func(ns, dev string, addrs []netip.Prefix, devCreated bool) {
		for _, pfx := range addrs {
			s := Step{Kind: KindAddr, NS: ns, Object: pfx.String() + " dev " + dev + inNS(ns), addr: pfx, dev: dev,
				Commands: []string{ipN(ns) + "addr add " + pfx.String() + " dev " + dev}}
			s.Action = Create
			if !devCreated && hasAddr(lv.get(ns), dev, pfx) {
				s.Action = Exists
			}
			add(s)
		}
	}
	for _, b := range t.Bridges {
		addAddrs("", b.Name, b.Addresses, lv.host.links[b.Name] == nil)
	}
	for i := range t.Veths {
		v := &t.Veths[i]
		rec := p.Steps[len(t.Namespaces)+len(t.Bridges)+i].Action == Create ||
			p.Steps[len(t.Namespaces)+len(t.Bridges)+i].fix&fixRecreate != 0
		for _, e := range []End{v.End, v.Peer} {
			addAddrs(e.Netns, e.Name, e.Addresses, rec || lv.get(e.Netns) == nil)
		}
	}
	// Routes, host first (they may be what namespaces route through).
	addRoutes := func(ns string, routes []Route) {
		for _, r := range routes {
			dst, gw := r.To, r.Via
			s := Step{Kind: KindRoute, NS: ns, Object: routeString(r) + inNS(ns), route: r, dst: dst, gw: gw, dev: r.Dev,
				Commands: []string{ipN(ns) + "route add " + routeString(r)}}
			s.Action = Create
			if nl := lv.get(ns); nl != nil {
				old, same := findRoute(nl, dst, r.Metric, gw, r.Dev)
				switch {
				case same:
					s.Action = Exists
				case old != nil:
					s.Action, s.fix, s.old = Change, fixReplace, old
					s.Detail = "replace " + describeRoute(nl, old)
					s.Commands = []string{ipN(ns) + "route replace " + routeString(r)}
				}
			}
			add(s)
		}
	}
	addRoutes("", t.Host.Routes)
	for _, n := range t.Namespaces {
		addRoutes(n.Name, n.Routes)
	}
	// Forwarding.
	fwdStep := func(ns string) {
		keys := forwardingKeys(v6)
		s := Step{Kind: KindForwarding, NS: ns, Object: "net.ipv4.ip_forward=1" + inNS(ns)}
		for _, k := range keys {
			s.Commands = append(s.Commands, ipNetnsExec(ns)+"sysctl -w "+k+"=1")
		}
		s.Action = Create
		if nl := lv.get(ns); nl != nil {
			s.Action = Exists
			for _, k := range keys {
				if nl.forwarding[k] != "1" {
					s.Action, s.fix = Change, fixForwarding
					s.Detail = k + " is " + nl.forwarding[k]
					break
				}
			}
		}
		add(s)
	}
	if t.Host.Forwarding {
		fwdStep("")
	}
	for _, n := range t.Namespaces {
		if n.Forwarding {
			fwdStep(n.Name)
		}
	}
	// NAT.
	for _, m := range t.NAT.Masquerade {
		s := Step{Kind: KindMasquerade, Object: strings.TrimPrefix(masqString(m), "masquerade "), masq: m,
			Commands: []string{"iptables -t nat -A POSTROUTING " + iptMasq(m)}}
		s.Action = Create
		if lv.nat.rules[natText(&s)] {
			s.Action = Exists
		}
		add(s)
	}
	for _, f := range t.NAT.Forward {
		s := Step{Kind: KindForward, Object: strings.TrimPrefix(fwdString(f), "forward "), fwd: f,
			Commands: []string{fmt.Sprintf("iptables -t nat -A PREROUTING -p %s --dport %d -j DNAT --to-destination %s", f.Proto, f.Port, f.To)}}
		s.Action = Create
		if lv.nat.rules[natText(&s)] {
			s.Action = Exists
		}
		add(s)
	}
	return p
}

func masqString(m firewall.Masquerade) string {
	s := "masquerade " + m.Src.String()
	if m.OutIface != "" {
		s += " oif " + m.OutIface
	}
	return s
}

func iptMasq(m firewall.Masquerade) string {
	s := "-s " + m.Src.String()
	if m.OutIface != "" {
		s += " -o " + m.OutIface
	}
	return s + " -j MASQUERADE"
}

func fwdString(f firewall.Forward) string {
	s := fmt.Sprintf("forward %s %d -> %s", f.Proto, f.Port, f.To)
	if f.InIface != "" {
		s += " iif " + f.InIface
	}
	return s
}

// forwardingKeys are the sysctls "forwarding" sets.
func forwardingKeys(v6 bool) []string {
	if v6 {
		return []string{"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"}
	}
	return []string{"net.ipv4.ip_forward"}
}

func (lv *live) get(ns string) *nsLive {
	if ns == "" {
		return lv.host
	}
	return lv.ns[ns]
}

func inNS(ns string) string {
	if ns == "" {
		return ""
	}
	return " in " + ns
}

func ipN(ns string) string {
	if ns == "" {
		return "ip "
	}
	return "ip -n " + ns + " "
}

func ipNetnsExec(ns string) string {
	if ns == "" {
		return ""
	}
	return "ip netns exec " + ns + " "
}

func kindWord(l *rtnl.Link) string {
	if k := l.Kind(); k != "" {
		return k
	}
	return "device"
}

// endString describes a veth end: "veth-red (red)", "veth-red-br (host, bridge v-net-0)".
func endString(e End) string {
	where := e.Netns
	if where == "" {
		where = "host"
	}
	if e.Bridge != "" {
		where += ", bridge " + e.Bridge
	}
	return e.Name + " (" + where + ")"
}

// vethStep decides what up does about one veth pair.
func vethStep(v *Veth, lv *live) Step {
	s := Step{Kind: KindVeth, Object: endString(v.End) + " <-> " + endString(v.Peer), veth: v}
	a, b := v.End, v.Peer
	switch {
	case a.Netns == "" && b.Netns != "":
		a, b = b, a // a is the namespace end when there is one
	}
	s.NS = a.Netns
	if a.Netns != "" && b.Netns == "" {
		s.owner = a.Netns
	}
	s.Commands = vethCommands(a, b)
	la, lb := lookEnd(lv, a), lookEnd(lv, b)
	for _, e := range []struct {
		l *rtnl.Link
		e End
	}{{la, a}, {lb, b}} {
		if e.l != nil && e.l.Kind() != "veth" {
			s.Action = Conflict
			s.Detail = fmt.Sprintf("a %s link named %s is already in %s: delete it (%slink del %s) or rename the veth end in the file", kindWord(e.l), e.e.Name, nsWord(e.e.Netns), nsnetN(e.e.Netns), e.e.Name)
			return s
		}
	}
	if lv.get(a.Netns) == nil || lv.get(b.Netns) == nil {
		// A namespace will be created, so an end that exists already
		// belongs to some other pair: not ours to delete.
		s.Action = Create
		for _, e := range []struct {
			l *rtnl.Link
			e End
		}{{la, a}, {lb, b}} {
			if e.l != nil {
				s.Action = Conflict
				s.Detail = fmt.Sprintf("a veth named %s is already in %s, paired with something this file does not describe: delete it (%slink del %s) or rename the veth end in the file", e.e.Name, nsWord(e.e.Netns), nsnetN(e.e.Netns), e.e.Name)
			}
		}
		return s
	}
	switch {
	case la == nil && lb == nil:
		s.Action = Create
		return s
	case la == nil || lb == nil || !peers(la, lb):
		s.Action, s.fix = Change, fixRecreate
		s.Detail = "recreate: the ends are not a pair as the file says"
		if la == nil {
			s.Detail = "recreate: " + endString(a) + " is missing"
		} else if lb == nil {
			s.Detail = "recreate: " + endString(b) + " is missing"
		}
		return s
	}
	var what []string
	if !lb.Up() {
		s.fix |= fixUp
		what = append(what, "set "+b.Name+" up")
	}
	if !la.Up() {
		s.fix |= fixPeerUp
		what = append(what, "set "+a.Name+" up")
	}
	if br := b.Bridge; br != "" {
		if bl := lv.host.links[br]; bl == nil || la == nil || lb.Master != uint32(bl.Index) {
			s.fix |= fixMaster
			what = append(what, "attach "+b.Name+" to "+br)
		}
	}
	s.Action, s.Detail = Exists, strings.Join(what, ", ")
	if s.fix != 0 {
		s.Action = Change
	}
	return s
}

func nsWord(ns string) string {
	if ns == "" {
		return "the host"
	}
	return "namespace " + ns
}

func nsnetN(ns string) string {
	if ns == "" {
		return "nsnet "
	}
	return "nsnet -n " + ns + " "
}

// vethCommands lists the iproute2 commands that build a veth pair; a is
// the namespace end when there is one.
func vethCommands(a, b End) []string {
	c := []string{"ip link add " + b.Name + " type veth peer name " + a.Name}
	if a.Netns != "" {
		c = append(c, "ip link set "+a.Name+" netns "+a.Netns)
	}
	if b.Netns != "" {
		c = append(c, "ip link set "+b.Name+" netns "+b.Netns)
	}
	if b.Bridge != "" {
		c = append(c, "ip link set "+b.Name+" master "+b.Bridge)
	}
	c = append(c, ipN(b.Netns)+"link set "+b.Name+" up", ipN(a.Netns)+"link set "+a.Name+" up")
	return c
}

func lookEnd(lv *live, e End) *rtnl.Link {
	nl := lv.get(e.Netns)
	if nl == nil {
		return nil
	}
	return nl.links[e.Name]
}

// peers reports whether two veth links point at each other (IFLA_LINK).
func peers(a, b *rtnl.Link) bool {
	return a.ParentIndex == b.Index && b.ParentIndex == a.Index
}

// hasAddr reports whether dev has exactly the address pfx.
func hasAddr(nl *nsLive, dev string, pfx netip.Prefix) bool {
	if nl == nil {
		return false
	}
	l := nl.links[dev]
	if l == nil {
		return false
	}
	for i := range nl.addrs {
		a := &nl.addrs[i]
		if a.Index == l.Index && a.Prefix() == pfx {
			return true
		}
	}
	return false
}

// findRoute looks for the file's route in the main table: same destination
// and metric. same says whether gateway and device match too; otherwise
// old is the route that has the place.
func findRoute(nl *nsLive, dst netip.Prefix, metric uint32, gw netip.Addr, dev string) (old *rtnl.Route, same bool) {
	for i := range nl.routes {
		r := &nl.routes[i]
		if r.Table != unix.RT_TABLE_MAIN || r.DstPrefix() != dst || r.Priority != routeMetric(metric, dst) {
			continue
		}
		if r.Type != unix.RTN_UNICAST {
			continue
		}
		okGW := r.Gateway == gw || (!gw.IsValid() && !r.Gateway.IsValid())
		okDev := true
		if dev != "" {
			l := nl.links[dev]
			okDev = l != nil && r.OutIndex == l.Index
		}
		return r, okGW && okDev
	}
	return nil, false
}

// routeMetric is the metric the kernel stores: IPv6 routes added with
// metric 0 get 1024 (IP6_RT_PRIO_USER).
func routeMetric(m uint32, dst netip.Prefix) uint32 {
	if m == 0 && dst.Addr().Is6() {
		return 1024
	}
	return m
}

func describeRoute(nl *nsLive, r *rtnl.Route) string {
	s := r.DstPrefix().String()
	if r.DstLen == 0 {
		s = "default"
	}
	if r.Gateway.IsValid() {
		s += " via " + r.Gateway.String()
	}
	for name, l := range nl.links {
		if l.Index == r.OutIndex {
			s += " dev " + name
		}
	}
	return s
}
