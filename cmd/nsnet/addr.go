package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"syscall"

	"github.com/nsnet/nsnet/rtnl"
)

const addrUsage = `Usage: nsnet addr add CIDR dev DEV [brd +|broadcast ADDR] [label LABEL] [scope SCOPE]
                     [valid_lft forever|SECS] [preferred_lft forever|SECS]
                     [nodad] [noprefixroute] [home] [mngtmpaddr] [autojoin]
       nsnet addr del CIDR dev DEV
       nsnet addr show [[dev] DEV] [SELECTOR...]
       nsnet addr flush [[dev] DEV] [SELECTOR...]
SELECTOR := up | scope SCOPE | to PREFIX | label PATTERN | FLAG | -FLAG
FLAG := permanent | dynamic | secondary | primary | tentative | deprecated |
        dadfailed | temporary | mngtmpaddr | noprefixroute | home | nodad ...
CIDR is ADDRESS/PREFIXLEN (192.168.15.1/24, fd00::1/64); a bare ADDRESS is
a host address (/32 or /128), except that addr del of a bare IPv4 ADDRESS
deletes it whatever its prefix length, as ip does (with ip's warning).
Without scope, an address in 127.0.0.0/8 gets scope host, as with ip.
"nsnet a" and "nsnet addr" show every address; flush needs a selector.
Abbreviations as in iproute2: ip a, ip addr sh, ip a a, ip a d, ip a f.
`

// addrReq is `addr add` / `addr del`.
type addrReq struct {
	del    bool
	prefix netip.Prefix
	dev    string
	brd    netip.Addr
	label  string
	scope  rtnl.Scope
	// anyLen: addr del of a bare IPv4 address, which iproute2 sends
	// without IFA_ADDRESS, so that it matches any prefix length.
	anyLen bool
	flags  rtnl.AddrFlags // nodad, home, mngtmpaddr, noprefixroute, autojoin
	// valid, preferred: valid_lft and preferred_lft in seconds (Forever
	// when not given; sent only when one of them is).
	valid, preferred uint32
	lft              bool
}

// addrShowReq is `addr show`, and `addr flush` when flush is set.
type addrShowReq struct {
	dev   string
	f     addrFilter
	flush bool
	// family is -4/-6, or what "to PREFIX" implies without them (as in
	// iproute2, where the prefix sets filter.family).
	family int
}

// addrFilter is iproute2's address filter (ip/ipaddress.c: filter.up,
// scope/scopemask, flags/flagmask, label, pfx), shared by show and flush.
type addrFilter struct {
	up        bool
	scope     rtnl.Scope
	scopeMask rtnl.Scope // 0: any scope ("scope all", or none given)
	flags     rtnl.AddrFlags
	flagMask  rtnl.AddrFlags
	label     string // a shell pattern, as fnmatch(3) reads it
	to        netip.Prefix
}

// any reports whether a selector about addresses is set: then, as
// iproute2's ipaddr_filter, links without a matching address are not
// listed.
func (f addrFilter) any() bool {
	return f.scopeMask != 0 || f.flagMask != 0 || f.label != "" || f.to.IsValid()
}

// match is iproute2's per-address test (print_addrinfo and ipaddr_filter):
// scope, flags, label (the link's name when the address has none) and
// the "to" prefix.
func (f addrFilter) match(a *rtnl.Addr, linkName string) bool {
	if (f.scope^a.Scope)&f.scopeMask != 0 || (f.flags^a.Flags)&f.flagMask != 0 {
		return false
	}
	if f.label != "" {
		label := a.Label
		if label == "" {
			label = linkName
		}
		if ok, err := path.Match(f.label, label); !ok || err != nil {
			return false
		}
	}
	if f.to.IsValid() {
		ip := a.IP()
		if ip.Is4() != f.to.Addr().Is4() || !f.to.Contains(ip) {
			return false
		}
	}
	return true
}

// parseAddr reads `addr COMMAND ...` in iproute2's do_ipaddr() order.
func parseAddr(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return addrShowReq{family: o.family}, nil
	}
	return pickVerb("addr", args[0], args[1:], o, []verb{
		{names: []string{"add"}, parse: func(a []string, o opts) (request, error) { return parseAddrModify(false, a, o) }},
		{names: []string{"change"}, exact: []string{"chg"}},
		{names: []string{"replace"}},
		{names: []string{"delete"}, parse: func(a []string, o opts) (request, error) { return parseAddrModify(true, a, o) }},
		{names: []string{"list", "show", "lst"}, parse: parseAddrShow},
		{names: []string{"flush"}, parse: parseAddrFlush},
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
	brdPlus, scoped, bare := false, false, false
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
				scoped = true
			}
		case w == "valid_lft" || w == "preferred_lft":
			if v, err = val("forever or a number of seconds"); err == nil {
				var n uint32
				if n, err = parseLifetime(verb, w, v); err == nil {
					if !r.lft {
						r.valid, r.preferred, r.lft = rtnl.Forever, rtnl.Forever, true
					}
					if w == "valid_lft" {
						r.valid = n
					} else {
						r.preferred = n
					}
				}
			}
		case w == "nodad" || w == "home" || w == "mngtmpaddr" || w == "noprefixroute" || w == "autojoin":
			bit, _ := rtnl.ParseAddrFlag(w)
			r.flags |= bit
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
			bare = !strings.Contains(w, "/")
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
	if r.lft && r.valid == 0 {
		return nil, withIP(fmt.Errorf("%s: valid_lft is 0: the address would expire at once", verb), 1, "valid_lft is zero")
	}
	if r.lft && r.preferred > r.valid {
		return nil, withIP(fmt.Errorf("%s: preferred_lft %d is greater than valid_lft %d", verb, r.preferred, r.valid), 1,
			"preferred_lft is greater than valid_lft")
	}
	// ipaddr_modify: no scope given, default_scope(): host for 127/8.
	if !scoped && !del && r.prefix.Addr().Is4() && r.prefix.Addr().As4()[0] == 127 {
		r.scope = rtnl.ScopeHost
	}
	r.anyLen = del && bare && r.prefix.Addr().Is4()
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

func parseAddrShow(args []string, o opts) (request, error) { return parseAddrSelect(false, args, o) }

func parseAddrFlush(args []string, o opts) (request, error) { return parseAddrSelect(true, args, o) }

// parseAddrSelect reads the selectors of iproute2's
// ipaddr_list_flush_or_save(), for show and flush.
func parseAddrSelect(flush bool, args []string, o opts) (request, error) {
	ctx := "addr show"
	if flush {
		ctx = "addr flush"
		if len(args) == 0 {
			return nil, withIP(fmt.Errorf("addr flush: a selector is required: expected addr flush dev DEV (or label, scope, to...)"), 1,
				"Flush requires arguments.")
		}
	}
	r := addrShowReq{flush: flush, family: o.family}
	for i := 0; i < len(args); i++ {
		w := args[i]
		val := func(what string) (string, error) { return nextArg(ctx, args, &i, w, what) }
		var err error
		var v string
		switch {
		case w == "up":
			r.f.up = true
		case w == "scope":
			if v, err = val("a scope"); err == nil {
				r.f.scopeMask = 0xff
				if v == "all" {
					r.f.scopeMask = 0
				} else if sc, ok := rtnl.ParseScope(v); ok {
					r.f.scope = sc
				} else {
					err = fmt.Errorf("%s: scope %q is invalid: expected host, link, global, site, all or a number", ctx, v)
				}
			}
		case w == "label":
			if v, err = val("a label pattern"); err == nil {
				if _, perr := path.Match(v, ""); perr != nil {
					err = fmt.Errorf("%s: label pattern %q is invalid: %w", ctx, v, perr)
				}
				r.f.label = v
			}
		case w == "to":
			if v, err = val("a prefix"); err == nil {
				var p netip.Prefix
				if p, err = parseIfAddr(v, o); err == nil {
					r.f.to = p.Masked()
					if r.family == 0 {
						r.family = 6
						if p.Addr().Is4() {
							r.family = 4
						}
					}
				}
			}
		case matches(w, "help"):
			return helpReq{text: addrUsage}, nil
		case addrFlagWord(&r.f, w):
		default:
			dev, err := showDev(ctx, args, &i, r.dev)
			if err != nil {
				return nil, err
			}
			r.dev = dev
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// addrFlagWord is iproute2's get_filter(): a flag name of
// ifa_flag_names[] selects addresses with it, "-name" those without;
// dynamic is -permanent and primary is -secondary.
func addrFlagWord(f *addrFilter, w string) bool {
	inv := strings.HasPrefix(w, "-")
	w = strings.TrimPrefix(w, "-")
	switch w {
	case "dynamic":
		inv, w = !inv, "permanent"
	case "primary":
		inv, w = !inv, "secondary"
	}
	bit, ok := rtnl.ParseAddrFlag(w)
	if !ok {
		return false
	}
	if inv {
		f.flags &^= bit
	} else {
		f.flags |= bit
	}
	f.flagMask |= bit
	return true
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
		Flags:     r.flags,
	}
	if r.lft {
		a.ValidLft, a.PreferredLft = r.valid, r.preferred
	}
	switch {
	case r.anyLen:
		// iproute2 prints this, word for word, and deletes the address
		// whatever its prefix length.
		fmt.Fprintf(e.stderr, "Warning: Executing wildcard deletion to stay compatible with old scripts.\n"+
			"         Explicitly specify the prefix length (%s) to avoid this warning.\n"+
			"         This special behaviour is likely to disappear in further releases,\n"+
			"         fix your scripts!\n", r.prefix)
		err = c.AddrDelLocal(a)
	case r.del:
		err = c.AddrDel(a)
	default:
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
	set, shown, err := e.shownLinks(c, r.dev, "", "", r.f.up)
	if err != nil {
		return err
	}
	if r.flush {
		return r.flushAddrs(e, c, set, shown)
	}
	byIndex, err := r.selected(e, c, set)
	if err != nil {
		return err
	}
	// `ip -6 addr` without a device reads the links through the kernel's
	// AF_INET6 link dump (inet6_fill_ifinfo: no qdisc, master, group or
	// link-netnsid); with `dev X` it asks for that link by RTM_GETLINK,
	// which answers in full.
	st := linkStyle{mode: false, lladdr: r.family == 0, inet6: r.family == 6 && r.dev == ""}
	noLink := r.f.label != "" // iproute2 prints the matching addresses alone
	var out []jobj
	for _, l := range shown {
		as := byIndex[l.Index]
		if (r.family != 0 || r.f.any()) && len(as) == 0 {
			continue // ip -4 a lists only links that have IPv4 addresses; a selector, those with a match
		}
		if noLink && !e.opts.brief {
			if e.opts.json {
				info := []jobj{}
				for _, a := range as {
					info = append(info, addrJSON(a))
				}
				out = append(out, jobj{{jAddrInfo, info}})
				continue
			}
			for _, a := range as {
				writeAddrText(e.out, a)
			}
			continue
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

// selected dumps the addresses of -4/-6's family and returns those that
// r's selectors keep, by link index.
func (r addrShowReq) selected(e *env, c *rtnl.Conn, set *linkSet) (map[int32][]*rtnl.Addr, error) {
	addrs, err := c.Addrs(opts{family: r.family}.familyFilter())
	if err != nil {
		return nil, inNS(err, e.where())
	}
	byIndex := map[int32][]*rtnl.Addr{}
	for i := range addrs {
		a := &addrs[i]
		if r.f.match(a, set.name(a.Index)) {
			byIndex[a.Index] = append(byIndex[a.Index], a)
		}
	}
	return byIndex, nil
}

// maxFlushRounds is iproute2's max_flush_loops: a flush dumps and deletes
// again until nothing matches (deleting a primary address can promote a
// secondary, which then matches anew), at most this many times.
const maxFlushRounds = 10

// flushAddrs is iproute2's ipaddr_flush(): each round deletes every
// address of the shown links that the selectors keep, as dumped. An
// address that is already gone (a secondary deleted with its primary) is
// not an error. Selecting primary addresses flushes one round only, so
// that promoted secondaries stay.
func (r addrShowReq) flushAddrs(e *env, c *rtnl.Conn, set *linkSet, shown []*rtnl.Link) error {
	links := map[int32]bool{}
	for _, l := range shown {
		links[l.Index] = true
	}
	for round := 0; round < maxFlushRounds; round++ {
		byIndex, err := r.selected(e, c, set)
		if err != nil {
			return err
		}
		b := c.Batch()
		for idx, as := range byIndex {
			if !links[idx] {
				continue
			}
			for _, a := range as {
				b.AddrDelAsDumped(a)
			}
		}
		if b.Len() == 0 {
			return nil
		}
		results, err := b.FlushEach()
		for _, res := range results {
			if res != nil && !errors.Is(res, rtnl.ErrNotSent) && !isAddrGone(res) {
				return inNS(res, e.where())
			}
		}
		if err != nil {
			return inNS(err, e.where())
		}
		if r.f.flagMask&rtnl.AddrSecondary != 0 && r.f.flags&rtnl.AddrSecondary == 0 {
			return nil
		}
	}
	fmt.Fprintf(e.stderr, "*** Flush remains incomplete after %d rounds. ***\n", maxFlushRounds)
	return errFlushIncomplete
}

// errFlushIncomplete: addresses still matched after maxFlushRounds.
var errFlushIncomplete = errors.New("addr flush: addresses still match after 10 rounds (something adds them back)")

// isAddrGone reports an RTM_DELADDR refused because the address is no
// longer there: EADDRNOTAVAIL, as when a primary took its secondaries.
func isAddrGone(err error) bool { return errors.Is(err, syscall.EADDRNOTAVAIL) }

// parseLifetime reads valid_lft/preferred_lft: "forever" or seconds
// below 2^32-1 (iproute2's get_u32, INFINITY_LIFE_TIME for forever).
func parseLifetime(verb, what, v string) (uint32, error) {
	if v == "forever" {
		return rtnl.Forever, nil
	}
	n, err := strconv.ParseUint(v, 0, 32)
	if err != nil {
		return 0, withIP(fmt.Errorf("%s: %s %q is invalid: expected forever or a number of seconds", verb, what, v), 255,
			"Error: argument \"%s\" is wrong: %s value", v, what)
	}
	return uint32(n), nil
}
