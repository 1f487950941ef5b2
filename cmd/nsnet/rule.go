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

// ruleArgs is what the words of a rule command say: the rule that `rule
// add/del` sends, or, for `rule show/flush`, the template its filter
// compares with (iproute2's filter of iprule_list_flush_or_save()). Words
// that name entries of files (table, tos, ipproto) are resolved when the
// command runs (parse reads no file).
type ruleArgs struct {
	rule    rtnl.Rule
	table   tableRef // "" when not given
	tos     string   // "" when not given
	ipproto string   // "" when not given
	proto   string   // show/flush: "protocol" word ("all": no filter)
	nat     bool     // "nat ADDR": iproute2 warns that route NAT is deprecated
}

// ruleReq is `rule add` / `rule del`.
type ruleReq struct {
	del bool
	ruleArgs
}

// ruleShowReq is `rule [list|show|flush] [SELECTOR]`.
type ruleShowReq struct {
	flush bool
	ruleArgs
}

func parseRule(args []string, o opts) (request, error) {
	modify := func(del bool) func([]string, opts) (request, error) {
		return func(a []string, o opts) (request, error) {
			verb := modifyVerb("rule", del)
			if len(a) == 0 {
				return nil, withIP(fmt.Errorf("%s: expected a selector or an action, see nsnet rule help", verb), 1,
					"\"ip %s\" requires arguments.", verb)
			}
			ra, err := parseRuleArgs(verb, false, del, a, o)
			if err != nil || ra == nil {
				return helpOr(err, ruleUsage)
			}
			return ruleReq{del, *ra}, nil
		}
	}
	show := func(flush bool) func([]string, opts) (request, error) {
		return func(a []string, o opts) (request, error) {
			ctx := "rule show"
			if flush {
				ctx = "rule flush"
			}
			ra, err := parseRuleArgs(ctx, true, false, a, o)
			if err != nil {
				return nil, err
			}
			return ruleShowReq{flush, *ra}, nil
		}
	}
	if len(args) == 0 {
		return show(false)(nil, o)
	}
	return pickVerb("rule", args[0], args[1:], o, []verb{
		{names: []string{"list", "lst", "show"}, parse: show(false)},
		{names: []string{"save"}},
		{names: []string{"restore"}},
		{names: []string{"add"}, parse: modify(false)},
		{names: []string{"delete"}, parse: modify(true)},
		{names: []string{"flush"}, parse: show(true)},
		helpVerb(ruleUsage),
	})
}

// ruleInvarg is iproute2's invarg(msg, arg) for the rule commands: exit
// 255 as ip, 2 as nsnet.
func ruleInvarg(ctx, arg, msg string) error {
	return withIP(fmt.Errorf("%s: %q is invalid: %s", ctx, arg, strings.TrimSuffix(msg, "\n")), ipUsageStatus,
		"Error: argument %q is wrong: %s", arg, msg)
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

// parseRuleArgs reads the words of iproute2 6.1's iprule_modify() (show
// false) or iprule_list_flush_or_save() (show true): the same selectors,
// with the few differences of keyword matching and messages that iprule.c
// has between the two. A nil result with a nil error is "help".
func parseRuleArgs(ctx string, show, del bool, args []string, o opts) (*ruleArgs, error) {
	r := &ruleArgs{}
	q := &r.rule
	q.Family = o.familyFilter()
	if q.Family == rtnl.FamilyAll {
		q.Family = rtnl.FamilyInet // AF_INET unless -6
	}
	typed := false
	for i := 0; i < len(args); i++ {
		w := args[i]
		v, err := "", error(nil)
		// takes is NEXT_ARG(): the keyword w takes the next word.
		takes := func() bool {
			if err == nil {
				v, err = nextArg(ctx, args, &i, w, "a value")
			}
			return err == nil
		}
		switch {
		case w == "not":
			q.Flags |= rtnl.RuleInvert
		case w == "from" || show && (matches(w, "from") || matches(w, "src")) || !show && w == "to":
			if takes() {
				err = r.prefix(w == "to", v, o)
			}
		case matches(w, "preference") || matches(w, "order") || matches(w, "priority"):
			if takes() {
				var ok bool
				if q.Priority, ok = parseU32(v); !ok {
					return nil, ruleInvarg(ctx, v, "preference value is invalid\n")
				}
				q.HasPriority = true
			}
		case w == "tos" || w == "dsfield" || !show && matches(w, "dsfield"):
			if takes() {
				r.tos = v
			}
		case w == "fwmark":
			if takes() {
				mark, mask, slash := strings.Cut(v, "/")
				var ok bool
				if q.Mark, ok = parseU32(mark); !ok {
					return nil, ruleInvarg(ctx, mark, "fwmark value is invalid\n")
				}
				q.HasMark = true
				if slash {
					if q.Mask, ok = parseU32(mask); !ok {
						return nil, ruleInvarg(ctx, mask, "fwmask value is invalid\n")
					}
					q.HasMask = true
				}
			}
		case matches(w, "protocol"):
			if takes() {
				p, ok := rtnl.ParseRouteProtocol(v)
				switch {
				case show && (ok || v == "all"):
					r.proto = v
				case show:
					return nil, ruleInvarg(ctx, v, "invalid \"protocol\"\n")
				case !ok:
					return nil, ruleInvarg(ctx, v, "\"protocol\" value is invalid\n")
				}
				q.Protocol, q.HasProtocol = p, !show
			}
		case matches(w, "table") || w == "lookup" || show && matches(w, "lookup"):
			if takes() {
				r.table = tableRef(v)
			}
		case !show && (matches(w, "suppress_prefixlength") || w == "sup_pl"):
			if takes() {
				n, ok := parseCUint(v)
				if !ok || n > 1<<31-1 {
					return nil, ruleInvarg(ctx, v, "suppress_prefixlength value is invalid\n")
				}
				q.SuppressPrefixLen, q.HasSuppressPrefixLen = int32(n), true
			}
		case !show && (matches(w, "suppress_ifgroup") || w == "sup_group"):
			if takes() {
				n, ok := parseCUint(v)
				if v == "default" { // /etc/iproute2/group
					n, ok = 0, true
				}
				if !ok || n > 1<<31-1 {
					return nil, ruleInvarg(ctx, v, "Invalid \"suppress_ifgroup\" value\n")
				}
				q.SuppressIfGroup, q.HasSuppressIfGroup = int32(n), true
			}
		case w == "dev" || w == "iif" || w == "oif":
			if takes() {
				if checkIfName("interface name", v) != nil {
					msg := "\"iif\"/\"dev\" not a valid ifname"
					if w == "oif" && !show {
						msg = "\"oif\" not a valid ifname"
					}
					return nil, ruleInvarg(ctx, v, msg)
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
			if takes() {
				a, b, ok := parseRange(v, false, 1<<32-1)
				if !ok {
					return nil, ruleInvarg(ctx, v, "invalid UID range\n")
				}
				q.UIDRange = &rtnl.RuleRange[uint32]{Start: uint32(a), End: uint32(b)}
			}
		case !show && (w == "nat" || matches(w, "map-to")):
			if takes() {
				a, perr := netip.ParseAddr(v)
				if perr != nil || !a.Is4() {
					return nil, withIP(fmt.Errorf("%s: nat %q: expected an IPv4 address", ctx, v), 1,
						"Error: an IP address is expected rather than %q", v)
				}
				q.Gateway, q.Action, r.nat = a, rtnl.RuleNAT, true
			}
		case w == "ipproto":
			if takes() {
				r.ipproto = v
			}
		case w == "sport" || w == "dport":
			if takes() {
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
					q.SPort = pr
				} else {
					q.DPort = pr
				}
			}
		case matches(w, "tun_id") || !show && matches(w, "realms"):
			return nil, &notImplemented{fmt.Sprintf("%s: %q is not implemented by nsnet", ctx, w)}
		case show:
			if matches(w, "dst") || matches(w, "to") {
				if !takes() {
					return nil, err
				}
				w = v
			}
			err = r.prefix(true, w, o)
		default:
			if w == "type" && takes() {
				w = v
			}
			switch {
			case err != nil:
			case matches(w, "help"):
				return nil, nil
			case matches(w, "goto"):
				if takes() {
					var ok bool
					if q.Goto, ok = parseU32(v); !ok {
						return nil, ruleInvarg(ctx, v, "invalid target\n")
					}
					q.HasGoto, q.Action = true, rtnl.RuleGoto
				}
			case matches(w, "nop"):
				q.Action = rtnl.RuleNop
			default:
				t, ok := rtnl.ParseRouteType(w)
				if !ok {
					return nil, ruleInvarg(ctx, w, "Failed to parse rule type")
				}
				q.Action = rtnl.RuleAction(t)
			}
			typed = true // iproute2's table_ok: no table main is added
		}
		if err != nil {
			return nil, err
		}
	}
	if !show && q.HasL3MDev && r.table != "" {
		// iprule_modify returns -EINVAL, which do_cmd negates: exit 22
		return nil, withIP(fmt.Errorf("%s: a table cannot be given for an l3mdev rule", ctx), 22,
			"table can not be specified for l3mdev rules")
	}
	if !show && !del && !typed && r.table == "" && !q.HasL3MDev {
		q.Table = rtnl.TableMain
	}
	return r, nil
}

// prefix reads PREFIX of from (dst false) or to as get_prefix() does: all,
// any and default match everything (sent as an empty attribute), an
// address without a length is a host.
func (r *ruleArgs) prefix(dst bool, w string, o opts) error {
	q := &r.rule
	switch w {
	case "all", "any", "default":
		if dst {
			q.AnyDst = true
		} else {
			q.AnySrc = true
		}
		return nil
	}
	p, err := parseIfAddr(w, o)
	if err != nil {
		return withIP(err, 1, "Error: %s prefix is expected rather than %q.", familyVerbose(o), w)
	}
	if dst {
		q.Dst, q.DstLen = p.Addr(), uint8(p.Bits())
	} else {
		q.Src, q.SrcLen = p.Addr(), uint8(p.Bits())
	}
	return nil
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
// input (ip: invarg), found before anything is sent.
func (r *ruleArgs) resolve(n ruleNames, ctx string, show bool) error {
	q := &r.rule
	if r.table != "" {
		what := "invalid table ID\n"
		if show {
			what = "table id value is invalid\n"
		}
		id, err := r.table.resolve(n.tables, ctx, what)
		if err != nil {
			return err
		}
		q.Table = id
	}
	if r.tos != "" {
		tos, ok := n.dsfield.dsfield(r.tos)
		if !ok {
			return &inputError{ruleInvarg(ctx, r.tos, "TOS value is invalid\n")}
		}
		q.TOS = tos
	}
	if r.ipproto != "" {
		p, ok := n.protos.number(r.ipproto)
		if !ok {
			return &inputError{ruleInvarg(ctx, r.ipproto, "Invalid \"ipproto\" value\n")}
		}
		q.IPProto, q.HasIPProto = p, true
	}
	return nil
}

func (r ruleReq) run(e *env) error {
	if err := r.resolve(readRuleNames(), modifyVerb("rule", r.del), false); err != nil {
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

// keep is iproute2's filter_nlmsg(): the template f (a parsed selector)
// against the dumped rule d.
func (r *ruleArgs) keep(d *rtnl.Rule) bool {
	f := &r.rule
	prefixOK := func(p netip.Prefix, addr netip.Addr, l uint8) bool {
		if !p.IsValid() {
			return true // no filter, or "all" (the dump is of one family)
		}
		if p.Addr().Is4() != (d.Family == rtnl.FamilyInet) || p.Bits() > int(l) {
			return false
		}
		return p.Bits() == 0 || !addr.IsValid() || p.Masked().Contains(addr)
	}
	switch {
	case f.HasPriority && f.Priority != d.Priority,
		f.Flags&rtnl.RuleInvert != 0 && d.Flags&rtnl.RuleInvert == 0,
		!prefixOK(f.SrcPrefix(), d.Src, d.SrcLen),
		!prefixOK(f.DstPrefix(), d.Dst, d.DstLen),
		r.tos != "" && f.TOS != d.TOS,
		f.Mark != 0 && f.Mark != d.Mark,
		f.Mask != 0 && f.Mask != d.Mask,
		f.IIF != "" && f.IIF != d.IIF,
		f.OIF != "" && f.OIF != d.OIF,
		f.HasL3MDev && d.L3MDev == 0,
		f.UIDRange != nil && (d.UIDRange == nil || *d.UIDRange != *f.UIDRange),
		f.IPProto != 0 && f.IPProto != d.IPProto,
		f.SPort != nil && f.SPort.Start != 0 && (d.SPort == nil || *d.SPort != *f.SPort),
		f.DPort != nil && f.DPort.Start != 0 && (d.DPort == nil || *d.DPort != *f.DPort),
		f.Table > 0 && f.Table != d.Table:
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
	if err := r.resolve(n, ctx, true); err != nil {
		return err
	}
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	fam := r.rule.Family
	rules, err := c.Rules(fam)
	if err != nil {
		return inNS(err, e.where())
	}
	proto, _ := rtnl.ParseRouteProtocol(r.proto)
	out := []jobj{}
	for i := range rules {
		q := &rules[i]
		if q.Family != fam || !r.keep(q) {
			continue
		}
		if r.flush {
			// flush_rule: the protocol filter, and only rules with a
			// priority (the local rule, priority 0, stays)
			if r.proto != "" && r.proto != "all" && q.HasProtocol && q.Protocol != proto || !q.HasPriority {
				continue
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
