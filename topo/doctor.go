package topo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/internal/sorting"
	"github.com/nsnet/nsnet/nft"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// Checks of the seed's troubleshooting list, in its order.
const (
	CheckNetns      = "namespace exists"
	CheckVeth       = "veth created"
	CheckPlacement  = "veth end in its namespace"
	CheckUp         = "interface up"
	CheckAddr       = "address assigned"
	CheckBridge     = "bridge up"
	CheckRoute      = "route present"
	CheckGateway    = "gateway on a connected subnet, answering ARP and ping"
	CheckForwarding = "IP forwarding enabled"
	CheckNAT        = "NAT rule present"
	CheckOverlap    = "no overlapping CIDRs"
	CheckFirewall   = "no other firewall dropping this traffic"
	// CheckNeighbours is about the kernel, not the topology: whether the
	// neighbour table, shared by every namespace, can hold the entries
	// of traffic to all the topology's hosts at once. Never a failure.
	CheckNeighbours = "kernel neighbour table large enough"
)

// Item statuses.
const (
	Pass = "pass"
	Fail = "fail"
	Skip = "skip" // not checked: something it depends on failed
	// Warn: the topology is right, but something outside it (a kernel
	// limit) will bite; OK still holds.
	Warn = "warn"
)

// An Item is one checked object. The json tags are the names AppendJSON
// prints it with; a test holds AppendJSON to encoding/json.
type Item struct {
	Check  string `json:"check"`
	Object string `json:"object"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Fix is the exact command that fixes a failed item.
	Fix string `json:"fix,omitempty"`
}

// A Report is doctor's answer.
type Report struct {
	Items []Item
}

// OK reports whether every item passed (or passed with a warning).
func (r *Report) OK() bool {
	for _, it := range r.Items {
		if it.Status != Pass && it.Status != Warn {
			return false
		}
	}
	return true
}

// Failed returns the items that failed.
func (r *Report) Failed() []Item {
	var out []Item
	for _, it := range r.Items {
		if it.Status == Fail {
			out = append(out, it)
		}
	}
	return out
}

// doctor is one Doctor run.
type doctor struct {
	t    *Topology
	file string // for "nsnet up FILE" fixes; "" when t was discovered
	s    *sys
	lv   *live
	rep  Report
	// broken marks objects whose own check failed, so that what depends
	// on them is skipped instead of failing too: "ns|name".
	broken map[string]bool
	// hostBlocked: another table drops the host's own input or output.
	hostBlocked bool
	// peerEnd maps "ns|dev" of a veth end to its other end.
	peerEnd map[string]End
	ops     probeOps
	jobs    []*gwJob // gateways to probe, once the routes are checked
}

func (d *doctor) add(check, obj, status, detail, fix string) {
	d.rep.Items = append(d.rep.Items, Item{Check: check, Object: obj, Status: status, Detail: detail, Fix: fix})
}

// upFix is the fix for what only a full up restores.
func (d *doctor) upFix() string {
	if d.file == "" {
		return "nsnet up FILE (with the topology file that describes this network)"
	}
	return "nsnet up " + d.file
}

// Doctor runs the seed's troubleshooting checklist against the live
// system for topology t: namespaces, veths and where their ends are,
// interfaces up, addresses, bridges up, routes, gateways (on a connected
// subnet and answering ARP), IP forwarding where routing needs it, NAT
// rules, overlapping CIDRs, and base chains of other nftables tables that
// drop by policy. Each failed item carries the exact command that fixes
// it. file is the topology's path, used in fixes that need `nsnet up
// FILE`; pass "" for a topology from Discover.
//
// Gateways are probed from inside the namespaces that route through them
// (a ping, and when it fails up to three ARP requests), at most 32 at a
// time and fewer when the kernel's neighbour table has little room; the
// neighbour entries a probe creates, in that namespace and in the
// gateway's, are deleted when it is done (entries that were there before
// are left alone), so doctor leaves the tables as it found them. Where
// conntrack is active in a namespace, a ping leaves its conntrack entry,
// which the kernel expires after 30 s.
func Doctor(ctx context.Context, t *Topology, file string) (*Report, error) {
	s, err := openSys()
	if err != nil {
		return nil, err
	}
	defer s.close()
	return doctorWith(ctx, t, file, s, kernelProbes{host: s.host})
}

// doctorWith is Doctor with the probes made through ops.
func doctorWith(ctx context.Context, t *Topology, file string, s *sys, ops probeOps) (*Report, error) {
	lv, err := observe(ctx, t, s, defaultWorkers)
	if err != nil {
		return nil, err
	}
	d := &doctor{t: t, file: file, s: s, lv: lv, broken: map[string]bool{}, ops: ops, peerEnd: map[string]End{}}
	for _, v := range t.Veths {
		d.peerEnd[v.Netns+"|"+v.Name] = v.Peer
		d.peerEnd[v.Peer.Netns+"|"+v.Peer.Name] = v.End
	}
	d.namespaces()
	d.veths()
	d.bridges()
	d.addresses()
	// The firewall is looked at first, listed last (the seed's order): a
	// chain that drops the host's own traffic makes gateways look dead,
	// and the gateway items then point at it instead of failing too.
	fw, err := d.firewall()
	if err != nil {
		return nil, err
	}
	d.routes()
	d.probeGateways(ctx)
	d.neighbours()
	d.forwarding()
	d.nat()
	if err := d.overlaps(); err != nil {
		return nil, err
	}
	d.rep.Items = append(d.rep.Items, fw...)
	return &d.rep, nil
}

func (d *doctor) namespaces() {
	for _, n := range d.t.Namespaces {
		nl := d.lv.ns[n.Name]
		switch {
		case nl == nil:
			d.add(CheckNetns, n.Name, Fail, "there is no namespace "+n.Name+" under /run/netns", d.upFix())
			d.broken[n.Name+"|"] = true
		default:
			d.add(CheckNetns, n.Name, Pass, "", "")
			if lo := nl.links["lo"]; lo != nil && !lo.Up() {
				d.add(CheckUp, "lo in "+n.Name, Fail, "loopback is down", "nsnet -n "+n.Name+" link set lo up")
			} else {
				d.add(CheckUp, "lo in "+n.Name, Pass, "", "")
			}
		}
	}
}

func (d *doctor) veths() {
	for i := range d.t.Veths {
		v := &d.t.Veths[i]
		st := vethStep(v, d.lv)
		obj := st.Object
		a, b := v.End, v.Peer
		if a.Netns == "" && b.Netns != "" {
			a, b = b, a
		}
		if d.broken[a.Netns+"|"] || d.broken[b.Netns+"|"] {
			d.add(CheckVeth, obj, Skip, "its namespace is missing", "")
			d.broken[a.Netns+"|"+a.Name], d.broken[b.Netns+"|"+b.Name] = true, true
			continue
		}
		la, lb := lookEnd(d.lv, a), lookEnd(d.lv, b)
		switch {
		case lb == nil && la == nil:
			d.add(CheckVeth, obj, Fail, "neither end exists", d.upFix())
			d.add(CheckPlacement, obj, Skip, "the veth is missing", "")
			d.broken[a.Netns+"|"+a.Name], d.broken[b.Netns+"|"+b.Name] = true, true
			continue
		case la == nil || lb == nil || !peers(la, lb):
			d.add(CheckVeth, obj, Pass, "", "")
			detail, fix := d.placement(a, b, la, lb)
			d.add(CheckPlacement, obj, Fail, detail, fix)
			d.broken[a.Netns+"|"+a.Name], d.broken[b.Netns+"|"+b.Name] = true, true
			continue
		}
		d.add(CheckVeth, obj, Pass, "", "")
		d.add(CheckPlacement, obj, Pass, "", "")
		for _, e := range []struct {
			e End
			l *rtnl.Link
		}{{a, la}, {b, lb}} {
			o := e.e.Name + inNS(e.e.Netns)
			if !e.l.Up() {
				d.add(CheckUp, o, Fail, e.e.Name+" is down", nsnetN(e.e.Netns)+"link set "+e.e.Name+" up")
				d.broken[e.e.Netns+"|"+e.e.Name] = true
			} else {
				d.add(CheckUp, o, Pass, "", "")
			}
		}
	}
}

// placement explains where the ends of a pair are, and how to fix it.
func (d *doctor) placement(a, b End, la, lb *rtnl.Link) (string, string) {
	if la == nil && a.Netns != "" {
		// Moved out of its namespace, to the host?
		if hl, err := d.s.host.c.LinkByName(a.Name); err == nil && hl.Kind() == "veth" {
			return fmt.Sprintf("%s is on the host, not in %s", a.Name, a.Netns),
				"nsnet link set " + a.Name + " netns " + a.Netns
		}
		return fmt.Sprintf("%s is not in %s", a.Name, a.Netns), d.upFix()
	}
	if lb == nil {
		return fmt.Sprintf("%s is not in %s", b.Name, nsWord(b.Netns)), d.upFix()
	}
	return fmt.Sprintf("%s and %s exist but are not a pair", a.Name, b.Name), d.upFix()
}

func (d *doctor) bridges() {
	for _, b := range d.t.Bridges {
		l := d.lv.host.links[b.Name]
		switch {
		case l == nil:
			d.add(CheckBridge, b.Name, Fail, "there is no bridge "+b.Name, d.upFix())
			d.broken["|"+b.Name] = true
		case l.Kind() != "bridge":
			d.add(CheckBridge, b.Name, Fail, b.Name+" is a "+kindWord(l)+", not a bridge", "nsnet link del "+b.Name+" && "+d.upFix())
			d.broken["|"+b.Name] = true
		case !l.Up():
			d.add(CheckBridge, b.Name, Fail, b.Name+" is down", "nsnet link set "+b.Name+" up")
			d.broken["|"+b.Name] = true
		default:
			d.add(CheckBridge, b.Name, Pass, "", "")
		}
	}
}

func (d *doctor) addresses() {
	check := func(ns, dev string, addrs []netip.Prefix) {
		for _, p := range addrs {
			obj := p.String() + " dev " + dev + inNS(ns)
			nl := d.lv.get(ns)
			switch {
			case nl == nil || nl.links[dev] == nil || d.broken[ns+"|"+dev] && !d.brokenUp(ns, dev):
				d.add(CheckAddr, obj, Skip, dev+" is missing", "")
			case hasAddr(nl, dev, p):
				d.add(CheckAddr, obj, Pass, "", "")
			default:
				d.add(CheckAddr, obj, Fail, dev+" does not have "+p.String(), nsnetN(ns)+"addr add "+p.String()+" dev "+dev)
				d.broken[ns+"|addr|"+dev] = true
			}
		}
	}
	for _, b := range d.t.Bridges {
		check("", b.Name, b.Addresses)
	}
	for _, v := range d.t.Veths {
		for _, e := range []End{v.End, v.Peer} {
			check(e.Netns, e.Name, e.Addresses)
		}
	}
}

// brokenUp reports whether dev is only broken by being down (it exists).
func (d *doctor) brokenUp(ns, dev string) bool {
	nl := d.lv.get(ns)
	return nl != nil && nl.links[dev] != nil && !nl.links[dev].Up()
}

// connected returns the live interface of ns whose subnet holds ip, and
// that subnet's address; the first by name when subnets overlap, so that
// every run picks the same.
func (d *doctor) connected(ns string, ip netip.Addr) (string, netip.Prefix) {
	nl := d.lv.get(ns)
	if nl == nil {
		return "", netip.Prefix{}
	}
	for _, name := range slices.Sorted(maps.Keys(nl.links)) {
		l := nl.links[name]
		for _, a := range nl.addrs {
			if a.Index == l.Index && a.Prefix().Masked().Contains(ip) {
				return name, a.Prefix()
			}
		}
	}
	return "", netip.Prefix{}
}

func (d *doctor) routes() {
	check := func(ns string, routes []Route) {
		nl := d.lv.get(ns)
		for _, r := range routes {
			obj := routeString(r) + inNS(ns)
			dst, gw := r.To, r.Via
			if nl == nil {
				d.add(CheckRoute, obj, Skip, "the namespace is missing", "")
				continue
			}
			dev := r.Dev
			if dev == "" && gw.IsValid() {
				dev, _ = d.connected(ns, gw)
			}
			// A route goes when its device goes down or loses its
			// address: then the device's own item is the one to fix.
			if dev == "" || d.broken[ns+"|"+dev] || d.broken[ns+"|addr|"+dev] {
				if dev == "" && !d.anyBroken(ns) && gw.IsValid() {
					d.add(CheckRoute, obj, Skip, "", "")
					d.add(CheckGateway, obj, Fail, fmt.Sprintf("gateway %s is not on any subnet %s is connected to", gw, whereWord(ns)),
						d.upFix())
					continue
				}
				d.add(CheckRoute, obj, Skip, "the interface that reaches the gateway is not ready (see above)", "")
				continue
			}
			if _, same := findRoute(nl, dst, r.Metric, gw, r.Dev); same {
				d.add(CheckRoute, obj, Pass, "", "")
			} else {
				d.add(CheckRoute, obj, Fail, "the main table has no "+obj, nsnetN(ns)+"route add "+routeString(r))
			}
			if !gw.IsValid() {
				continue
			}
			d.gatewayJob(ns, obj, gw, dev)
		}
	}
	check("", d.t.Host.Routes)
	for _, n := range d.t.Namespaces {
		check(n.Name, n.Routes)
	}
}

func (d *doctor) anyBroken(ns string) bool {
	for k := range d.broken {
		if strings.HasPrefix(k, ns+"|") {
			return true
		}
	}
	return false
}

func whereWord(ns string) string {
	if ns == "" {
		return "the host"
	}
	return ns
}

// ownerOf returns the interface of the file that has address ip (a
// bridge as an End on the host).
func (d *doctor) ownerOf(ip netip.Addr) (End, bool) {
	for _, b := range d.t.Bridges {
		for _, p := range b.Addresses {
			if p.Addr() == ip {
				return End{Name: b.Name}, true
			}
		}
	}
	for _, e := range d.t.ends() {
		for _, p := range e.End.Addresses {
			if p.Addr() == ip {
				return *e.End, true
			}
		}
	}
	return End{}, false
}

// routingNeeded reports whether traffic is routed through the host: the
// file asks for forwarding, has NAT, or a namespace routes through a host
// address to a subnet it is not on.
func (d *doctor) routingNeeded() bool {
	if d.t.Host.Forwarding || len(d.t.NAT.Masquerade) > 0 || len(d.t.NAT.Forward) > 0 {
		return true
	}
	host := map[netip.Addr]bool{}
	for _, b := range d.t.Bridges {
		for _, p := range b.Addresses {
			host[p.Addr()] = true
		}
	}
	for _, e := range d.t.ends() {
		if e.End.Netns == "" {
			for _, p := range e.End.Addresses {
				host[p.Addr()] = true
			}
		}
	}
	for _, n := range d.t.Namespaces {
		for _, r := range n.Routes {
			if r.Via.IsValid() && host[r.Via] {
				return true
			}
		}
	}
	return false
}

func (d *doctor) forwarding() {
	check := func(ns string) {
		obj := "net.ipv4.ip_forward" + inNS(ns)
		h := d.s.get(ns)
		if h == nil {
			d.add(CheckForwarding, obj, Skip, "the namespace is missing", "")
			return
		}
		v, err := h.sysctlGet("net.ipv4.ip_forward")
		switch {
		case err != nil:
			d.add(CheckForwarding, obj, Fail, "could not read it ("+err.Error()+"): the system refused, not a fault of the topology", "")
		case v == "1":
			d.add(CheckForwarding, obj, Pass, "", "")
		default:
			d.add(CheckForwarding, obj, Fail, "routing between segments needs it, and it is "+v, nsnetN(ns)+"forward on")
		}
	}
	if d.routingNeeded() {
		check("")
	}
	for _, n := range d.t.Namespaces {
		if n.Forwarding {
			check(n.Name)
		}
	}
}

func (d *doctor) nat() {
	for _, r := range natRules(d.t) {
		d.natItem(r.String(), "nsnet nat "+r.String())
	}
}

func (d *doctor) natItem(text, fix string) {
	if d.lv.nat.rules[text] {
		d.add(CheckNAT, text, Pass, "", "")
	} else {
		d.add(CheckNAT, text, Fail, "table inet nsnet has no rule "+text, fix)
	}
}

// overlaps compares every live subnet of the file's interfaces and of the
// host's other interfaces: two overlapping subnets on different segments
// break routing to one of them.
func (d *doctor) overlaps() error {
	type sub struct {
		p        netip.Prefix
		ns, dev  string
		seg      string
		declared bool
	}
	var subs []sub
	declared := map[string]bool{} // "ns|dev|prefix"
	for _, b := range d.t.Bridges {
		for _, a := range b.Addresses {
			declared["|"+b.Name+"|"+a.String()] = true
		}
	}
	for _, e := range d.t.ends() {
		for _, a := range e.End.Addresses {
			declared[e.End.Netns+"|"+e.End.Name+"|"+a.String()] = true
		}
	}
	segOf := func(ns, dev string) string {
		for _, v := range d.t.Veths {
			for _, e := range []End{v.End, v.Peer} {
				if e.Netns == ns && e.Name == dev {
					switch {
					case v.Bridge != "":
						return "bridge " + v.Bridge
					case v.Peer.Bridge != "":
						return "bridge " + v.Peer.Bridge
					}
					return "veth " + v.Name + "/" + v.Peer.Name
				}
			}
		}
		if ns == "" && d.t.bridge(dev) != nil {
			return "bridge " + dev
		}
		return ns + "|" + dev
	}
	host, err := hostAddrs(d.s.host.c)
	if err != nil {
		return err
	}
	for p, dev := range host {
		subs = append(subs, sub{p, "", dev, segOf("", dev), declared["|"+dev+"|"+p.String()]})
	}
	for _, n := range d.t.Namespaces {
		nl := d.lv.ns[n.Name]
		if nl == nil {
			continue
		}
		for name, l := range nl.links {
			for _, a := range nl.addrs {
				if a.Index != l.Index || name == "lo" || a.Prefix().Addr().IsLinkLocalUnicast() {
					continue
				}
				subs = append(subs, sub{a.Prefix(), n.Name, name, segOf(n.Name, name), declared[n.Name+"|"+name+"|"+a.Prefix().String()]})
			}
		}
	}
	// The host's addresses and a namespace's links come from maps: sort,
	// so that the items and the order of their words do not change from
	// one run to the next.
	sorting.Func(subs, func(a, b sub) int {
		return cmp.Or(cmp.Compare(a.ns, b.ns), cmp.Compare(a.dev, b.dev),
			a.p.Addr().Compare(b.p.Addr()), cmp.Compare(a.p.Bits(), b.p.Bits()))
	})
	found := false
	for i := range subs {
		for j := 0; j < i; j++ {
			a, b := subs[i], subs[j]
			if a.seg == b.seg || !a.p.Masked().Overlaps(b.p.Masked()) {
				continue
			}
			if !a.declared && b.declared {
				a, b = b, a
			}
			found = true
			obj := fmt.Sprintf("%s on %s%s and %s on %s%s", a.p, a.dev, inNS(a.ns), b.p, b.dev, inNS(b.ns))
			fix := "change one of the subnets in the topology file, then nsnet down FILE && nsnet up FILE"
			if !b.declared {
				fix = nsnetN(b.ns) + "addr del " + b.p.String() + " dev " + b.dev
			}
			d.add(CheckOverlap, obj, Fail, fmt.Sprintf("%s and %s overlap on different segments", a.p.Masked(), b.p.Masked()), fix)
		}
	}
	if !found {
		d.add(CheckOverlap, "all subnets", Pass, "", "")
	}
	return nil
}

// firewall looks for base chains of other nftables tables (iptables-nft
// included) that drop by policy, or by a rule that drops everything,
// where this topology's traffic passes. It returns the items, and notes
// in d.hostBlocked whether the host's own input or output is dropped.
func (d *doctor) firewall() ([]Item, error) {
	c, err := dialNFT(d.s.host)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	bs, err := dropChains(c, d.routingNeeded())
	if err != nil {
		return nil, err
	}
	var items []Item
	for _, b := range bs {
		d.hostBlocked = d.hostBlocked || b.hook != nft.HookForward
		items = append(items, Item{Check: CheckFirewall, Object: b.what, Status: Fail,
			Detail: b.how + "; nsnet never changes other tables", Fix: b.fix})
	}
	if len(items) == 0 {
		items = append(items, Item{Check: CheckFirewall, Object: "all nftables tables", Status: Pass})
	}
	return items, nil
}

// A blocker is a base chain of another table that drops traffic: by
// policy, or by a rule that drops every packet.
type blocker struct {
	what string // "chain ip filter forward", "rule inet fw out handle 2"
	how  string // what it does, in words
	fix  string // the nft command that stops it
	hook nft.Hook
}

// dropChains lists the blockers of the namespace c speaks to on the input
// and output hooks, and on forward when routing says it matters. nsnet's
// own table is not one.
func dropChains(c *nft.Conn, routing bool) ([]blocker, error) {
	chains, err := c.BaseChains()
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return nil, err
	}
	relevant := func(ch nft.Chain) bool {
		if ch.Table == firewall.NATTable && ch.Family == nft.FamilyINet || ch.Hook == nil {
			return false
		}
		hook := ch.Hook.Num
		return hook == nft.HookInput || hook == nft.HookOutput || hook == nft.HookForward && routing
	}
	var out []blocker
	for _, ch := range chains {
		if !relevant(ch) || ch.Policy == nil || *ch.Policy != nft.PolicyDrop {
			continue
		}
		out = append(out, blocker{what: "chain " + ch.String(), hook: ch.Hook.Num,
			how: fmt.Sprintf("base chain %s drops by policy every packet no rule accepts", ch.String()),
			fix: fmt.Sprintf("nft chain %s %s %s '{ policy accept; }'", ch.Family, ch.Table, ch.Name)})
	}
	for _, ch := range chains {
		if !relevant(ch) {
			continue
		}
		rules, err := c.Rules(ch.Family, ch.Table, ch.Name)
		if errors.Is(err, unix.ENOENT) {
			continue // vanished meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("list chain %s: %w", ch.String(), err)
		}
		for _, r := range rules {
			if !dropsAll(r) {
				continue
			}
			out = append(out, blocker{what: fmt.Sprintf("rule %s handle %d", ch.String(), r.Handle), hook: ch.Hook.Num,
				how: fmt.Sprintf("chain %s has a rule that drops every packet", ch.String()),
				fix: fmt.Sprintf("nft delete rule %s %s %s handle %d", ch.Family, ch.Table, ch.Name, r.Handle)})
		}
	}
	return out, nil
}

// dropsAll reports whether a rule matches every packet and drops it: its
// expressions are counters and a drop verdict, nothing that selects.
func dropsAll(r nft.Rule) bool {
	drop := false
	for _, x := range r.Exprs {
		switch e := x.(type) {
		case *nft.Counter:
		case *nft.Immediate:
			if e.Verdict == nil || e.Verdict.Code != int32(nft.PolicyDrop) {
				return false
			}
			drop = true
		default:
			return false
		}
	}
	return drop
}
