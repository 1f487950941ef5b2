package main

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/rtnl"
)

const ruleUsage = `Usage: nsnet rule { add | del } SELECTOR ACTION
       nsnet rule flush [ SELECTOR ]
       nsnet rule [ list [ SELECTOR ]]
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]
            [ fwmark FWMARK[/MASK] ] [ iif STRING ] [ oif STRING ]
            [ pref NUMBER ] [ l3mdev ] [ uidrange NUMBER-NUMBER ]
            [ ipproto PROTOCOL ] [ sport [ NUMBER | NUMBER-NUMBER ] ]
            [ dport [ NUMBER | NUMBER-NUMBER ] ]
ACTION := [ table TABLE_ID ] [ protocol PROTO ] [ nat ADDRESS ]
          [ goto NUMBER ] [ TYPE ] SUPPRESSOR
SUPPRESSOR := [ suppress_prefixlength NUMBER ] [ suppress_ifgroup DEVGROUP ]
TABLE_ID := [ local | main | default | NUMBER | a name in /etc/iproute2/rt_tables ]
TYPE := [ unicast | blackhole | unreachable | prohibit | nop ]
As iproute2 6.1: IPv4 unless -6; "rule flush" deletes every matching rule
that has a priority, the main and default rules included.
`

// ruleReq is `rule add` / `rule del`: the rule as iproute2's
// iprule_modify() builds it, with the words that name files' entries
// (table, ipproto) resolved when it runs.
type ruleReq struct {
	del     bool
	rule    rtnl.Rule
	table   tableRef // "" when not given
	ipproto string   // "" when not given
	tos     string   // "" when not given
	nat     bool     // "nat ADDR": iproute2 warns that route NAT is deprecated
}

// ruleShowReq is `rule [list|show|flush] [SELECTOR]`.
type ruleShowReq struct {
	flush bool
	f     ruleFilter
}

// ruleFilter is iproute2's filter of iprule_list_flush_or_save().
type ruleFilter struct {
	pref           *uint32
	not            bool
	tos            *string
	fwmark, fwmask uint32
	iif, oif       string
	l3mdev         bool
	uid            *rtnl.RuleRange[uint32]
	table          tableRef
	src, dst       netip.Prefix // invalid: no filter
	proto          *string      // "all" is no filter
	ipproto        string
	sport, dport   *rtnl.RuleRange[uint16]
}

func parseRule(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return ruleShowReq{}, nil
	}
	return pickVerb("rule", args[0], args[1:], o, []verb{
		{names: []string{"list", "lst", "show"}, parse: func(a []string, o opts) (request, error) { return parseRuleShow(false, a, o) }},
		{names: []string{"save"}},
		{names: []string{"restore"}},
		{names: []string{"add"}, parse: func(a []string, o opts) (request, error) { return parseRuleModify(false, a, o) }},
		{names: []string{"delete"}, parse: func(a []string, o opts) (request, error) { return parseRuleModify(true, a, o) }},
		{names: []string{"flush"}, parse: func(a []string, o opts) (request, error) { return parseRuleShow(true, a, o) }},
		helpVerb(ruleUsage),
	})
}

// ruleInvarg is iproute2's invarg(msg, arg) for the rule commands: exit
// 255 as ip, 2 as nsnet.
func ruleInvarg(ctx, arg, msg string) error {
	return withIP(fmt.Errorf("%s: %q is invalid: %s", ctx, arg, strings.TrimSuffix(msg, "\n")), ipUsageStatus,
		"Error: argument %q is wrong: %s", arg, msg)
}

// rulePrefix reads PREFIX of from/to as get_prefix() does: all, any and
// default match everything (ok, invalid prefix), an address without a
// length is a host.
func rulePrefix(w string, o opts) (netip.Prefix, bool, error) {
	switch w {
	case "all", "any", "default":
		return netip.Prefix{}, true, nil
	}
	p, err := parseIfAddr(w, o)
	if err != nil {
		return p, false, withIP(err, 1, "Error: %s prefix is expected rather than %q.", familyVerbose(o), w)
	}
	return p, false, nil
}

// parseU32 is get_u32(&v, s, 0).
func parseU32(s string) (uint32, bool) {
	n, ok := parseCUint(s)
	return uint32(n), ok && n <= 1<<32-1
}

// parseRange reads sscanf("%u-%u") (two numbers) or, when one is
// allowed, sscanf("%hu-%hu") == 1 (a single port, start = end).
func parseRange(s string, one bool, max uint64) (start, end uint64, ok bool) {
	a, b, two := strings.Cut(s, "-")
	x, err1 := strconv.ParseUint(a, 10, 64)
	if err1 != nil || x > max {
		return 0, 0, false
	}
	if !two {
		return x, x, one
	}
	y, err2 := strconv.ParseUint(b, 10, 64)
	return x, y, err2 == nil && y <= max
}

func parseRuleModify(del bool, args []string, o opts) (request, error) {
	verb := modifyVerb("rule", del)
	if len(args) == 0 {
		return nil, withIP(fmt.Errorf("%s: expected a selector or an action, see nsnet rule help", verb), 1,
			"\"ip %s\" requires arguments.", verb)
	}
	r := ruleReq{del: del}
	q := &r.rule
	typed := false
	q.Family = o.familyFilter()
	if q.Family == rtnl.FamilyAll {
		q.Family = rtnl.FamilyInet // iprule_modify: AF_INET unless -6
	}
	for i := 0; i < len(args); i++ {
		w := args[i]
		val := func() (string, error) { return nextArg(verb, args, &i, w, "a value") }
		v, err := "", error(nil)
		switch {
		case w == "not":
			q.Flags |= rtnl.RuleInvert
		case w == "from" || w == "to":
			if v, err = val(); err != nil {
				return nil, err
			}
			p, any, err := rulePrefix(v, o)
			if err != nil {
				return nil, err
			}
			switch {
			case w == "from" && any:
				q.AnySrc = true
			case w == "from":
				q.Src, q.SrcLen = p.Addr(), uint8(p.Bits())
			case any:
				q.AnyDst = true
			default:
				q.Dst, q.DstLen = p.Addr(), uint8(p.Bits())
			}
		case matches(w, "preference") || matches(w, "order") || matches(w, "priority"):
			if v, err = val(); err == nil {
				var ok bool
				if q.Priority, ok = parseU32(v); !ok {
					return nil, ruleInvarg(verb, v, "preference value is invalid\n")
				}
				q.HasPriority = true
			}
		case w == "tos" || matches(w, "dsfield"):
			if v, err = val(); err == nil {
				r.tos = v
			}
		case w == "fwmark":
			if v, err = val(); err == nil {
				mark, mask, slash := strings.Cut(v, "/")
				var ok bool
				if q.Mark, ok = parseU32(mark); !ok {
					return nil, ruleInvarg(verb, mark, "fwmark value is invalid\n")
				}
				q.HasMark = true
				if slash {
					if q.Mask, ok = parseU32(mask); !ok {
						return nil, ruleInvarg(verb, mask, "fwmask value is invalid\n")
					}
					q.HasMask = true
				}
			}
		case matches(w, "protocol"):
			if v, err = val(); err == nil {
				p, ok := rtnl.ParseRouteProtocol(v)
				if !ok {
					return nil, ruleInvarg(verb, v, "\"protocol\" value is invalid\n")
				}
				q.Protocol, q.HasProtocol = p, true
			}
		case matches(w, "table") || w == "lookup":
			if v, err = val(); err == nil {
				r.table = tableRef(v)
			}
		case matches(w, "suppress_prefixlength") || w == "sup_pl":
			if v, err = val(); err == nil {
				n, ok := parseCUint(v)
				if !ok || n > 1<<31-1 {
					return nil, ruleInvarg(verb, v, "suppress_prefixlength value is invalid\n")
				}
				q.SuppressPrefixLen, q.HasSuppressPrefixLen = int32(n), true
			}
		case matches(w, "suppress_ifgroup") || w == "sup_group":
			if v, err = val(); err == nil {
				n, ok := parseCUint(v)
				if v == "default" {
					n, ok = 0, true
				}
				if !ok || n > 1<<31-1 {
					return nil, ruleInvarg(verb, v, "Invalid \"suppress_ifgroup\" value\n")
				}
				q.SuppressIfGroup, q.HasSuppressIfGroup = int32(n), true
			}
		case w == "dev" || w == "iif" || w == "oif":
			if v, err = val(); err == nil {
				if checkIfName("interface name", v) != nil {
					msg := "\"iif\"/\"dev\" not a valid ifname"
					if w == "oif" {
						msg = "\"oif\" not a valid ifname"
					}
					return nil, ruleInvarg(verb, v, msg)
				}
				if w == "oif" {
					q.OIF = v
				} else {
					q.IIF = v
				}
			}
		case w == "l3mdev":
			q.L3MDev, q.HasL3MDev = 1, true
		case w == "uidrange":
			if v, err = val(); err == nil {
				a, b, ok := parseRange(v, false, 1<<32-1)
				if !ok {
					return nil, ruleInvarg(verb, v, "invalid UID range\n")
				}
				q.UIDRange = &rtnl.RuleRange[uint32]{Start: uint32(a), End: uint32(b)}
			}
		case w == "nat" || matches(w, "map-to"):
			if v, err = val(); err == nil {
				a, perr := netip.ParseAddr(v)
				if perr != nil || !a.Is4() {
					return nil, withIP(fmt.Errorf("%s: nat %q: expected an IPv4 address", verb, v), 1,
						"Error: an IP address is expected rather than %q", v)
				}
				q.Gateway, q.Action, r.nat = a, rtnl.RuleNAT, true
			}
		case w == "ipproto":
			if v, err = val(); err == nil {
				r.ipproto = v
			}
		case w == "sport" || w == "dport":
			if v, err = val(); err == nil {
				a, b, ok := parseRange(v, true, 65535)
				if !ok {
					msg := "invalid port range\n"
					if w == "dport" {
						msg = "invalid dport range\n"
					}
					return nil, ruleInvarg(verb, v, msg)
				}
				pr := &rtnl.RuleRange[uint16]{Start: uint16(a), End: uint16(b)}
				if w == "sport" {
					q.SPort = pr
				} else {
					q.DPort = pr
				}
			}
		case matches(w, "realms") || matches(w, "tun_id"):
			return nil, &notImplemented{fmt.Sprintf("%s: %q is not implemented by nsnet", verb, w)}
		default:
			if w == "type" {
				if w, err = val(); err != nil {
					return nil, err
				}
			}
			switch {
			case matches(w, "help"):
				return helpReq{text: ruleUsage}, nil
			case matches(w, "goto"):
				if v, err = nextArg(verb, args, &i, w, "a priority"); err != nil {
					return nil, err
				}
				var ok bool
				if q.Goto, ok = parseU32(v); !ok {
					return nil, ruleInvarg(verb, v, "invalid target\n")
				}
				q.HasGoto, q.Action = true, rtnl.RuleGoto
			case matches(w, "nop"):
				q.Action = rtnl.RuleNop
			default:
				t, ok := rtnl.ParseRouteType(w)
				if !ok {
					return nil, ruleInvarg(verb, w, "Failed to parse rule type")
				}
				q.Action = rtnl.RuleAction(t)
			}
			typed = true // iproute2's table_ok: no table main is added
		}
		if err != nil {
			return nil, err
		}
	}
	if q.HasL3MDev && r.table != "" {
		// iprule_modify returns -EINVAL, which do_cmd negates: exit 22
		return nil, withIP(fmt.Errorf("%s: a table cannot be given for an l3mdev rule", verb), 22,
			"table can not be specified for l3mdev rules")
	}
	if !del && !typed && r.table == "" && !q.HasL3MDev {
		q.Table = rtnl.TableMain
	}
	return r, nil
}

// ruleNames are the files a rule command reads names from: tables, TOS
// names and IP protocol names (/etc/protocols, as getprotobyname does).
type ruleNames struct {
	tables, dsfield *tableNames
	protos          *protoNames
}

func readRuleNames() ruleNames {
	return ruleNames{readTableNames(rtTablesDir), readDSField(rtTablesDir), readProtoNames("/etc/protocols")}
}

// resolve fills the fields named by words in files; bad words are bad
// input (ip: invarg), found before the request is sent.
func (r *ruleReq) resolve(n ruleNames) error {
	verb := modifyVerb("rule", r.del)
	q := &r.rule
	if r.table != "" {
		id, err := r.table.resolve(n.tables, verb, "invalid table ID\n")
		if err != nil {
			return err
		}
		q.Table = id
	}
	if r.tos != "" {
		tos, ok := n.dsfield.dsfield(r.tos)
		if !ok {
			return &inputError{ruleInvarg(verb, r.tos, "TOS value is invalid\n")}
		}
		q.TOS = tos
	}
	if r.ipproto != "" {
		p, ok := n.protos.number(r.ipproto)
		if !ok {
			return &inputError{ruleInvarg(verb, r.ipproto, "Invalid \"ipproto\" value\n")}
		}
		q.IPProto, q.HasIPProto = p, true
	}
	return nil
}

func (r ruleReq) run(e *env) error {
	if err := r.resolve(readRuleNames()); err != nil {
		return err
	}
	if r.nat {
		fmt.Fprintln(e.stderr, "Warning: route NAT is deprecated")
	}
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if r.del {
		return inNS(c.RuleDel(&r.rule), e.where())
	}
	return inNS(c.RuleAdd(&r.rule), e.where())
}

func parseRuleShow(flush bool, args []string, o opts) (request, error) {
	ctx := "rule show"
	if flush {
		ctx = "rule flush"
	}
	r := ruleShowReq{flush: flush}
	f := &r.f
	for i := 0; i < len(args); i++ {
		w := args[i]
		val := func() (string, error) { return nextArg(ctx, args, &i, w, "a value") }
		v, err := "", error(nil)
		switch {
		case matches(w, "preference") || matches(w, "order") || matches(w, "priority"):
			if v, err = val(); err == nil {
				p, ok := parseU32(v)
				if !ok {
					return nil, ruleInvarg(ctx, v, "preference value is invalid\n")
				}
				f.pref = &p
			}
		case w == "not":
			f.not = true
		case w == "tos" || w == "dsfield":
			if v, err = val(); err == nil {
				f.tos = &v
			}
		case w == "fwmark":
			if v, err = val(); err == nil {
				mark, mask, slash := strings.Cut(v, "/")
				var ok bool
				if f.fwmark, ok = parseU32(mark); !ok {
					return nil, ruleInvarg(ctx, mark, "fwmark value is invalid\n")
				}
				if slash {
					if f.fwmask, ok = parseU32(mask); !ok {
						return nil, ruleInvarg(ctx, mask, "fwmask value is invalid\n")
					}
				}
			}
		case w == "dev" || w == "iif" || w == "oif":
			if v, err = val(); err == nil {
				if checkIfName("interface name", v) != nil {
					return nil, ruleInvarg(ctx, v, "\"iif\"/\"dev\" not a valid ifname")
				}
				if w == "oif" {
					f.oif = v
				} else {
					f.iif = v
				}
			}
		case w == "l3mdev":
			f.l3mdev = true
		case w == "uidrange":
			if v, err = val(); err == nil {
				a, b, ok := parseRange(v, false, 1<<32-1)
				if !ok {
					return nil, ruleInvarg(ctx, v, "invalid UID range\n")
				}
				f.uid = &rtnl.RuleRange[uint32]{Start: uint32(a), End: uint32(b)}
			}
		case matches(w, "tun_id"):
			return nil, &notImplemented{fmt.Sprintf("%s: %q is not implemented by nsnet", ctx, w)}
		case matches(w, "lookup") || matches(w, "table"):
			if v, err = val(); err == nil {
				f.table = tableRef(v)
			}
		case matches(w, "from") || matches(w, "src"):
			if v, err = val(); err == nil {
				p, any, perr := rulePrefix(v, o)
				if perr != nil {
					return nil, perr
				}
				f.src = p
				if any {
					f.src = anyPrefix(o)
				}
			}
		case matches(w, "protocol"):
			if v, err = val(); err == nil {
				if _, ok := rtnl.ParseRouteProtocol(v); !ok && v != "all" {
					return nil, ruleInvarg(ctx, v, "invalid \"protocol\"\n")
				}
				f.proto = &v
			}
		case w == "ipproto":
			if v, err = val(); err == nil {
				f.ipproto = v
			}
		case w == "sport" || w == "dport":
			if v, err = val(); err == nil {
				a, b, ok := parseRange(v, true, 65535)
				if !ok {
					msg := "invalid port range\n"
					if w == "dport" {
						msg = "invalid dport range\n"
					}
					return nil, ruleInvarg(ctx, v, msg)
				}
				pr := &rtnl.RuleRange[uint16]{Start: uint16(a), End: uint16(b)}
				if w == "sport" {
					f.sport = pr
				} else {
					f.dport = pr
				}
			}
		default:
			if matches(w, "dst") || matches(w, "to") {
				if w, err = val(); err != nil {
					return nil, err
				}
			}
			p, any, perr := rulePrefix(w, o)
			if perr != nil {
				return nil, perr
			}
			f.dst = p
			if any {
				f.dst = anyPrefix(o)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// anyPrefix is "all" as a filter: the family's /0, which matches every
// rule of the family.
func anyPrefix(o opts) netip.Prefix {
	if o.family == 6 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
}

// ruleFilterIDs is the filter with its file-named words resolved.
type ruleFilterIDs struct {
	table      uint32
	tos        *uint8
	proto      *rtnl.RouteProtocol
	ipproto    uint8
	hasIPProto bool
}

// keep is iproute2's filter_nlmsg() (and, for flush, the protocol test of
// flush_rule).
func (f *ruleFilter) keep(r *rtnl.Rule, ids ruleFilterIDs) bool {
	prefixOK := func(p netip.Prefix, addr netip.Addr, l uint8) bool {
		if !p.IsValid() {
			return true
		}
		if (p.Addr().Is4() != (r.Family == rtnl.FamilyInet)) || p.Bits() > int(l) {
			return false
		}
		return p.Bits() == 0 || !addr.IsValid() || p.Contains(addr)
	}
	switch {
	case f.pref != nil && (*f.pref != r.Priority),
		f.not && r.Flags&rtnl.RuleInvert == 0,
		!prefixOK(f.src, r.Src, r.SrcLen),
		!prefixOK(f.dst, r.Dst, r.DstLen),
		ids.tos != nil && *ids.tos != r.TOS,
		f.fwmark != 0 && f.fwmark != r.Mark,
		f.fwmask != 0 && f.fwmask != r.Mask,
		f.iif != "" && f.iif != r.IIF,
		f.oif != "" && f.oif != r.OIF,
		f.l3mdev && r.L3MDev == 0,
		f.uid != nil && (r.UIDRange == nil || *r.UIDRange != *f.uid),
		ids.hasIPProto && ids.ipproto != r.IPProto,
		f.sport != nil && (r.SPort == nil || *r.SPort != *f.sport),
		f.dport != nil && (r.DPort == nil || *r.DPort != *f.dport),
		ids.table > 0 && ids.table != r.Table:
		return false
	}
	return true
}

func (r ruleShowReq) run(e *env) error {
	n := readRuleNames()
	ctx := "rule show"
	if r.flush {
		ctx = "rule flush"
	}
	ids := ruleFilterIDs{}
	if r.f.table != "" {
		id, err := r.f.table.resolve(n.tables, ctx, "table id value is invalid\n")
		if err != nil {
			return err
		}
		ids.table = id
	}
	if r.f.tos != nil {
		tos, ok := n.dsfield.dsfield(*r.f.tos)
		if !ok {
			return &inputError{ruleInvarg(ctx, *r.f.tos, "TOS value is invalid\n")}
		}
		ids.tos = &tos
	}
	if r.f.ipproto != "" {
		p, ok := n.protos.number(r.f.ipproto)
		if !ok {
			return &inputError{ruleInvarg(ctx, r.f.ipproto, "Invalid \"ipproto\" value\n")}
		}
		ids.ipproto, ids.hasIPProto = p, true
	}
	if r.f.proto != nil && *r.f.proto != "all" {
		p, _ := rtnl.ParseRouteProtocol(*r.f.proto)
		ids.proto = &p
	}
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	fam := e.opts.familyFilter()
	if fam == rtnl.FamilyAll {
		fam = rtnl.FamilyInet // iprule_list_flush_or_save: AF_INET unless -6
	}
	rules, err := c.Rules(fam)
	if err != nil {
		return inNS(err, e.where())
	}
	out := []jobj{}
	for i := range rules {
		q := &rules[i]
		if q.Family != fam || !r.f.keep(q, ids) {
			continue
		}
		if r.flush {
			if ids.proto != nil && q.HasProtocol && q.Protocol != *ids.proto {
				continue
			}
			if !q.HasPriority {
				continue // the local rule (priority 0) is never flushed
			}
			if err := c.RuleDel(q); err != nil {
				return inNS(err, e.where())
			}
			continue
		}
		o := ruleFields(q, n)
		if e.opts.json {
			out = append(out, o.json())
		} else {
			io.WriteString(e.out, o.text())
		}
	}
	if e.opts.json && !r.flush {
		return writeJSON(e.out, e.opts, out)
	}
	return nil
}

// pfield is one print_*(PRINT_ANY, key, fmt, value) call of iproute2's
// print_rule(): text is what the format prints, key and val what JSON
// gets (key "" for PRINT_FP only; val nil for print_null).
type pfield struct {
	key  string
	text string
	val  any
}

type pfields []pfield

// add is not inlined: print_rule has some forty calls, and the binary's
// size budget is tight.
//
//go:noinline
func (p *pfields) add(key, text string, val any) { *p = append(*p, pfield{key, text, val}) }

func (p pfields) text() string {
	var b strings.Builder
	for _, f := range p {
		b.WriteString(f.text)
	}
	b.WriteString("\n")
	return b.String()
}

func (p pfields) json() jobj {
	var o jobj
	for _, f := range p {
		if f.key != "" {
			o.add(f.key, f.val)
		}
	}
	return o
}

// cHex is C's "%#llx": 0 is "0", not "0x0".
func cHex(n uint32) string {
	if n == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(uint64(n), 16)
}

// ruleFields is iproute2 6.1's print_rule(), field by field.
func ruleFields(r *rtnl.Rule, n ruleNames) pfields {
	var p pfields
	hostLen := uint8(32)
	if r.Family == rtnl.FamilyInet6 {
		hostLen = 128
	}
	p.add(jPriority, strconv.FormatUint(uint64(r.Priority), 10)+":\t", r.Priority)
	if r.Flags&rtnl.RuleInvert != 0 {
		p.add("not", "not ", nil)
	}
	switch {
	case r.Src.IsValid():
		p.add("", "from ", nil)
		p.add("src", r.Src.String(), r.Src.String())
		if r.SrcLen != hostLen {
			p.add("srclen", "/"+strconv.Itoa(int(r.SrcLen)), r.SrcLen)
		}
	case r.SrcLen != 0:
		p.add("src", "from 0", "0")
		p.add("srclen", "/"+strconv.Itoa(int(r.SrcLen)), r.SrcLen)
	default:
		p.add("src", "from all", "all")
	}
	switch {
	case r.Dst.IsValid():
		p.add("", " to ", nil)
		p.add("dst", r.Dst.String(), r.Dst.String())
		if r.DstLen != hostLen {
			p.add("dstlen", "/"+strconv.Itoa(int(r.DstLen)), r.DstLen)
		}
	case r.DstLen != 0:
		p.add("dst", " to 0", "0")
		p.add("dstlen", "/"+strconv.Itoa(int(r.DstLen)), r.DstLen)
	}
	if r.TOS != 0 {
		s := n.dsfield.dsfieldName(r.TOS)
		p.add("tos", " tos "+s, s)
	}
	if r.HasMark || r.HasMask {
		p.add("fwmark", " fwmark "+cHex(r.Mark), cHex(r.Mark))
		if r.HasMask && r.Mask != 0xffffffff {
			p.add("fwmask", "/"+cHex(r.Mask), cHex(r.Mask))
		}
	}
	if r.IIF != "" {
		p.add("iif", " iif "+r.IIF, r.IIF)
		if r.Flags&rtnl.RuleIIFDetached != 0 {
			p.add("iif_detached", " [detached]", nil)
		}
	}
	if r.OIF != "" {
		p.add("oif", " oif "+r.OIF, r.OIF)
		if r.Flags&rtnl.RuleOIFDetached != 0 {
			p.add("oif_detached", " [detached]", nil)
		}
	}
	if r.HasL3MDev && r.L3MDev != 0 {
		p.add("l3mdev", " lookup [l3mdev-table]", nil)
	}
	if u := r.UIDRange; u != nil {
		p.add("uid_start", " uidrange "+strconv.FormatUint(uint64(u.Start), 10), u.Start)
		p.add("uid_end", "-"+strconv.FormatUint(uint64(u.End), 10), u.End)
	}
	if r.HasIPProto {
		s := n.protos.name(r.IPProto)
		p.add("ipproto", " ipproto "+s, s)
	}
	for _, pr := range []struct {
		key string
		r   *rtnl.RuleRange[uint16]
	}{{"sport", r.SPort}, {"dport", r.DPort}} {
		switch {
		case pr.r == nil:
		case pr.r.Start == pr.r.End:
			p.add(pr.key, " "+pr.key+" "+strconv.Itoa(int(pr.r.Start)), pr.r.Start)
		default:
			p.add(pr.key+"_start", " "+pr.key+" "+strconv.Itoa(int(pr.r.Start)), pr.r.Start)
			p.add(pr.key+"_end", "-"+strconv.Itoa(int(pr.r.End)), pr.r.End)
		}
	}
	if r.Table != 0 {
		t := n.tables.name(r.Table)
		p.add("table", " lookup "+t, t)
		if r.HasSuppressPrefixLen && r.SuppressPrefixLen != -1 {
			p.add("suppress_prefixlen", " suppress_prefixlength "+strconv.Itoa(int(r.SuppressPrefixLen)), r.SuppressPrefixLen)
		}
		if r.HasSuppressIfGroup && r.SuppressIfGroup != -1 {
			g := strconv.Itoa(int(r.SuppressIfGroup))
			if r.SuppressIfGroup == 0 {
				g = "default" // /etc/iproute2/group
			}
			p.add("suppress_ifgroup", " suppress_ifgroup "+g, g)
		}
	}
	if r.HasFlow {
		from, to := strconv.Itoa(int(r.Flow>>16)), strconv.Itoa(int(r.Flow&0xffff))
		if r.Flow>>16 != 0 {
			p.add("flow_from", " realms "+from+"/", from)
		} else {
			p.add("", " realms ", nil)
		}
		p.add("flow_to", to, to)
	}
	switch r.Action {
	case rtnl.RuleNAT:
		if r.Gateway.IsValid() {
			p.add("nat_gateway", " map-to "+r.Gateway.String(), r.Gateway.String())
		} else {
			p.add("masquerade", " masquerade", nil)
		}
	case rtnl.RuleGoto:
		if r.HasGoto {
			p.add("goto", " goto "+strconv.FormatUint(uint64(r.Goto), 10), r.Goto)
		} else {
			p.add("goto", " goto none", "none")
		}
		if r.Flags&rtnl.RuleUnresolved != 0 {
			p.add("unresolved", " [unresolved]", nil)
		}
	case rtnl.RuleNop:
		p.add("nop", " nop", nil)
	case rtnl.RuleToTable:
	default:
		p.add("action", " "+r.Action.String(), r.Action.String())
	}
	if r.HasProtocol && r.Protocol != 0 && r.Protocol != rtnl.ProtoKernel {
		p.add(jProtocol, " proto "+r.Protocol.String(), r.Protocol.String())
	}
	return p
}

// protoNames is /etc/protocols as getprotobyname(3) and getprotobynumber(3)
// read it: "name number aliases...", '#' comments.
type protoNames struct {
	byName map[string]uint8
	byNum  map[uint8]string
}

func readProtoNames(path string) *protoNames {
	p := &protoNames{byName: map[string]uint8{}, byNum: map[uint8]string{}}
	b, err := os.ReadFile(path)
	if err != nil {
		return p
	}
	for _, line := range strings.Split(string(b), "\n") {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, err := strconv.ParseUint(f[1], 10, 8)
		if err != nil {
			continue
		}
		if _, ok := p.byNum[uint8(n)]; !ok {
			p.byNum[uint8(n)] = f[0]
		}
		for _, name := range append([]string{f[0]}, f[2:]...) {
			if _, ok := p.byName[name]; !ok {
				p.byName[name] = uint8(n)
			}
		}
	}
	return p
}

// number is inet_proto_a2n(): a decimal number up to 255, else a name.
func (p *protoNames) number(s string) (uint8, bool) {
	if n, err := strconv.ParseUint(s, 10, 8); err == nil {
		return uint8(n), true
	}
	n, ok := p.byName[s]
	return n, ok
}

// name is inet_proto_n2a(): the protocol's name, or "ipproto-N".
func (p *protoNames) name(n uint8) string {
	if s, ok := p.byNum[n]; ok {
		return s
	}
	return "ipproto-" + strconv.Itoa(int(n))
}
