package topo

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/internal/ifname"
	"github.com/nsnet/nsnet/internal/sorting"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
)

// ErrInvalid is wrapped by every error that Parse, Load and Validate return
// for a topology that cannot be applied. Nothing has been changed then;
// the CLI exits 2.
var ErrInvalid = errors.New("invalid topology")

// A Problem is one reason a topology is invalid.
type Problem struct {
	Line int    // line in the file of the object concerned (0 if unknown)
	Path string // JSON path of the object: "namespaces[1].routes[0]"
	Msg  string // names the object and says what to change
}

// An InvalidError lists every problem Validate found.
type InvalidError struct {
	Source   string
	Problems []Problem
}

// Error lists the problems one a line, each prefixed with the source and
// the line of its object when known.
func (e *InvalidError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch {
		case e.Source != "" && p.Line > 0:
			fmt.Fprintf(&b, "%s:%d: ", e.Source, p.Line)
		case e.Source != "":
			fmt.Fprintf(&b, "%s: ", e.Source)
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// checker accumulates problems.
type checker struct {
	t        *Topology
	problems []Problem
}

// add records a problem at path; its line comes later (placeLines). It
// is called from some forty places, and inlined it cost the binary 12 KB.
//
//go:noinline
func (c *checker) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// placeLines gives each problem the line in data of its path, or of the
// nearest enclosing path the file has ("veths[0].mtu" missing from the
// file: the line of veths[0]).
func (c *checker) placeLines(data []byte) {
	want := map[string]bool{}
	for _, pr := range c.problems {
		for p := pr.Path; !want[p]; {
			want[p] = true
			i := strings.LastIndexAny(p, ".[")
			if i < 0 {
				want[""] = true
				break
			}
			p = p[:i]
		}
	}
	lines := fileLines(data, want)
	for i := range c.problems {
		for p := c.problems[i].Path; ; {
			if l, ok := lines[p]; ok {
				c.problems[i].Line = l
				break
			}
			j := strings.LastIndexAny(p, ".[")
			if j < 0 {
				break
			}
			p = p[:j]
		}
	}
}

// Validate checks everything that can be checked without the live system:
// names the kernel would refuse, duplicates, malformed addresses and
// prefixes, overlapping subnets on different segments, gateways that are
// not on a connected subnet, forwards to addresses no namespace has, ports
// forwarded twice, references to undeclared namespaces and bridges. It
// returns an *InvalidError listing every problem, or nil. Parse and Load
// validate with the file at hand and give each problem its line; this
// Validate, of a topology already parsed or built in code, gives none.
func (t *Topology) Validate() error { return t.validate(nil) }

// validate is Validate; with the file's data, the problems get lines.
func (t *Topology) validate(data []byte) error {
	c := &checker{t: t}
	m := c.model()
	c.overlaps(m)
	c.routes(m)
	c.nat(m)
	if len(c.problems) == 0 {
		return nil
	}
	if data != nil {
		c.placeLines(data)
	}
	return &InvalidError{Source: t.source, Problems: c.problems}
}

// An iface is an interface the file declares, with its parsed addresses.
type iface struct {
	NS      string // "" = host
	Name    string
	Addrs   []netip.Prefix
	Segment string // what it is connected to: "bridge v-net-0", "veth veth-a/veth-b"
	Path    string
	Bridge  string // for a host veth end: its bridge
	IsBr    bool
}

// model holds the parsed, cross-referenced view of a topology.
type model struct {
	ifaces []*iface
	byNS   map[string]map[string]*iface // netns -> name -> iface; "" is the host
	inNS   map[string][]*iface          // netns -> its ifaces, in file order
}

// addIface adds f to the interfaces whose addresses count.
func (m *model) addIface(f *iface) {
	m.ifaces = append(m.ifaces, f)
	m.inNS[f.NS] = append(m.inNS[f.NS], f)
}

func (c *checker) model() *model {
	t := c.t
	m := &model{byNS: map[string]map[string]*iface{"": {}}, inNS: map[string][]*iface{}}
	for i, n := range t.Namespaces {
		p := fmt.Sprintf("namespaces[%d]", i)
		if err := nsutil.ValidName(n.Name); err != nil {
			c.add(p, "namespace %q: %v", n.Name, err)
			continue
		}
		if _, dup := m.byNS[n.Name]; dup || n.Name == "" {
			c.add(p, "namespace %s is declared twice: give each namespace a different name", n.Name)
			continue
		}
		m.byNS[n.Name] = map[string]*iface{}
	}
	declare := func(f *iface) {
		what := "host"
		if f.NS != "" {
			what = "namespace " + f.NS
		}
		if err := ifname.Check(f.Name); err != nil {
			c.add(f.Path+".name", "interface %q (%s): %v", f.Name, what, err)
			m.addIface(f) // its addresses still count
			return
		}
		names, ok := m.byNS[f.NS]
		if !ok {
			return // undeclared namespace, reported by the caller
		}
		if f.Name == "lo" || names[f.Name] != nil {
			c.add(f.Path, "interface %s is declared twice in %s: rename one of them", f.Name, what)
			return
		}
		names[f.Name] = f
		m.addIface(f)
	}
	for i, b := range t.Bridges {
		p := fmt.Sprintf("bridges[%d]", i)
		f := &iface{Name: b.Name, Segment: "bridge " + b.Name, Path: p, IsBr: true}
		f.Addrs = c.addrs(p, "bridge "+b.Name, b.Addresses)
		if b.MTU != 0 && (b.MTU < 68 || b.MTU > 65535) {
			c.add(p+".mtu", "bridge %s: mtu %d is out of range: use 68..65535 (1500 is usual)", b.Name, b.MTU)
		}
		declare(f)
	}
	for i, v := range t.Veths {
		vp := fmt.Sprintf("veths[%d]", i)
		seg := fmt.Sprintf("veth pair %s/%s", v.Name, v.Peer.Name)
		if v.Bridge != "" && v.Peer.Bridge != "" {
			c.add(vp, "veth pair %s/%s: both ends are on a bridge (%s, %s): put one end in a namespace", v.Name, v.Peer.Name, v.Bridge, v.Peer.Bridge)
		}
		if v.Peer.Name == "" && v.Name != "" {
			c.add(vp, "veth %s: its peer has no name: add \"peer\": {\"name\": ...}", v.Name)
		}
		for _, e := range []struct {
			e    End
			path string
		}{{v.End, vp}, {v.Peer, vp + ".peer"}} {
			what := "veth " + e.e.Name
			if e.e.Netns != "" {
				what += " (in " + e.e.Netns + ")"
				if _, ok := m.byNS[e.e.Netns]; !ok {
					c.add(e.path+".netns", "%s: namespace %q is not declared: add it to \"namespaces\" or fix the name", what, e.e.Netns)
				}
			}
			f := &iface{NS: e.e.Netns, Name: e.e.Name, Segment: seg, Path: e.path, Bridge: e.e.Bridge}
			if e.e.Bridge != "" {
				switch {
				case e.e.Netns != "":
					c.add(e.path+".bridge", "%s: bridges are on the host, so an end in a namespace cannot join bridge %s: move \"bridge\" to the host end (the one without \"netns\")", what, e.e.Bridge)
				case t.bridge(e.e.Bridge) == nil:
					c.add(e.path+".bridge", "%s: bridge %q is not declared: add it to \"bridges\" or fix the name", what, e.e.Bridge)
				}
				if len(e.e.Addresses) > 0 {
					c.add(e.path+".addresses", "%s is a port of bridge %s and cannot use addresses: put the host's address on the bridge instead", what, e.e.Bridge)
				}
			}
			if v.Bridge != "" {
				f.Segment = "bridge " + v.Bridge
			} else if v.Peer.Bridge != "" {
				f.Segment = "bridge " + v.Peer.Bridge
			}
			f.Addrs = c.addrs(e.path, what, e.e.Addresses)
			declare(f)
		}
	}
	// The same address twice anywhere is always a mistake.
	seen := map[netip.Addr]*iface{}
	for _, f := range m.ifaces {
		for _, a := range f.Addrs {
			if o := seen[a.Addr()]; o != nil {
				c.add(f.Path+".addresses", "address %s is on both %s and %s: give each interface its own address", a.Addr(), o.describe(), f.describe())
				continue
			}
			seen[a.Addr()] = f
		}
	}
	return m
}

func (f *iface) describe() string {
	if f.NS == "" {
		return f.Name + " (host)"
	}
	return f.Name + " (in " + f.NS + ")"
}

// addrs checks a list of interface addresses and returns the good ones.
func (c *checker) addrs(path, what string, in []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for j, p := range in {
		ap := fmt.Sprintf("%s.addresses[%d]", path, j)
		if !p.IsValid() {
			text, err := c.bad(ap, errNotIfAddr)
			c.add(ap, "%s: address %q: %v", what, text, err)
			continue
		}
		if err := assignable(p); err != nil {
			c.add(ap, "%s: address %q: %v", what, p, err)
			continue
		}
		out = append(out, p)
	}
	return out
}

// bad returns the text and the reason of the value at path that did not
// decode; for a value that was missing or null, "" and missing.
func (c *checker) bad(path string, missing error) (string, error) {
	if b, ok := c.t.bad[path]; ok {
		return b.text, b.err
	}
	return "", missing
}

// assignable reports why interface address p cannot be assigned.
func assignable(p netip.Prefix) error {
	a := p.Addr()
	switch {
	case a.Is4In6():
		return errors.New("IPv4-mapped IPv6 addresses are not allowed: write the IPv4 address")
	case a.IsUnspecified(), a.IsMulticast(), a.IsLoopback():
		return errors.New("cannot be assigned to an interface (unspecified, multicast or loopback): use a unicast address")
	case a.Is4() && p.Bits() < 31 && (a == p.Masked().Addr() || a == rtnl.Broadcast(p)):
		return fmt.Errorf("is the network or broadcast address of %s: use a host address inside it", p.Masked())
	}
	return nil
}

// overlaps reports two subnets that overlap on different segments (the
// seed's "don't use overlapping IP ranges"), each pair once, at the later
// of the two addresses, in file order.
//
// Two prefixes overlap only when one holds the other, so sorted by first
// address (and shorter first) the prefixes that hold one are a chain that
// a sweep keeps on a stack: O(n log n) for n addresses, plus the pairs it
// reports. Equal prefixes form one group, indexed by segment, so that a
// bridge's thousands of addresses in one subnet are not compared pairwise.
func (c *checker) overlaps(m *model) {
	var subs []subnet
	for _, f := range m.ifaces {
		for _, a := range f.Addrs {
			subs = append(subs, subnet{a.Masked(), f, len(subs)})
		}
	}
	slices.SortFunc(subs, func(a, b subnet) int {
		return cmp.Or(a.p.Addr().Compare(b.p.Addr()), cmp.Compare(a.p.Bits(), b.p.Bits()),
			cmp.Compare(a.f.Segment, b.f.Segment), cmp.Compare(a.i, b.i))
	})
	var pairs [][2]subnet // {later, earlier} in file order
	var stack []subnetGroup
	for len(subs) > 0 {
		n := 1
		for n < len(subs) && subs[n].p == subs[0].p {
			n++
		}
		g := newSubnetGroup(subs[:n])
		subs = subs[n:]
		for len(stack) > 0 && !stack[len(stack)-1].p().Overlaps(g.p()) {
			stack = stack[:len(stack)-1]
		}
		pairs = g.pairs(g, pairs)
		for _, h := range stack {
			pairs = g.pairs(h, pairs)
		}
		stack = append(stack, g)
	}
	sorting.Func(pairs, func(x, y [2]subnet) int {
		return cmp.Or(cmp.Compare(x[0].i, y[0].i), cmp.Compare(x[1].i, y[1].i))
	})
	for _, ab := range pairs {
		a, b := ab[0], ab[1]
		c.add(a.f.Path+".addresses", "%s has %s, which overlaps %s of %s on another segment (%s, %s): use non-overlapping subnets", a.f.describe(), a.p, b.p, b.f.describe(), a.f.Segment, b.f.Segment)
	}
}

// A subnet is an interface address's subnet; i is its place in the file.
type subnet struct {
	p netip.Prefix
	f *iface
	i int
}

// A subnetGroup is the addresses of one subnet, sorted by segment; runs
// are the bounds of each segment's addresses in members, nil when they
// are all on one segment (most groups: nothing to allocate).
type subnetGroup struct {
	members []subnet
	runs    []int // members[runs[k]:runs[k+1]] share a segment
}

func newSubnetGroup(members []subnet) subnetGroup {
	g := subnetGroup{members: members}
	if members[0].f.Segment == members[len(members)-1].f.Segment {
		return g
	}
	g.runs = []int{0}
	for i := 1; i < len(members); i++ {
		if members[i].f.Segment != members[i-1].f.Segment {
			g.runs = append(g.runs, i)
		}
	}
	g.runs = append(g.runs, len(members))
	return g
}

func (g subnetGroup) p() netip.Prefix { return g.members[0].p }

// oneSegment reports whether all of g is on one segment.
func (g subnetGroup) oneSegment() bool { return g.runs == nil }

// pairs appends every pair of an address of g and an address of h (g
// itself, or a subnet that holds g's) on different segments; a pair
// within g once. It skips h's addresses on a's segment a run at a time,
// so its cost is the pairs plus, per address of g, h's segments.
func (g subnetGroup) pairs(h subnetGroup, out [][2]subnet) [][2]subnet {
	if g.oneSegment() && h.oneSegment() && g.members[0].f.Segment == h.members[0].f.Segment {
		return out // the usual case: one segment, nothing to compare
	}
	self := &g.members[0] == &h.members[0]
	runs := h.runs
	if runs == nil {
		runs = []int{0, len(h.members)}
	}
	for _, a := range g.members {
		for k := 0; k+1 < len(runs); k++ {
			run := h.members[runs[k]:runs[k+1]]
			if run[0].f.Segment == a.f.Segment {
				continue
			}
			for _, b := range run {
				switch {
				case a.i > b.i:
					out = append(out, [2]subnet{a, b})
				case !self:
					out = append(out, [2]subnet{b, a})
				}
			}
		}
	}
	return out
}

// routes checks every route: destination, gateway on a connected subnet
// (the seed's "the gateway must be reachable from inside the namespace"),
// device in that namespace, no duplicates.
func (c *checker) routes(m *model) {
	check := func(ns string, path string, routes []Route) {
		where := "the host"
		if ns != "" {
			where = ns
		}
		seen := map[string]string{}
		for i, r := range routes {
			p := fmt.Sprintf("%s.routes[%d]", path, i)
			what := fmt.Sprintf("route %s in %s", c.routeText(p, r), where)
			dst := r.To
			if !dst.IsValid() {
				_, err := c.bad(p+".to", errNoDst)
				c.add(p, "%s: %v", what, err)
				continue
			}
			if dst != dst.Masked() {
				c.add(p, "%s: destination %s has host bits set: use %s", what, dst, dst.Masked())
				continue
			}
			key := fmt.Sprintf("%s metric %d", dst, r.Metric)
			if seen[key] != "" {
				c.add(p, "%s is declared twice: remove one or give it another metric", what)
				continue
			}
			seen[key] = p
			var dev *iface
			if r.Dev != "" {
				dev = m.byNS[ns][r.Dev]
				if dev == nil && ns != "" {
					c.add(p, "%s: interface %s is not in %s: use one of %s", what, r.Dev, where, strings.Join(ifNames(m, ns), ", "))
					continue
				}
			}
			gw := r.Via
			if b, ok := c.t.bad[p+".via"]; ok {
				c.add(p, "%s: %v", what, b.err)
				continue
			}
			if !gw.IsValid() {
				if r.Dev == "" {
					c.add(p, "%s: needs \"via\" (a gateway) or \"dev\" (an interface)", what)
				}
				continue
			}
			if gw.Zone() != "" {
				c.add(p, "%s: %v", what, notGateway(gw.String()))
				continue
			}
			if gw.Is4() != dst.Addr().Is4() {
				c.add(p, "%s: gateway %s and destination %s are of different IP versions", what, gw, dst)
				continue
			}
			if ns == "" && dev == nil {
				continue // the host has links the file does not know about
			}
			cands := m.inNS[ns]
			if dev != nil {
				cands = []*iface{dev}
			}
			var subnets []string
			ok := false
			for _, f := range cands {
				for _, a := range f.Addrs {
					if a.Addr() == gw {
						c.add(p, "%s: gateway %s is %s's own address: use the address of the router on that subnet", what, gw, f.describe())
						ok = true
					}
					if a.Contains(gw) {
						ok = true
					}
					if a.Addr().Is4() == gw.Is4() {
						subnets = append(subnets, a.Masked().String()+" on "+f.Name)
					}
				}
			}
			if !ok {
				have := "no address in that IP version"
				if len(subnets) > 0 {
					have = "only " + strings.Join(subnets, ", ")
				}
				c.add(p, "%s: gateway %s is not on a subnet %s is connected to (%s has %s): use a gateway inside one of them, as the seed uses 192.168.15.5 and not the host's LAN address", what, gw, where, where, have)
			}
		}
	}
	check("", "host", c.t.Host.Routes)
	for i, n := range c.t.Namespaces {
		check(n.Name, fmt.Sprintf("namespaces[%d]", i), n.Routes)
	}
}

func ifNames(m *model, ns string) []string {
	var out []string
	for _, f := range m.inNS[ns] {
		out = append(out, f.Name)
	}
	if len(out) == 0 {
		return []string{"(none: add a veth with \"netns\": \"" + ns + "\")"}
	}
	return out
}

// routeString is the route in iproute2's words: "default via 192.168.15.5".
func routeString(r Route) string {
	return routeWords(dstString(r.To), addrString(r.Via), r)
}

// routeText is routeString for a route of the file at path, with the
// text of a destination or gateway that did not decode.
func (c *checker) routeText(path string, r Route) string {
	to, via := dstString(r.To), addrString(r.Via)
	if b, ok := c.t.bad[path+".to"]; ok {
		to = b.text
	}
	if b, ok := c.t.bad[path+".via"]; ok {
		via = b.text
	}
	return routeWords(to, via, r)
}

func routeWords(to, via string, r Route) string {
	s := to
	if via != "" {
		s += " via " + via
	}
	if r.Dev != "" {
		s += " dev " + r.Dev
	}
	if r.Metric != 0 {
		s += fmt.Sprintf(" metric %d", r.Metric)
	}
	return s
}

// dstString writes a route destination as the file does: "default" for
// IPv4's 0.0.0.0/0, "" for none.
func dstString(p netip.Prefix) string {
	switch {
	case !p.IsValid():
		return ""
	case p == defaultRoute:
		return "default"
	}
	return p.String()
}

// addrString is a.String(), or "" for the zero Addr.
func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// nat checks masquerades and port forwards.
func (c *checker) nat(m *model) {
	seen := map[string]bool{}
	for i, q := range c.t.NAT.Masquerade {
		p := fmt.Sprintf("nat.masquerade[%d]", i)
		src := q.Src
		switch {
		case !src.IsValid():
			text, err := c.bad(p+".src", errNotSrc)
			c.add(p, "masquerade %q: %v", text, err)
			continue
		case src != src.Masked():
			c.add(p, "masquerade %s: source has host bits set: use %s", src, src.Masked())
			continue
		}
		if q.OutIface != "" {
			if err := ifname.Check(q.OutIface); err != nil {
				c.add(p, "masquerade %s: oif %q: %v", src, q.OutIface, err)
			}
		}
		key := src.String() + " " + q.OutIface
		if seen[key] {
			c.add(p, "masquerade %s is declared twice: remove one", src)
		}
		seen[key] = true
	}
	ports := map[string]string{}
	for i, f := range c.t.NAT.Forward {
		p := fmt.Sprintf("nat.forward[%d]", i)
		port, to := strconv.Itoa(int(f.Port)), ""
		if b, ok := c.t.bad[p+".port"]; ok {
			port = b.text
		}
		if f.To.IsValid() {
			to = f.To.String()
		} else if b, ok := c.t.bad[p+".to"]; ok {
			to = b.text
		}
		what := fmt.Sprintf("forward %s %s -> %s", f.Proto, port, to)
		if f.Proto != "tcp" && f.Proto != "udp" {
			c.add(p+".proto", "%s: protocol %q: use tcp or udp", what, f.Proto)
		}
		if f.Port == 0 {
			c.add(p+".port", "%s: port %s is out of range: use 1..65535", what, port)
		}
		if f.InIface != "" {
			if err := ifname.Check(f.InIface); err != nil {
				c.add(p, "%s: iif %q: %v", what, f.InIface, err)
			}
		}
		if !f.To.IsValid() || f.To.Port() == 0 {
			c.add(p+".to", "%s: %v", what, notAddrPort(to))
		} else if !m.nsHas(f.To.Addr()) {
			c.add(p+".to", "%s: no namespace has address %s: forward to an address of a namespace in this file", what, f.To.Addr())
		}
		key := fmt.Sprintf("%s %s %s", f.Proto, port, f.InIface)
		if prev, dup := ports[key]; dup {
			c.add(p, "%s: %s port %s is already forwarded by %s: use another port", what, f.Proto, port, prev)
		}
		ports[key] = what
	}
}

// nsHas reports whether some namespace interface has address a.
func (m *model) nsHas(a netip.Addr) bool {
	for _, f := range m.ifaces {
		if f.NS == "" {
			continue
		}
		for _, p := range f.Addrs {
			if p.Addr() == a {
				return true
			}
		}
	}
	return false
}
