package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/rtnl"
)

const routeUsage = `Usage: nsnet route add|change|replace|prepend|append [TYPE] PREFIX|default [via GW] [dev DEV] [metric N] [src ADDR]
                                    [proto PROTO] [scope SCOPE] [table TABLE] [onlink]
       nsnet route del [TYPE] PREFIX|default [via GW] [dev DEV] [metric N] [table TABLE]
       nsnet route show|flush [table TABLE|all] [[to] [root|match|exact] PREFIX] [dev DEV]
                        [proto P] [scope S] [type TYPE] [metric N] [via GW] [src ADDR]
TYPE := unicast | local | broadcast | multicast | blackhole | unreachable | prohibit | throw
TABLE := main | local | default | NUMBER | a name in /etc/iproute2/rt_tables(.d/*.conf)
PREFIX is a network (192.168.1.0/24) or one address; routes go to the main
table unless a table is given, with iproute2's defaults (proto boot; scope
link without a gateway). "nsnet r" shows the IPv4 routes of the main table,
"nsnet -6 r" the IPv6 ones, "nsnet route show table all" every table.
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
	table    tableRef
	typ      rtnl.RouteType // 0: unicast on add, any on del
	mode     rtnl.RouteMode // add, change, replace, prepend, append
}

// routeShowReq is `route show` and `route flush`.
type routeShowReq struct {
	dev   string
	flush bool
	f     routeFilter
}

// routeFilter is the filter of iproute2's iproute_list_flush_or_save().
type routeFilter struct {
	table      tableRef // "": main; "all": every table
	proto      *rtnl.RouteProtocol
	scope      *rtnl.Scope
	typ        *rtnl.RouteType
	metric     *uint32
	via, src   netip.Prefix // invalid: no filter
	root, mtch netip.Prefix // rdst, mdst
}

// parseRoute reads `route COMMAND ...` in iproute2's do_iproute() order.
func parseRoute(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return parseRouteShow(false, nil, o)
	}
	return pickVerb("route", args[0], args[1:], o, []verb{
		{names: []string{"add"}, parse: routeModify(rtnl.RouteModeAdd)},
		{names: []string{"change"}, exact: []string{"chg"}, parse: routeModify(rtnl.RouteModeChange)},
		{names: []string{"replace"}, parse: routeModify(rtnl.RouteModeReplace)},
		{names: []string{"prepend"}, parse: routeModify(rtnl.RouteModePrepend)},
		{names: []string{"append"}, parse: routeModify(rtnl.RouteModeAppend)},
		{names: []string{"test"}},
		{names: []string{"delete"}, parse: func(a []string, o opts) (request, error) { return parseRouteModify(true, a, o) }},
		{names: []string{"list", "show", "lst"}, parse: func(a []string, o opts) (request, error) { return parseRouteShow(false, a, o) }},
		{names: []string{"get"}},
		{names: []string{"flush"}, parse: func(a []string, o opts) (request, error) { return parseRouteShow(true, a, o) }},
		{names: []string{"save"}},
		{names: []string{"restore"}},
		{names: []string{"showdump"}},
		helpVerb(routeUsage),
	})
}

// routeModify parses `route add|change|replace|prepend|append`.
func routeModify(mode rtnl.RouteMode) func([]string, opts) (request, error) {
	return func(a []string, o opts) (request, error) {
		req, err := parseRouteModify(false, a, o)
		if r, ok := req.(routeReq); ok {
			r.mode = mode
			return r, err
		}
		return req, err
	}
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
			if v, err = val("a table"); err == nil {
				r.table = tableRef(v)
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
			if t, ok := rtnl.ParseRouteType(w); ok && (w[0] < '0' || w[0] > '9') {
				// a route type before the prefix (iproute_modify)
				r.typ = t
				if w, err = val("a destination"); err != nil {
					return nil, err
				}
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
	if !del && !r.via.IsValid() && r.dev == "" && (r.typ == 0 || r.typ == rtnl.RouteUnicast) {
		return nil, fmt.Errorf("%s %s: expected a gateway (via GW), a device (dev DEV), or both", verb, r.dst)
	}
	return r, nil
}

// parseRouteShow reads the selectors of iproute_list_flush_or_save().
func parseRouteShow(flush bool, args []string, o opts) (request, error) {
	ctx := "route show"
	if flush {
		ctx = "route flush"
		if len(args) == 0 {
			return nil, withIP(errors.New("route flush: expected a selector (table main, dev DEV...), see nsnet route help"), 1,
				"\"ip route flush\" requires arguments.")
		}
	}
	r := routeShowReq{flush: flush}
	f := &r.f
	for i := 0; i < len(args); i++ {
		w := args[i]
		val := func() (string, error) { return nextArg(ctx, args, &i, w, "a value") }
		v, err := "", error(nil)
		invarg := func(msg string) error {
			return withIP(fmt.Errorf("%s: %q is invalid after %q", ctx, v, w), ipUsageStatus, "Error: argument %q is wrong: %s", v, msg)
		}
		switch {
		case matches(w, "table"):
			if v, err = val(); err == nil {
				if v == "cache" {
					return nil, &notImplemented{ctx + ": the route cache is not implemented by nsnet"}
				}
				f.table = tableRef(v)
			}
		case matches(w, "protocol"):
			if v, err = val(); err == nil && v != "all" {
				p, ok := rtnl.ParseRouteProtocol(v)
				if !ok {
					return nil, invarg("invalid \"protocol\"\n")
				}
				f.proto = &p
			}
		case matches(w, "scope"):
			if v, err = val(); err == nil && v != "all" {
				sc, ok := rtnl.ParseScope(v)
				if !ok {
					return nil, invarg("invalid \"scope\"\n")
				}
				f.scope = &sc
			}
		case matches(w, "type"):
			if v, err = val(); err == nil {
				t, ok := rtnl.ParseRouteType(v)
				if !ok {
					return nil, invarg("node type value is invalid\n")
				}
				f.typ = &t
			}
		case w == "dev" || w == "oif":
			if v, err = val(); err == nil {
				err = checkIfName("interface name", v)
				r.dev = v
			}
		case matches(w, "metric") || matches(w, "priority") || w == "preference":
			if v, err = val(); err == nil {
				m, ok := parseU32(v)
				if !ok {
					return nil, invarg("\"metric\" value is invalid\n")
				}
				f.metric = &m
			}
		case w == "via" || w == "src":
			if v, err = val(); err == nil {
				if w == "via" && (v == "inet" || v == "inet6") {
					if v, err = val(); err != nil {
						return nil, err
					}
				}
				var p netip.Prefix
				if p, err = showPrefix(v, o); w == "via" {
					f.via = p
				} else {
					f.src = p
				}
			}
		case matches(w, "help"):
			return helpReq{text: routeUsage}, nil
		case w == "iif" || w == "mark" || matches(w, "from") || matches(w, "realms") || matches(w, "vrf") ||
			matches(w, "cached") || matches(w, "cloned") || w == "tos" || matches(w, "dsfield"):
			return nil, &notImplemented{fmt.Sprintf("%s: %q is not implemented by nsnet", ctx, w)}
		default:
			if matches(w, "to") {
				if w, err = val(); err != nil {
					return nil, err
				}
			}
			kind := "exact"
			if matches(w, "root") || matches(w, "match") || matches(w, "exact") {
				kind = w
				if w, err = val(); err != nil {
					return nil, err
				}
			}
			p, perr := showPrefix(w, o)
			if perr != nil {
				return nil, perr
			}
			switch {
			case matches(kind, "root"):
				f.root = p
			case matches(kind, "match"):
				f.mtch = p
			default:
				f.root, f.mtch = p, p
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// showPrefix is get_prefix() for a show selector: default/all/any is the
// family's /0 (which matches every route), else parseIfAddr.
func showPrefix(w string, o opts) (netip.Prefix, error) {
	switch w {
	case "default", "all", "any":
		return anyPrefix(o), nil
	}
	p, err := parseIfAddr(w, o)
	if err != nil {
		return p, withIP(err, 1, "Error: %s prefix is expected rather than %q.", familyVerbose(o), w)
	}
	return p, nil
}

// keep is iproute2's filter_nlmsg() for what nsnet filters on; table is
// the resolved table (0: all), oif the device's index (0: any).
func (f *routeFilter) keep(rt *rtnl.Route, table uint32, oif int32) bool {
	dst := rt.DstPrefix()
	famOK := func(p netip.Prefix) bool { return p.Addr().Is4() == (rt.Family == rtnl.FamilyInet) }
	switch {
	case rt.Flags&rtnl.RouteCloned != 0,
		table > 0 && rt.Table != table,
		f.proto != nil && *f.proto != rt.Protocol,
		f.scope != nil && *f.scope != rt.Scope,
		f.typ != nil && *f.typ != rt.Type,
		f.metric != nil && *f.metric != rt.Priority,
		oif != 0 && rt.OutIndex != oif,
		f.root.IsValid() && (!famOK(f.root) || f.root.Bits() > dst.Bits() || !f.root.Masked().Contains(dst.Addr())),
		f.mtch.IsValid() && (!famOK(f.mtch) || f.mtch.Bits() < dst.Bits() || !dst.Masked().Contains(f.mtch.Addr())),
		f.via.IsValid() && (!famOK(f.via) || f.via.Bits() > 0 && (!rt.Gateway.IsValid() || !f.via.Masked().Contains(rt.Gateway))),
		f.src.IsValid() && (!famOK(f.src) || f.src.Bits() > 0 && (!rt.PrefSrc.IsValid() || !f.src.Masked().Contains(rt.PrefSrc))):
		return false
	}
	return true
}

// routeMask says what print_route() leaves out because the filter fixes
// it (oifmask, protocolmask... of iproute2's filter), and whether it
// prints the table (no table filter: `table all`).
type routeMask struct {
	dev, proto, scope, metric, gateway, prefsrc bool
	table                                       *tableNames // print "table NAME" unless main
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
		Type:     r.typ,
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
	verb := modifyVerb("route", r.del)
	var table uint32
	if r.table != "" {
		var err error
		if table, err = r.table.resolve(readTableNames(rtTablesDir), verb, "\"table\" value is invalid\n"); err != nil {
			return err
		}
	}
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	var oif int32
	if r.dev != "" {
		l, err := e.linkByName(c, r.dev, verb, r.dst.String())
		if err != nil {
			return err
		}
		oif = l.Index
	}
	q := r.route(oif)
	q.Table = table
	if r.del {
		err = c.RouteDel(q)
	} else {
		err = c.RouteSet(q, r.mode)
	}
	return inNS(err, e.where())
}

func (r routeShowReq) run(e *env) error {
	names := readTableNames(rtTablesDir)
	table := uint32(rtnl.TableMain)
	mask := routeMask{dev: r.dev != "", proto: r.f.proto != nil, scope: r.f.scope != nil, metric: r.f.metric != nil,
		gateway: r.f.via.IsValid() && r.f.via.Bits() == r.f.via.Addr().BitLen(),
		prefsrc: r.f.src.IsValid() && r.f.src.Bits() == r.f.src.Addr().BitLen()}
	switch r.f.table {
	case "":
	case "all":
		table, mask.table = 0, names
	default:
		var err error
		if table, err = r.f.table.resolve(names, "route show", "table id value is invalid\n"); err != nil {
			return err
		}
	}
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
	if fam == rtnl.FamilyAll && table != 0 {
		fam = rtnl.FamilyInet // `ip route` lists IPv4 unless -6 is given, or table all
	}
	routes, err := c.RoutesAll(fam)
	if err != nil {
		return inNS(err, e.where())
	}
	out := []jobj{}
	b := c.Batch()
	for i := range routes {
		rt := &routes[i]
		if !r.f.keep(rt, table, oif) {
			continue
		}
		switch {
		case r.flush:
			b.RouteDel(rt) // iproute_flush: the dumped route, as RTM_DELROUTE
		case e.opts.json:
			out = append(out, routeJSON(rt, set, mask))
		default:
			writeRouteText(e.out, rt, set, mask)
		}
	}
	if r.flush {
		return inNS(b.Flush(), e.where())
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

// routeFields is iproute2 6.1's print_route() for the attributes nsnet
// decodes, field by field (text and JSON from one list, as PRINT_ANY).
func routeFields(rt *rtnl.Route, set *linkSet, m routeMask) pfields {
	var p pfields
	if rt.Type != rtnl.RouteUnicast {
		p.add(jType, rt.Type.String()+" ", rt.Type.String())
	}
	p.add(jDst, routeDst(rt)+" ", routeDst(rt))
	if rt.Gateway.IsValid() && !m.gateway {
		p.add(jGateway, "via "+rt.Gateway.String()+" ", rt.Gateway.String())
	}
	if rt.OutIndex != 0 && !m.dev {
		p.add(jDev, "dev "+set.name(rt.OutIndex)+" ", set.name(rt.OutIndex))
	}
	if m.table != nil && rt.Table != 0 && rt.Table != rtnl.TableMain {
		t := m.table.name(rt.Table)
		p.add(jTable, "table "+t+" ", t)
	}
	if rt.Protocol != rtnl.ProtoBoot && !m.proto {
		p.add(jProtocol, "proto "+rt.Protocol.String()+" ", rt.Protocol.String())
	}
	if rt.Scope != rtnl.ScopeUniverse && !m.scope {
		p.add(jScope, "scope "+rt.Scope.String()+" ", rt.Scope.String())
	}
	if rt.PrefSrc.IsValid() && !m.prefsrc {
		p.add(jPrefsrc, "src "+rt.PrefSrc.String()+" ", rt.PrefSrc.String())
	}
	if (rt.Priority != 0 || rt.Family == rtnl.FamilyInet6) && !m.metric {
		p.add(jMetric, "metric "+strconv.FormatUint(uint64(rt.Priority), 10)+" ", rt.Priority)
	}
	flags := rt.Flags.Words()
	p.add(jFlags, strings.Join(flags, " ")+strings.Repeat(" ", min(len(flags), 1)), flags)
	if rt.HasPref {
		p.add(jPref, "pref "+rt.Pref.String(), rt.Pref.String())
	}
	return p
}

// writeRouteText prints one route as print_route() does.
func writeRouteText(w io.Writer, rt *rtnl.Route, set *linkSet, m routeMask) {
	io.WriteString(w, routeFields(rt, set, m).text())
}

// routeJSON is one element of `ip -j route`.
func routeJSON(rt *rtnl.Route, set *linkSet, m routeMask) jobj {
	return routeFields(rt, set, m).json()
}

// anyPrefix is "default"/"all" as a filter: the family's /0, which
// matches every route of the family.
func anyPrefix(o opts) netip.Prefix {
	if o.family == 6 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
}
