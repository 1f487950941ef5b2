package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/nsnet/nsnet/rtnl"
)

const addrUsage = `Usage: nsnet addr add CIDR dev DEV [brd +|broadcast ADDR] [label LABEL] [scope SCOPE]
       nsnet addr del CIDR dev DEV
       nsnet addr show [[dev] DEV] [up]
CIDR is ADDRESS/PREFIXLEN (192.168.15.1/24, fd00::1/64); a bare ADDRESS is
a host address (/32 or /128). "nsnet a" and "nsnet addr" show every address.
Abbreviations as in iproute2: ip a, ip addr sh, ip a a, ip a d.
`

// addrReq is `addr add` / `addr del`.
type addrReq struct {
	del    bool
	prefix netip.Prefix
	dev    string
	brd    netip.Addr
	label  string
	scope  rtnl.Scope
}

// addrShowReq is `addr show`.
type addrShowReq struct {
	dev string
	up  bool
}

// parseAddr reads `addr COMMAND ...` in iproute2's do_ipaddr() order.
func parseAddr(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return addrShowReq{}, nil
	}
	return pickVerb("addr", args[0], args[1:], o, []verb{
		{names: []string{"add"}, parse: func(a []string, o opts) (request, error) { return parseAddrModify(false, a, o) }},
		{names: []string{"change"}, exact: []string{"chg"}},
		{names: []string{"replace"}},
		{names: []string{"delete"}, parse: func(a []string, o opts) (request, error) { return parseAddrModify(true, a, o) }},
		{names: []string{"list", "show", "lst"}, parse: parseAddrShow},
		{names: []string{"flush"}},
		{names: []string{"save"}},
		{names: []string{"showdump"}},
		{names: []string{"restore"}},
		helpVerb(addrUsage),
	})
}

// parseAddrModify reads the words of iproute2's ipaddr_modify() that nsnet
// supports.
func parseAddrModify(del bool, args []string, o opts) (request, error) {
	verb := modifyVerb("addr", del)
	r := addrReq{del: del}
	brdPlus := false
	for i := 0; i < len(args); i++ {
		w := args[i]
		val := func(what string) (string, error) { return nextArg(verb, args, &i, w, what) }
		var err error
		var v string
		switch {
		case matches(w, "broadcast") || w == "brd":
			if v, err = val("+ or an address"); err == nil {
				if v == "+" {
					brdPlus = true
				} else {
					r.brd, err = parseIP(v, o)
				}
			}
		case w == "dev":
			if v, err = val("an interface name"); err == nil {
				r.dev, err = v, checkIfName("interface name", v)
			}
		case w == "label":
			if v, err = val("a label"); err == nil {
				r.label, err = v, checkLabel(v)
			}
		case w == "scope":
			if v, err = val("host, link, global or a number"); err == nil {
				var ok bool
				if r.scope, ok = rtnl.ParseScope(v); !ok {
					err = fmt.Errorf("%s: scope %q is invalid: expected host, link, global, site or a number", verb, v)
				}
			}
		case matches(w, "help"):
			return helpReq{text: addrUsage}, nil
		default:
			if w == "local" {
				if w, err = val("an address"); err != nil {
					return nil, err
				}
			}
			if r.prefix.IsValid() {
				return nil, fmt.Errorf("%s: either \"local\" is given twice or %q is garbage: the address is already %s", verb, w, r.prefix)
			}
			r.prefix, err = parseIfAddr(w, o)
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case !r.prefix.IsValid():
		return nil, fmt.Errorf("%s: the address is missing: expected %s ADDRESS/PREFIXLEN dev DEV", verb, verb)
	case r.dev == "":
		return nil, fmt.Errorf("%s %s: \"dev\" is required: expected %s %s dev DEV", verb, r.prefix, verb, r.prefix)
	case r.brd.IsValid() && r.brd.Is4() != r.prefix.Addr().Is4():
		return nil, fmt.Errorf("%s: broadcast %s is not of the family of %s", verb, r.brd, r.prefix)
	}
	if brdPlus {
		if !r.prefix.Addr().Is4() {
			return nil, fmt.Errorf("%s: brd + applies to IPv4 only", verb)
		}
		r.brd = rtnl.Broadcast(r.prefix)
	}
	return r, nil
}

// checkLabel accepts an IPv4 address label (IFA_LABEL): up to 15 bytes,
// no '/' or white space; unlike an interface name it may hold ':'
// ("eth0:1").
func checkLabel(s string) error {
	if err := checkIfName("label", strings.ReplaceAll(s, ":", "_")); err != nil {
		return fmt.Errorf("label %q is invalid: expected 1 to 15 bytes without '/' or white space, like eth0:1", s)
	}
	return nil
}

func parseAddrShow(args []string, _ opts) (request, error) {
	var r addrShowReq
	for i := 0; i < len(args); i++ {
		w := args[i]
		switch {
		case w == "up":
			r.up = true
		case matches(w, "help"):
			return helpReq{text: addrUsage}, nil
		default:
			dev, err := showDev("addr show", args, &i, r.dev)
			if err != nil {
				return nil, err
			}
			r.dev = dev
		}
	}
	return r, nil
}

func (r addrReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	l, err := e.linkByName(c, r.dev, modifyVerb("addr", r.del), r.prefix.String())
	if err != nil {
		return err
	}
	a := &rtnl.Addr{
		PrefixLen: uint8(r.prefix.Bits()),
		Index:     l.Index,
		Local:     r.prefix.Addr(),
		Broadcast: r.brd,
		Label:     r.label,
		Scope:     r.scope,
	}
	if r.del {
		err = c.AddrDel(a)
	} else {
		err = c.AddrAdd(a)
	}
	return inNS(err, e.where())
}

func (r addrShowReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	set, shown, err := e.shownLinks(c, r.dev, "", "", r.up)
	if err != nil {
		return err
	}
	addrs, err := c.Addrs(e.opts.familyFilter())
	if err != nil {
		return inNS(err, e.where())
	}
	byIndex := map[int32][]*rtnl.Addr{}
	for i := range addrs {
		byIndex[addrs[i].Index] = append(byIndex[addrs[i].Index], &addrs[i])
	}
	st := linkStyle{mode: false, lladdr: e.opts.family == 0, inet6: e.opts.family == 6}
	var out []jobj
	for _, l := range shown {
		as := byIndex[l.Index]
		if e.opts.family != 0 && len(as) == 0 {
			continue // ip -4 a lists only links that have IPv4 addresses
		}
		if e.opts.brief {
			if e.opts.json {
				out = append(out, set.linkBriefJSON(l, st, as, true))
			} else {
				set.writeLinkBrief(e.out, l, st, as, true)
			}
			continue
		}
		if e.opts.json {
			o := set.linkJSON(l, st)
			info := []jobj{}
			for _, a := range as {
				info = append(info, addrJSON(a))
			}
			o.add(jAddrInfo, info)
			out = append(out, o)
			continue
		}
		set.writeLinkText(e.out, l, st)
		for _, a := range as {
			writeAddrText(e.out, a)
		}
	}
	if e.opts.json {
		if out == nil {
			out = []jobj{}
		}
		return writeJSON(e.out, e.opts, out)
	}
	return nil
}

// peerOf returns the point-to-point peer (IFA_ADDRESS differing from
// IFA_LOCAL), if any.
func peerOf(a *rtnl.Addr) (netip.Addr, bool) {
	if a.Local.IsValid() && a.Address.IsValid() && a.Local != a.Address {
		return a.Address, true
	}
	return netip.Addr{}, false
}

// writeAddrText prints one address as print_addrinfo() does.
func writeAddrText(w io.Writer, a *rtnl.Addr) {
	var b strings.Builder
	fmt.Fprintf(&b, "    %s %s", a.Family, a.IP())
	if p, ok := peerOf(a); ok {
		fmt.Fprintf(&b, " peer %s", p)
	}
	fmt.Fprintf(&b, "/%d ", a.PrefixLen)
	if a.Broadcast.IsValid() {
		fmt.Fprintf(&b, "brd %s ", a.Broadcast)
	}
	fmt.Fprintf(&b, "scope %s ", a.Scope)
	for _, f := range a.Flags.Words(a.Family) {
		b.WriteString(f + " ")
	}
	b.WriteString(a.Label)
	fmt.Fprintf(&b, "\n       valid_lft %s preferred_lft %s\n", lifetime(a.ValidLft), lifetime(a.PreferredLft))
	io.WriteString(w, b.String())
}

func lifetime(s uint32) string {
	if s == rtnl.Forever {
		return "forever"
	}
	return fmt.Sprintf("%dsec", s)
}

// addrJSON is one element of addr_info[].
func addrJSON(a *rtnl.Addr) jobj {
	o := jobj{{jFamily, a.Family.String()}, {jLocal, a.IP().String()}}
	if p, ok := peerOf(a); ok {
		o.add(jAddress, p.String())
	}
	o.add(jPrefixlen, a.PrefixLen)
	if a.Broadcast.IsValid() {
		o.add(jBroadcast, a.Broadcast.String())
	}
	o.add(jScope, a.Scope.String())
	for _, f := range a.Flags.Words(a.Family) {
		o.add(f, true)
	}
	if a.Label != "" {
		o.add(jLabel, a.Label)
	}
	o.add(jValidLife, a.ValidLft)
	o.add(jPreferredLft, a.PreferredLft)
	return o
}
