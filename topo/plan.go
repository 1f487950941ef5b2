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
	// InTheWay, for a Conflict step, is the object in the way, for the
	// CLI to say how to clear it.
	InTheWay *Obstacle `json:"-"`

	index int       // position in the plan; the fault-injection hook sees it
	op    operation // what up does about it (ops.go); nil for Exists (but a claim) and Conflict
}

// An Obstacle is the object in the way of a Conflict step: a link that
// the file names but that is not what the file says.
type Obstacle struct {
	NS   string // its namespace ("" = host)
	Name string // its name
	Role string // what the file calls it: "bridge", "veth end"
}

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

// natLive is nsnet's NAT table as seen: the canonical texts of its rules,
// and which owners' copies of them there are (firewall.NAT.AddAllFor).
type natLive struct {
	rules map[string]bool
	owned map[natClaim]bool
}

// A natClaim is one owner's copy of a rule.
type natClaim struct{ owner, text string }

// A PlanResult is the list of steps up would take, in order. AppendJSON
// prints it as {"steps": [...]}.
type PlanResult struct {
	Steps []Step `json:"steps"`
	// claims are the NAT rules that are already there, but not this
	// file's copy of them, which up writes (natOp.claim).
	claims []*natOp
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
// is pure: tests feed it hand-made live states. Each kind of object is
// planned by its own function, which builds the step and the operation
// (ops.go) that up applies for it; links are passed on as linkRefs, so
// that an operation learns the index of a link another one creates.
func diff(t *Topology, lv *live) *PlanResult {
	d := &differ{t: t, lv: lv, p: &PlanResult{}, v6: t.HasIPv6(), links: map[string]map[string]*linkRef{}}
	for _, n := range t.Namespaces {
		d.netns(n)
	}
	for i := range t.Bridges {
		d.bridge(&t.Bridges[i])
	}
	vops := make([]*vethOp, len(t.Veths))
	for i := range t.Veths {
		vops[i] = d.veth(&t.Veths[i])
	}
	// Addresses, on bridges, then namespace and host ends.
	for _, b := range t.Bridges {
		d.addrs("", b.Name, b.Addresses, lv.host.links[b.Name] == nil, true, false)
	}
	for i := range t.Veths {
		v := &t.Veths[i]
		fresh := vops[i] != nil && vops[i].create
		late := vops[i] != nil && vops[i].late()
		for _, e := range []End{v.End, v.Peer} {
			d.addrs(e.Netns, e.Name, e.Addresses, fresh || lv.get(e.Netns) == nil, false, late)
		}
	}
	// Routes, host first (they may be what namespaces route through).
	d.routes("", t.Host.Routes)
	for _, n := range t.Namespaces {
		d.routes(n.Name, n.Routes)
	}
	if t.Host.Forwarding {
		d.forwarding("")
	}
	for _, n := range t.Namespaces {
		if n.Forwarding {
			d.forwarding(n.Name)
		}
	}
	for _, m := range t.NAT.Masquerade {
		d.nat(m, strings.TrimPrefix(masqString(m), "masquerade "), "iptables -t nat -A POSTROUTING "+iptMasq(m))
	}
	for _, f := range t.NAT.Forward {
		d.nat(f, strings.TrimPrefix(fwdString(f), "forward "),
			fmt.Sprintf("iptables -t nat -A PREROUTING -p %s --dport %d -j DNAT --to-destination %s", f.Proto, f.Port, f.To))
	}
	return d.p
}

// differ is one diff in progress.
type differ struct {
	t     *Topology
	lv    *live
	p     *PlanResult
	v6    bool
	links map[string]map[string]*linkRef // per namespace, the links the file names, by name (diff's own index)
}

// add appends s to the plan with op (nil for Exists and Conflict), and
// returns op's position.
func (d *differ) add(s Step, op operation) at {
	s.index = len(d.p.Steps)
	if s.Action == Create || s.Action == Change {
		s.op = op
	}
	d.p.Steps = append(d.p.Steps, s)
	return at(s.index)
}

// next is the position the next step gets.
func (d *differ) next() at { return at(len(d.p.Steps)) }

// ref returns the ref of link name in ns, as observe saw it (made, if set,
// is the index the operation creating it learns).
func (d *differ) ref(ns, name string, made *int32) *linkRef {
	m := d.links[ns]
	if m == nil {
		m = map[string]*linkRef{}
		d.links[ns] = m
	}
	if r := m[name]; r != nil {
		if made != nil {
			r.made = made
		}
		return r
	}
	r := &linkRef{ns: ns, name: name, made: made}
	if nl := d.lv.get(ns); nl != nil && nl.links[name] != nil {
		r.seen = nl.links[name].Index
	}
	m[name] = r
	return r
}

func (d *differ) netns(n Namespace) {
	s := Step{Kind: KindNetns, NS: n.Name, Object: n.Name,
		Commands: []string{"ip netns add " + n.Name, "ip -n " + n.Name + " link set lo up"}}
	nl := d.lv.ns[n.Name]
	op := &netnsOp{at: d.next(), name: n.Name}
	switch {
	case nl == nil:
		s.Action, op.create = Create, true
	case nl.links["lo"] != nil && !nl.links["lo"].Up():
		s.Action, s.Detail = Change, "set lo up"
		s.Commands = s.Commands[1:]
	default:
		s.Action = Exists
	}
	d.add(s, op)
}

func (d *differ) bridge(b *Bridge) {
	s := Step{Kind: KindBridge, Object: b.Name,
		Commands: []string{"ip link add " + b.Name + " type bridge", "ip link set " + b.Name + " up"}}
	if b.MTU != 0 {
		s.Commands = append(s.Commands, fmt.Sprintf("ip link set %s mtu %d", b.Name, b.MTU))
	}
	op := &bridgeOp{at: d.next(), br: b, noIPv6: !d.v6}
	l := d.lv.host.links[b.Name]
	switch {
	case l == nil:
		s.Action, op.create = Create, true
	case l.Kind() != "bridge":
		s.Action = Conflict
		s.Detail = fmt.Sprintf("a %s link named %s is already on the host", kindWord(l), b.Name)
		s.InTheWay = &Obstacle{Name: b.Name, Role: "bridge"}
	default:
		op.seen = l.Index
		var what []string
		if !l.Up() {
			op.up = true
			what = append(what, "set up")
		}
		if b.MTU != 0 && int(l.MTU) != b.MTU {
			op.mtu = true
			what = append(what, fmt.Sprintf("mtu %d -> %d", l.MTU, b.MTU))
		}
		s.Action, s.Detail = Exists, strings.Join(what, ", ")
		if op.up || op.mtu {
			s.Action = Change
		}
	}
	d.ref("", b.Name, &op.index)
	d.add(s, op)
}

// veth plans one veth pair and returns its operation.
func (d *differ) veth(v *Veth) *vethOp {
	s, op := vethPlan(v, d.lv)
	op.at = d.next()
	op.noIPv6 = !d.v6
	if op.b.Bridge != "" {
		op.bridge = d.ref("", op.b.Bridge, nil)
	}
	d.ref(op.a.Netns, op.a.Name, &op.pair.PeerIndex)
	d.ref(op.b.Netns, op.b.Name, &op.pair.Index)
	d.add(s, op)
	return op
}

// addrs plans the addresses of dev in ns; fresh says the device is
// created by this run (so none of them is there yet).
func (d *differ) addrs(ns, dev string, addrs []netip.Prefix, fresh, onBridge, late bool) {
	for _, pfx := range addrs {
		s := Step{Kind: KindAddr, NS: ns, Object: pfx.String() + " dev " + dev + inNS(ns),
			Commands: []string{ipN(ns) + "addr add " + pfx.String() + " dev " + dev}}
		s.Action = Create
		if !fresh && hasAddr(d.lv.get(ns), dev, pfx) {
			s.Action = Exists
		}
		d.add(s, &addrOp{at: d.next(), ns: ns, dev: d.ref(ns, dev, nil), pfx: pfx, onBridge: onBridge, late: late})
	}
}

func (d *differ) routes(ns string, routes []Route) {
	for _, r := range routes {
		s := Step{Kind: KindRoute, NS: ns, Object: routeString(r) + inNS(ns),
			Commands: []string{ipN(ns) + "route add " + routeString(r)}}
		op := &routeOp{at: d.next(), ns: ns, r: r}
		if r.Dev != "" {
			op.dev = d.ref(ns, r.Dev, nil)
		}
		s.Action = Create
		if nl := d.lv.get(ns); nl != nil {
			old, same := findRoute(nl, r.To, r.Metric, r.Via, r.Dev)
			switch {
			case same:
				s.Action = Exists
			case old != nil:
				s.Action, op.old = Change, old
				s.Detail = "replace " + describeRoute(nl, old)
				s.Commands = []string{ipN(ns) + "route replace " + routeString(r)}
			}
		}
		d.add(s, op)
	}
}

func (d *differ) forwarding(ns string) {
	keys := forwardingKeys(d.v6)
	s := Step{Kind: KindForwarding, NS: ns, Object: "net.ipv4.ip_forward=1" + inNS(ns)}
	for _, k := range keys {
		s.Commands = append(s.Commands, ipNetnsExec(ns)+"sysctl -w "+k+"=1")
	}
	s.Action = Create
	if nl := d.lv.get(ns); nl != nil {
		s.Action = Exists
		for _, k := range keys {
			if nl.forwarding[k] != "1" {
				s.Action = Change
				s.Detail = k + " is " + nl.forwarding[k]
				break
			}
		}
	}
	d.add(s, &forwardingOp{at: d.next(), ns: ns, keys: keys})
}

func (d *differ) nat(rule firewall.NATRule, obj, command string) {
	kind := KindMasquerade
	if _, ok := rule.(firewall.Forward); ok {
		kind = KindForward
	}
	s := Step{Kind: kind, Object: obj, Commands: []string{command}}
	s.Action = Create
	// A rule another file's copy has is "already there", whoever made it
	// (issue 9 M6); up still writes this file's copy, its claim, so that
	// the other's down or rollback leaves the rule (natOwner).
	op := &natOp{at: d.next(), rule: rule, owner: natOwner(d.t)}
	if d.lv.nat.rules[rule.String()] {
		s.Action = Exists
		op.claim = !d.lv.nat.owned[natClaim{firewall.OwnerTag(op.owner), rule.String()}]
	}
	if op.claim {
		d.p.claims = append(d.p.claims, op)
	}
	d.add(s, op)
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

// vethStep decides what up does about one veth pair. A pair that is there
// as the file says is "already there" (or needs a change); anything else
// with its names, a veth paired with something this file does not
// describe included, is a conflict: up never deletes an interface it did
// not create (issue 9 M7).
func vethStep(v *Veth, lv *live) Step {
	s, _ := vethPlan(v, lv)
	return s
}

// vethPlan is vethStep with the operation that carries the plan out.
func vethPlan(v *Veth, lv *live) (Step, *vethOp) {
	s := Step{Kind: KindVeth, Object: endString(v.End) + " <-> " + endString(v.Peer)}
	a, b := v.End, v.Peer
	switch {
	case a.Netns == "" && b.Netns != "":
		a, b = b, a // a is the namespace end when there is one
	}
	op := &vethOp{v: v, a: a, b: b}
	s.NS = a.Netns
	if a.Netns != "" && b.Netns == "" {
		op.owner = a.Netns
	}
	s.Commands = vethCommands(a, b)
	la, lb := lookEnd(lv, a), lookEnd(lv, b)
	for _, e := range []struct {
		l *rtnl.Link
		e End
	}{{la, a}, {lb, b}} {
		if e.l != nil && e.l.Kind() != "veth" {
			s.Action = Conflict
			s.Detail = fmt.Sprintf("a %s link named %s is already in %s", kindWord(e.l), e.e.Name, nsWord(e.e.Netns))
			s.InTheWay = &Obstacle{NS: e.e.Netns, Name: e.e.Name, Role: "veth end"}
			return s, op
		}
	}
	if la == nil && lb == nil {
		s.Action, op.create = Create, true
		return s, op
	}
	if la == nil || lb == nil || !peers(la, lb) {
		// One end is there, or both but not as one pair: they belong to
		// some other pair, which is not ours to delete.
		for _, e := range []struct {
			l *rtnl.Link
			e End
		}{{la, a}, {lb, b}} {
			if e.l != nil {
				s.Action = Conflict
				s.Detail = fmt.Sprintf("a veth named %s is already in %s, paired with something this file does not describe", e.e.Name, nsWord(e.e.Netns))
				s.InTheWay = &Obstacle{NS: e.e.Netns, Name: e.e.Name, Role: "veth end"}
				return s, op
			}
		}
	}
	op.seenA, op.seenB = la.Index, lb.Index
	var what []string
	if !lb.Up() {
		op.upB = true
		what = append(what, "set "+b.Name+" up")
	}
	if !la.Up() {
		op.upA = true
		what = append(what, "set "+a.Name+" up")
	}
	if br := b.Bridge; br != "" {
		if bl := lv.host.links[br]; bl == nil || lb.Master != uint32(bl.Index) {
			op.attach = true
			what = append(what, "attach "+b.Name+" to "+br)
		}
	}
	s.Action, s.Detail = Exists, strings.Join(what, ", ")
	if op.upA || op.upB || op.attach {
		s.Action = Change
	}
	return s, op
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
