package main

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"

	"github.com/nsnet/nsnet/rtnl"
)

const neighUsage = `Usage: nsnet neigh add IP lladdr MAC dev DEV [nud permanent|noarp|reachable|stale] [router]
       nsnet neigh del IP dev DEV
       nsnet neigh show [[dev] DEV]
An added entry is permanent unless nud says otherwise. "nsnet n" shows the
ARP and NDP tables of the namespace (entries in state NOARP are hidden, as
with ip).
`

// neighReq is `neigh add` / `neigh del`.
type neighReq struct {
	del    bool
	ip     netip.Addr
	lladdr net.HardwareAddr
	dev    string
	nud    rtnl.NeighState
	router bool
}

// neighShowReq is `neigh show`.
type neighShowReq struct{ dev string }

// parseNeigh reads `neigh COMMAND ...` in iproute2's do_ipneigh() order.
func parseNeigh(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return neighShowReq{}, nil
	}
	return pickVerb("neigh", args[0], args[1:], o, []verb{
		{names: []string{"add"}, parse: func(a []string, o opts) (request, error) { return parseNeighModify(false, a, o) }},
		{names: []string{"change"}, exact: []string{"chg"}},
		{names: []string{"replace"}},
		{names: []string{"delete"}, parse: func(a []string, o opts) (request, error) { return parseNeighModify(true, a, o) }},
		{names: []string{"get"}},
		{names: []string{"show", "lst", "list"}, parse: parseNeighShow},
		{names: []string{"flush"}},
		helpVerb(neighUsage),
	})
}

func parseNeighModify(del bool, args []string, o opts) (request, error) {
	verb := modifyVerb("neigh", del)
	r := neighReq{del: del}
	for i := 0; i < len(args); i++ {
		w := args[i]
		val := func(what string) (string, error) { return nextArg(verb, args, &i, w, what) }
		var err error
		var v string
		switch {
		case matches(w, "lladdr"):
			if v, err = val("a MAC address"); err == nil {
				r.lladdr, err = parseMAC(v)
			}
		case w == "nud":
			if v, err = val("a state"); err == nil {
				var ok bool
				if r.nud, ok = parseNUD(v); !ok || r.nud&(rtnl.NeighPermanent|rtnl.NeighNoARP|rtnl.NeighReachable|rtnl.NeighStale) == 0 {
					err = fmt.Errorf("%s: nud %q is invalid: expected permanent, noarp, reachable or stale", verb, v)
				}
			}
		case w == "router":
			r.router = true
		case w == "dev":
			if v, err = val("an interface name"); err == nil {
				r.dev, err = v, checkIfName("interface name", v)
			}
		case matches(w, "help"):
			return helpReq{text: neighUsage}, nil
		default:
			if w == "to" {
				if w, err = val("an address"); err != nil {
					return nil, err
				}
			}
			if r.ip.IsValid() {
				return nil, fmt.Errorf("%s: either \"to\" is given twice or %q is garbage: the address is already %s", verb, w, r.ip)
			}
			r.ip, err = parseIP(w, o)
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case !r.ip.IsValid() || r.dev == "":
		return nil, fmt.Errorf("%s: the address and the device are required: expected %s IP lladdr MAC dev DEV", verb, verb)
	case !del && r.lladdr == nil && r.nud != rtnl.NeighNoARP:
		return nil, fmt.Errorf("%s %s: \"lladdr\" is required: expected %s IP lladdr MAC dev DEV", verb, r.ip, verb)
	}
	return r, nil
}

func parseNeighShow(args []string, _ opts) (request, error) {
	var r neighShowReq
	for i := 0; i < len(args); i++ {
		w := args[i]
		switch {
		case matches(w, "help"):
			return helpReq{text: neighUsage}, nil
		default:
			dev, err := showDev("neigh show", args, &i, r.dev)
			if err != nil {
				return nil, err
			}
			r.dev = dev
		}
	}
	return r, nil
}

func (r neighReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	l, err := e.linkByName(c, r.dev, modifyVerb("neigh", r.del), r.ip.String())
	if err != nil {
		return err
	}
	n := &rtnl.Neigh{Index: l.Index, IP: r.ip, LLAddr: r.lladdr, State: r.nud}
	if r.router {
		n.Flags |= rtnl.NeighRouter
	}
	if r.del {
		err = c.NeighDel(n)
	} else {
		err = c.NeighAdd(n)
	}
	return inNS(err, e.where())
}

func (r neighShowReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	set, index, err := e.linksFor(c, r.dev)
	if err != nil {
		return err
	}
	neighs, err := c.Neighs(e.opts.familyFilter())
	if err != nil {
		return inNS(err, e.where())
	}
	out := []jobj{}
	for i := range neighs {
		n := &neighs[i]
		if index != 0 && n.Index != index || !neighShown(n) {
			continue
		}
		if e.opts.json {
			out = append(out, neighJSON(n, set, index != 0))
		} else {
			writeNeighText(e.out, n, set, index != 0)
		}
	}
	if e.opts.json {
		return writeJSON(e.out, e.opts, out)
	}
	return nil
}

// neighShown is iproute2's default state filter: every state but NOARP,
// and no entry in state NONE, unless it is a proxy entry.
func neighShown(n *rtnl.Neigh) bool {
	const filter = 0xFF &^ rtnl.NeighNoARP
	return n.State&filter != 0 || n.Flags&rtnl.NeighProxy != 0
}

func writeNeighText(w io.Writer, n *rtnl.Neigh, set *linkSet, hideDev bool) {
	var b strings.Builder
	b.WriteString(n.IP.String() + " ")
	if !hideDev && n.Index != 0 {
		fmt.Fprintf(&b, "dev %s ", set.name(n.Index))
	}
	if len(n.LLAddr) > 0 {
		fmt.Fprintf(&b, "lladdr %s ", n.LLAddr)
	}
	if n.Flags&rtnl.NeighRouter != 0 {
		b.WriteString("router ")
	}
	if n.Flags&rtnl.NeighProxy != 0 {
		b.WriteString("proxy ")
	}
	for _, s := range n.State.Words() {
		b.WriteString(s + " ")
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

func neighJSON(n *rtnl.Neigh, set *linkSet, hideDev bool) jobj {
	o := jobj{{jDst, n.IP.String()}}
	if !hideDev && n.Index != 0 {
		o.add(jDev, set.name(n.Index))
	}
	if len(n.LLAddr) > 0 {
		o.add(jLladdr, n.LLAddr.String())
	}
	if n.Flags&rtnl.NeighRouter != 0 {
		o.add(jRouter, nil)
	}
	if n.Flags&rtnl.NeighProxy != 0 {
		o.add(jProxy, nil)
	}
	if n.State != 0 {
		o.add(jState, n.State.Words())
	}
	return o
}

// parseNUD reads `nud STATE` of `ip neigh add`: a state's name in lower
// case, abbreviated as iproute2's nud_state_a2n() allows.
func parseNUD(s string) (rtnl.NeighState, bool) {
	for _, st := range rtnl.NeighStates() {
		if matches(s, strings.ToLower(st.String())) {
			return st, true
		}
	}
	return 0, false
}
