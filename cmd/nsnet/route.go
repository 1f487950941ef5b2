package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/nsnet/nsnet/rtnl"
)

const routeUsage = `Usage: nsnet route add PREFIX|default [via GW] [dev DEV] [metric N] [src ADDR]
                                    [proto PROTO] [scope SCOPE] [onlink]
       nsnet route del PREFIX|default [via GW] [dev DEV] [metric N]
       nsnet route show [dev DEV]
PREFIX is a network (192.168.1.0/24) or one address; routes go to the main
table, with iproute2's defaults (proto boot; scope link without a gateway).
The gateway must be on a subnet of a link that is up. "nsnet r" shows the
IPv4 routes, "nsnet -6 r" the IPv6 ones.
`

// routeReq is `route add` / `route del`.
type routeReq struct {
	del      bool
	dst      netip.Prefix
	via      netip.Addr
	dev      string
	metric   uint32
	src      netip.Addr
	proto    rtnl.RouteProtocol
	scope    rtnl.Scope
	hasScope bool
	onlink   bool
}

// routeShowReq is `route show`.
type routeShowReq struct{ dev string }

// parseRoute reads `route COMMAND ...` in iproute2's do_iproute() order.
func parseRoute(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return routeShowReq{}, nil
	}
	return pickVerb("route", args[0], args[1:], o, []verb{
		{names: []string{"add"}, parse: func(a []string, o opts) (request, error) { return parseRouteModify(false, a, o) }},
		{names: []string{"change"}, exact: []string{"chg"}},
		{names: []string{"replace"}},
		{names: []string{"prepend"}},
		{names: []string{"append"}},
		{names: []string{"test"}},
		{names: []string{"delete"}, parse: func(a []string, o opts) (request, error) { return parseRouteModify(true, a, o) }},
		{names: []string{"list", "show", "lst"}, parse: parseRouteShow},
		{names: []string{"get"}},
		{names: []string{"flush"}},
		{names: []string{"save"}},
		{names: []string{"restore"}},
		{names: []string{"showdump"}},
		helpVerb(routeUsage),
	})
}

// parseRouteModify reads the words of iproute2's iproute_modify() that
// nsnet supports; any other word is the destination.
func parseRouteModify(del bool, args []string, o opts) (request, error) {
	verb := modifyVerb("route", del)
	r := routeReq{del: del}
	for i := 0; i < len(args); i++ {
		w := args[i]
		val := func(what string) (string, error) { return nextArg(verb, args, &i, w, what) }
		var err error
		var v string
		switch {
		case w == "via":
			if v, err = val("a gateway address"); err == nil {
				if v == "inet" || v == "inet6" { // ip route add ... via inet6 fe80::1
					if v, err = val("a gateway address"); err != nil {
						return nil, err
					}
				}
				r.via, err = parseIP(v, o)
			}
		case w == "dev" || w == "oif":
			if v, err = val("an interface name"); err == nil {
				r.dev, err = v, checkIfName("interface name", v)
			}
		case matches(w, "metric") || matches(w, "priority") || w == "preference":
			if v, err = val("a metric"); err == nil {
				var n uint64
				n, err = parseUint("metric", v, 0, 1<<32-1)
				r.metric = uint32(n)
			}
		case w == "src":
			if v, err = val("a source address"); err == nil {
				r.src, err = parseIP(v, o)
			}
		case matches(w, "protocol"):
			if v, err = val("a protocol"); err == nil {
				var ok bool
				if r.proto, ok = rtnl.ParseRouteProtocol(v); !ok {
					err = fmt.Errorf("%s: protocol %q is invalid: expected boot, static, kernel... or a number", verb, v)
				}
			}
		case matches(w, "scope"):
			if v, err = val("a scope"); err == nil {
				var ok bool
				if r.scope, ok = rtnl.ParseScope(v); !ok {
					err = fmt.Errorf("%s: scope %q is invalid: expected global, link, host or a number", verb, v)
				}
				r.hasScope = true
			}
		case matches(w, "table"):
			if v, err = val("a table"); err == nil && v != "main" && v != "254" {
				err = fmt.Errorf("%s: table %q is not supported: nsnet uses the main table only", verb, v)
			}
		case w == "onlink":
			r.onlink = true
		case matches(w, "help"):
			return helpReq{text: routeUsage}, nil
		default:
			if w == "to" {
				if w, err = val("a destination"); err != nil {
					return nil, err
				}
			}
			if w == "unicast" { // the route type iproute2 accepts before the prefix
				continue
			}
			if r.dst.IsValid() {
				return nil, fmt.Errorf("%s: either \"to\" is given twice or %q is garbage: the destination is already %s", verb, w, r.dst)
			}
			r.dst, err = parseRoutePrefix(w, o)
		}
		if err != nil {
			return nil, err
		}
	}
	if !r.dst.IsValid() {
		return nil, fmt.Errorf("%s: the destination is missing: expected %s PREFIX|default [via GW] [dev DEV]", verb, verb)
	}
	if r.via.IsValid() && r.via.Is4() != r.dst.Addr().Is4() {
		if r.dst.Bits() != 0 || o.family != 0 {
			return nil, fmt.Errorf("%s %s: gateway %s is of the other address family", verb, r.dst, r.via)
		}
		r.dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0) // default via an IPv6 gateway
	}
	if !del && !r.via.IsValid() && r.dev == "" {
		return nil, fmt.Errorf("%s %s: expected a gateway (via GW), a device (dev DEV), or both", verb, r.dst)
	}
	return r, nil
}

func parseRouteShow(args []string, _ opts) (request, error) {
	var r routeShowReq
	for i := 0; i < len(args); i++ {
		switch w := args[i]; {
		case w == "dev" || w == "oif":
			dev, err := nextArg("route show", args, &i, w, "an interface name")
			if err == nil {
				err = checkIfName("interface name", dev)
			}
			if err != nil {
				return nil, err
			}
			r.dev = dev
		case matches(w, "table") && i+1 < len(args) && (args[i+1] == "main" || args[i+1] == "254"):
			i++
		case matches(w, "help"):
			return helpReq{text: routeUsage}, nil
		default:
			return nil, fmt.Errorf("route show: %q is not supported: expected route show [dev DEV]", w)
		}
	}
	return r, nil
}

// route builds the rtnl request; rtnl fills iproute2's defaults.
func (r routeReq) route(oif int32) *rtnl.Route {
	q := &rtnl.Route{
		DstLen:   uint8(r.dst.Bits()),
		Gateway:  r.via,
		PrefSrc:  r.src,
		OutIndex: oif,
		Priority: r.metric,
		Protocol: r.proto,
		Scope:    r.scope,
		Family:   rtnl.FamilyInet,
	}
	if r.dst.Addr().Is6() {
		q.Family = rtnl.FamilyInet6
	}
	if r.dst.Bits() > 0 {
		q.Dst = r.dst.Addr()
	}
	if r.onlink {
		q.Flags |= rtnl.RouteOnLink
	}
	return q
}

func (r routeReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	var oif int32
	if r.dev != "" {
		l, err := e.linkByName(c, r.dev, modifyVerb("route", r.del), r.dst.String())
		if err != nil {
			return err
		}
		oif = l.Index
	}
	q := r.route(oif)
	if r.del {
		err = c.RouteDel(q)
	} else {
		err = c.RouteAdd(q)
	}
	return inNS(err, e.where())
}

func (r routeShowReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	set, oif, err := e.linksFor(c, r.dev)
	if err != nil {
		return err
	}
	fam := e.opts.familyFilter()
	if fam == rtnl.FamilyAll {
		fam = rtnl.FamilyInet // `ip route` lists IPv4 unless -6 is given
	}
	routes, err := c.Routes(fam)
	if err != nil {
		return inNS(err, e.where())
	}
	out := []jobj{}
	for i := range routes {
		rt := &routes[i]
		if rt.Flags&rtnl.RouteCloned != 0 || oif != 0 && rt.OutIndex != oif {
			continue
		}
		if e.opts.json {
			out = append(out, routeJSON(rt, set, oif != 0))
		} else {
			writeRouteText(e.out, rt, set, oif != 0)
		}
	}
	if e.opts.json {
		return writeJSON(e.out, e.opts, out)
	}
	return nil
}

// routeDst is the destination as iproute2 prints it: "default", a
// network, or a bare address for a host route.
func routeDst(rt *rtnl.Route) string {
	if !rt.Dst.IsValid() {
		if rt.DstLen == 0 {
			return "default"
		}
		return fmt.Sprintf("0/%d", rt.DstLen)
	}
	if int(rt.DstLen) == rt.Dst.BitLen() {
		return rt.Dst.String()
	}
	return fmt.Sprintf("%s/%d", rt.Dst, rt.DstLen)
}

// writeRouteText prints one route as print_route() does. hideDev: the
// listing was filtered by device, so the device is not repeated.
func writeRouteText(w io.Writer, rt *rtnl.Route, set *linkSet, hideDev bool) {
	var b strings.Builder
	if rt.Type != rtnl.RouteUnicast {
		b.WriteString(rt.Type.String() + " ")
	}
	b.WriteString(routeDst(rt) + " ")
	if rt.Gateway.IsValid() {
		fmt.Fprintf(&b, "via %s ", rt.Gateway)
	}
	if rt.OutIndex != 0 && !hideDev {
		fmt.Fprintf(&b, "dev %s ", set.name(rt.OutIndex))
	}
	if rt.Protocol != rtnl.ProtoBoot {
		fmt.Fprintf(&b, "proto %s ", rt.Protocol)
	}
	if rt.Scope != rtnl.ScopeUniverse {
		fmt.Fprintf(&b, "scope %s ", rt.Scope)
	}
	if rt.PrefSrc.IsValid() {
		fmt.Fprintf(&b, "src %s ", rt.PrefSrc)
	}
	if rt.Priority != 0 || rt.Family == rtnl.FamilyInet6 {
		fmt.Fprintf(&b, "metric %d ", rt.Priority)
	}
	for _, f := range rt.Flags.Words() {
		b.WriteString(f + " ")
	}
	if rt.HasPref {
		fmt.Fprintf(&b, "pref %s", rt.Pref)
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// routeJSON is one element of `ip -j route`.
func routeJSON(rt *rtnl.Route, set *linkSet, hideDev bool) jobj {
	var o jobj
	if rt.Type != rtnl.RouteUnicast {
		o.add(jType, rt.Type.String())
	}
	o.add(jDst, routeDst(rt))
	if rt.Gateway.IsValid() {
		o.add(jGateway, rt.Gateway.String())
	}
	if rt.OutIndex != 0 && !hideDev {
		o.add(jDev, set.name(rt.OutIndex))
	}
	if rt.Protocol != rtnl.ProtoBoot {
		o.add(jProtocol, rt.Protocol.String())
	}
	if rt.Scope != rtnl.ScopeUniverse {
		o.add(jScope, rt.Scope.String())
	}
	if rt.PrefSrc.IsValid() {
		o.add(jPrefsrc, rt.PrefSrc.String())
	}
	if rt.Priority != 0 || rt.Family == rtnl.FamilyInet6 {
		o.add(jMetric, rt.Priority)
	}
	o.add(jFlags, rt.Flags.Words())
	if rt.HasPref {
		o.add(jPref, rt.Pref.String())
	}
	return o
}
