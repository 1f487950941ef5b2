package firewall

import (
	"encoding/binary"
	"net/netip"

	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// An IPTRule is one iptables rule of the forms nsnet's `iptables` name
// supports, as typed values: what ParseIPTRule reads, Spec writes back
// (iptables -S's words) and Exprs encodes exactly as iptables-nft 1.8.9
// does (native payload/cmp for addresses, interfaces, protocol and ports,
// xt compat for the other matches and the targets, a counter in every
// rule).
type IPTRule struct {
	Src, Dst       netip.Prefix // -s, -d; invalid: any
	SrcInv, DstInv bool         // ! -s, ! -d
	In, Out        string       // -i, -o; a trailing + is a prefix wildcard
	InInv, OutInv  bool
	Proto          uint8 // -p: an IPPROTO_* number; 0 all
	ProtoInv       bool
	SPort, DPort   *nft.PortRange // --sport, --dport (-m tcp|udp)
	SPortInv       bool
	DPortInv       bool
	Matches        []IPTMatch // -m conntrack|state|comment|multiport|addrtype, in order
	Target         IPTTarget  // -j; Kind "" for none
	// XTPorts encodes --sport/--dport as the xt tcp/udp match instead of
	// native payload expressions: iptables 1.8.7 (Ubuntu 22.04) cannot
	// parse the native form back and lists such a rule as incompatible.
	XTPorts bool
}

// An IPTMatch is one -m match other than tcp and udp.
type IPTMatch struct {
	Name    string          // "conntrack", "state", "comment", "multiport", "addrtype"
	States  uint16          // conntrack --ctstate, state --state: nft.CTState* bits
	Comment string          // comment --comment
	Ports   []nft.PortRange // multiport --dports/--sports
	Source  bool            // multiport --sports (else --dports)
	DstType uint16          // addrtype --dst-type: 1 << RTN_*
	Inv     bool            // ! before the match's option
}

// An IPTTarget is -j and its options.
type IPTTarget struct {
	Kind       string       // ACCEPT, DROP, RETURN, JUMP, REJECT, MASQUERADE, SNAT, DNAT, REDIRECT, LOG
	Chain      string       // JUMP: the user chain
	RejectWith uint32       // REJECT --reject-with (ipt_reject_with)
	Range      nft.NATRange // SNAT --to-source, DNAT --to-destination, MASQUERADE/REDIRECT --to-ports
	LogPrefix  string       // LOG --log-prefix
	LogLevel   uint8        // LOG --log-level (4, warning, unless given)
}

// l3 offsets of the ip and ip6 families (no meta nfproto: the table's
// family says it).
func iptAddrOffsets(v6 bool) (saddr, daddr uint32, size int) {
	if v6 {
		return 8, 24, 16
	}
	return 12, 16, 4
}

// Exprs encodes r for a table of family ip (v6 false) or ip6, as
// iptables-nft 1.8.9 does (nft_ipv4_add, nft_rule_new): interfaces,
// protocol, addresses, ports, matches, counter, target; compat is
// NFTA_RULE_COMPAT.
func (r IPTRule) Exprs(v6 bool) (exprs []nft.Expr, compat *nft.RuleCompat) {
	var e []nft.Expr
	if r.In != "" {
		e = append(e, iptIfname(nft.MetaIifname, r.In, r.InInv)...)
	}
	if r.Out != "" {
		e = append(e, iptIfname(nft.MetaOifname, r.Out, r.OutInv)...)
	}
	if r.Proto != 0 || r.ProtoInv {
		e = append(e, &nft.Meta{Key: nft.MetaL4proto, Reg: unix.NFT_REG_1},
			&nft.Cmp{Op: cmpOp(r.ProtoInv), Reg: unix.NFT_REG_1, Data: []byte{r.Proto}})
	}
	saddr, daddr, _ := iptAddrOffsets(v6)
	if r.Src.IsValid() && (r.Src.Bits() > 0 || r.SrcInv) {
		e = append(e, prefixMatch(saddr, r.Src.Masked(), cmpOp(r.SrcInv))...)
	}
	if r.Dst.IsValid() && (r.Dst.Bits() > 0 || r.DstInv) {
		e = append(e, prefixMatch(daddr, r.Dst.Masked(), cmpOp(r.DstInv))...)
	}
	if r.SPort != nil || r.DPort != nil {
		if r.XTPorts {
			e = append(e, r.xtPorts())
		} else {
			if r.SPort != nil {
				e = append(e, iptPort(0, *r.SPort, r.SPortInv)...)
			}
			if r.DPort != nil {
				e = append(e, iptPort(2, *r.DPort, r.DPortInv)...)
			}
		}
	}
	for _, m := range r.Matches {
		e = append(e, m.expr())
	}
	e = append(e, &nft.Counter{Explicit: true})
	e = append(e, r.Target.exprs(v6)...)
	compat = &nft.RuleCompat{Proto: uint32(r.Proto)}
	if r.ProtoInv {
		compat.Flags = unix.NFT_RULE_COMPAT_F_INV
	}
	return e, compat
}

func cmpOp(inv bool) nft.CmpOp {
	if inv {
		return nft.CmpNeq
	}
	return nft.CmpEq
}

// iptIfname: meta iifname|oifname compared with the name and its NUL, or
// with the prefix alone for NAME+ (iptables' wildcard).
func iptIfname(key nft.MetaKey, name string, inv bool) []nft.Expr {
	var data []byte
	if name[len(name)-1] == '+' {
		data = []byte(name[:len(name)-1])
	} else {
		data = append([]byte(name), 0)
	}
	return []nft.Expr{
		&nft.Meta{Key: key, Reg: unix.NFT_REG_1},
		&nft.Cmp{Op: cmpOp(inv), Reg: unix.NFT_REG_1, Data: data},
	}
}

// iptPort: th sport|dport as one cmp, or a range expression for A:B.
func iptPort(off uint32, p nft.PortRange, inv bool) []nft.Expr {
	load := &nft.Payload{Base: unix.NFT_PAYLOAD_TRANSPORT_HEADER, Offset: off, Len: 2, Reg: unix.NFT_REG_1}
	if p.Lo == p.Hi {
		return []nft.Expr{load, &nft.Cmp{Op: cmpOp(inv), Reg: unix.NFT_REG_1, Data: binary.BigEndian.AppendUint16(nil, p.Lo)}}
	}
	return []nft.Expr{load, &nft.Range{Op: cmpOp(inv), Reg: unix.NFT_REG_1,
		From: binary.BigEndian.AppendUint16(nil, p.Lo), To: binary.BigEndian.AppendUint16(nil, p.Hi)}}
}

// xtPorts is the xt tcp|udp match of iptables 1.8.7 and older.
func (r IPTRule) xtPorts() nft.Expr {
	all := nft.PortRange{Lo: 0, Hi: 0xffff}
	sp, dp := all, all
	var inv uint8
	if r.SPort != nil {
		sp = *r.SPort
		if r.SPortInv {
			inv |= 1
		}
	}
	if r.DPort != nil {
		dp = *r.DPort
		if r.DPortInv {
			inv |= 2
		}
	}
	tcp := r.Proto == unix.IPPROTO_TCP
	name := "udp"
	if tcp {
		name = "tcp"
	}
	return &nft.Match{Name: name, Info: nft.TCPUDPInfo(tcp, sp, dp, inv)}
}

func (m IPTMatch) expr() nft.Expr {
	switch m.Name {
	case "conntrack", "state":
		flags := uint16(nft.ConntrackState)
		if m.Name == "state" {
			flags |= nft.ConntrackStateAlias
		}
		var inv uint16
		if m.Inv {
			inv = nft.ConntrackState
		}
		return &nft.Match{Name: "conntrack", Rev: 3, Info: nft.ConntrackInfo(flags, inv, m.States)}
	case "comment":
		return &nft.Match{Name: "comment", Info: nft.CommentInfo(m.Comment)}
	case "multiport":
		flags := uint8(nft.MultiportDestination)
		if m.Source {
			flags = nft.MultiportSource
		}
		return &nft.Match{Name: "multiport", Rev: 1, Info: nft.MultiportInfo(flags, m.Ports, m.Inv)}
	case "addrtype":
		var flags uint32
		if m.Inv {
			flags = 2 // XT_ADDRTYPE_INVERT_DEST
		}
		return &nft.Match{Name: "addrtype", Rev: 1, Info: nft.AddrtypeInfo(0, m.DstType, flags)}
	}
	return nil
}

// Verdict codes of immediate reg 0 (netfilter.h, nf_tables.h).
const (
	verdictJump   = -3 // NFT_JUMP
	verdictReturn = -5 // NFT_RETURN
)

func (t IPTTarget) exprs(v6 bool) []nft.Expr {
	verdict := func(code int32, chain string) []nft.Expr {
		return []nft.Expr{&nft.Immediate{Reg: 0, Verdict: &nft.Verdict{Code: code, Chain: chain}}}
	}
	switch t.Kind {
	case "":
		return nil
	case "ACCEPT":
		return verdict(int32(nft.PolicyAccept), "")
	case "DROP":
		return verdict(int32(nft.PolicyDrop), "")
	case "RETURN":
		return verdict(verdictReturn, "")
	case "JUMP":
		return verdict(verdictJump, t.Chain)
	case "REJECT":
		return []nft.Expr{&nft.Target{Name: "REJECT", Info: nft.RejectInfo(t.RejectWith)}}
	case "LOG":
		return []nft.Expr{&nft.Target{Name: "LOG", Info: nft.LogInfo(t.LogLevel, 0, t.LogPrefix)}}
	case "MASQUERADE", "REDIRECT", "SNAT":
		if v6 { // nf_nat_range; ip6tables' SNAT is revision 1
			rev := uint32(0)
			if t.Kind == "SNAT" {
				rev = 1
			}
			return []nft.Expr{&nft.Target{Name: t.Kind, Rev: rev, Info: t.Range.RangeInfo()}}
		}
		return []nft.Expr{&nft.Target{Name: t.Kind, Info: t.Range.CompatInfo()}}
	case "DNAT":
		return []nft.Expr{&nft.Target{Name: "DNAT", Rev: 2, Info: t.Range.Range2Info()}}
	}
	return nil
}

// ParseIPTExprs reads a rule of an ip (v6 false) or ip6 table back into
// an IPTRule. ok is false for a rule that is not of a form nsnet writes
// (another tool's nft rule, an extension it does not model): such a rule
// is listed as incompatible, and never matched by -C or -D.
func ParseIPTExprs(exprs []nft.Expr, v6 bool) (r IPTRule, packets, bytes uint64, ok bool) {
	saddr, daddr, size := iptAddrOffsets(v6)
	for i := 0; i < len(exprs); i++ {
		next := func() nft.Expr {
			if i+1 < len(exprs) {
				i++
				return exprs[i]
			}
			return nil
		}
		switch x := exprs[i].(type) {
		case *nft.Meta:
			c, isCmp := next().(*nft.Cmp)
			if !isCmp || x.Reg != c.Reg {
				return r, 0, 0, false
			}
			inv := c.Op == nft.CmpNeq
			switch x.Key {
			case nft.MetaIifname, nft.MetaOifname:
				name, good := ifnameOf(c.Data)
				if !good {
					return r, 0, 0, false
				}
				if x.Key == nft.MetaIifname {
					r.In, r.InInv = name, inv
				} else {
					r.Out, r.OutInv = name, inv
				}
			case nft.MetaL4proto:
				if len(c.Data) != 1 {
					return r, 0, 0, false
				}
				r.Proto, r.ProtoInv = c.Data[0], inv
			default:
				return r, 0, 0, false
			}
		case *nft.Payload:
			switch x.Base {
			case unix.NFT_PAYLOAD_NETWORK_HEADER:
				p, inv, good := prefixOf(x, exprs[i+1:], size)
				if !good {
					return r, 0, 0, false
				}
				if _, isBit := exprs[i+1].(*nft.Bitwise); isBit {
					i++
				}
				i++
				switch x.Offset {
				case saddr:
					r.Src, r.SrcInv = p, inv
				case daddr:
					r.Dst, r.DstInv = p, inv
				default:
					return r, 0, 0, false
				}
			case unix.NFT_PAYLOAD_TRANSPORT_HEADER:
				if x.Len != 2 || x.Offset != 0 && x.Offset != 2 {
					return r, 0, 0, false
				}
				var pr nft.PortRange
				var inv bool
				switch c := next().(type) {
				case *nft.Cmp:
					if len(c.Data) != 2 {
						return r, 0, 0, false
					}
					v := binary.BigEndian.Uint16(c.Data)
					pr, inv = nft.PortRange{Lo: v, Hi: v}, c.Op == nft.CmpNeq
				case *nft.Range:
					if len(c.From) != 2 || len(c.To) != 2 {
						return r, 0, 0, false
					}
					pr = nft.PortRange{Lo: binary.BigEndian.Uint16(c.From), Hi: binary.BigEndian.Uint16(c.To)}
					inv = c.Op == nft.CmpNeq
				default:
					return r, 0, 0, false
				}
				if x.Offset == 0 {
					r.SPort, r.SPortInv = &pr, inv
				} else {
					r.DPort, r.DPortInv = &pr, inv
				}
			default:
				return r, 0, 0, false
			}
		case *nft.Match:
			if !r.parseMatch(x) {
				return r, 0, 0, false
			}
		case *nft.Counter:
			packets, bytes = x.Packets, x.Bytes
		case *nft.Immediate:
			if x.Reg != 0 || x.Verdict == nil || i != len(exprs)-1 {
				return r, 0, 0, false
			}
			switch x.Verdict.Code {
			case int32(nft.PolicyAccept):
				r.Target.Kind = "ACCEPT"
			case int32(nft.PolicyDrop):
				r.Target.Kind = "DROP"
			case verdictReturn:
				r.Target.Kind = "RETURN"
			case verdictJump:
				r.Target = IPTTarget{Kind: "JUMP", Chain: x.Verdict.Chain}
			default:
				return r, 0, 0, false
			}
		case *nft.Target:
			if i != len(exprs)-1 || !r.parseTarget(x, v6) {
				return r, 0, 0, false
			}
		default:
			return r, 0, 0, false
		}
	}
	// Only the exact encoding nsnet (and iptables-nft) writes reads as
	// this rule: expressions in another order, without the counter or
	// with other values are another tool's rule.
	if e, _ := r.Exprs(v6); !sameIPTExprs(e, exprs) {
		return r, 0, 0, false
	}
	return r, packets, bytes, true
}

func ifnameOf(b []byte) (string, bool) {
	if len(b) == 0 {
		return "", false
	}
	if b[len(b)-1] == 0 {
		s := string(b[:len(b)-1])
		for _, c := range []byte(s) {
			if c == 0 {
				return "", false
			}
		}
		return s, s != ""
	}
	return string(b) + "+", true
}

// prefixOf reads payload [bitwise] cmp as an address prefix.
func prefixOf(p *nft.Payload, rest []nft.Expr, size int) (netip.Prefix, bool, bool) {
	if len(rest) == 0 || int(p.Len) > size {
		return netip.Prefix{}, false, false
	}
	bits := int(p.Len) * 8
	if bw, ok := rest[0].(*nft.Bitwise); ok {
		if len(rest) < 2 || int(p.Len) != size || len(bw.Mask) != size {
			return netip.Prefix{}, false, false
		}
		bits = 0
		for _, m := range bw.Mask {
			for k := 7; k >= 0 && m&(1<<k) != 0; k-- {
				bits++
			}
		}
		rest = rest[1:]
	}
	c, ok := rest[0].(*nft.Cmp)
	if !ok || len(c.Data) != int(p.Len) {
		return netip.Prefix{}, false, false
	}
	full := make([]byte, size)
	copy(full, c.Data)
	a, _ := netip.AddrFromSlice(full)
	return netip.PrefixFrom(a, bits), c.Op == nft.CmpNeq, true
}

func (r *IPTRule) parseMatch(x *nft.Match) bool {
	switch {
	case x.Name == "conntrack" && x.Rev == 3:
		flags, inv, states, ok, err := nft.ParseConntrackInfo(x.Info)
		if err != nil || !ok || flags&nft.ConntrackState == 0 {
			return false
		}
		m := IPTMatch{Name: "conntrack", States: states, Inv: inv&nft.ConntrackState != 0}
		if flags&nft.ConntrackStateAlias != 0 {
			m.Name = "state"
		}
		r.Matches = append(r.Matches, m)
	case x.Name == "comment" && x.Rev == 0:
		c, err := nft.ParseCommentInfo(x.Info)
		if err != nil {
			return false
		}
		r.Matches = append(r.Matches, IPTMatch{Name: "comment", Comment: c})
	case x.Name == "multiport" && x.Rev == 1:
		flags, ports, inv, err := nft.ParseMultiportInfo(x.Info)
		if err != nil || flags > nft.MultiportDestination {
			return false
		}
		r.Matches = append(r.Matches, IPTMatch{Name: "multiport", Ports: ports, Source: flags == nft.MultiportSource, Inv: inv})
	case x.Name == "addrtype" && x.Rev == 1:
		src, dst, flags, err := nft.ParseAddrtypeInfo(x.Info)
		if err != nil || src != 0 || flags&^2 != 0 {
			return false
		}
		r.Matches = append(r.Matches, IPTMatch{Name: "addrtype", DstType: dst, Inv: flags&2 != 0})
	case (x.Name == "tcp" || x.Name == "udp") && x.Rev == 0:
		sp, dp, inv, err := nft.ParseTCPUDPInfo(x.Name == "tcp", x.Info)
		if err != nil {
			return false
		}
		r.XTPorts = true
		if sp != (nft.PortRange{Lo: 0, Hi: 0xffff}) || inv&1 != 0 {
			r.SPort, r.SPortInv = &sp, inv&1 != 0
		}
		if dp != (nft.PortRange{Lo: 0, Hi: 0xffff}) || inv&2 != 0 {
			r.DPort, r.DPortInv = &dp, inv&2 != 0
		}
	default:
		return false
	}
	return true
}

func (r *IPTRule) parseTarget(x *nft.Target, v6 bool) bool {
	t := IPTTarget{Kind: x.Name}
	var err error
	switch {
	case x.Name == "REJECT" && x.Rev == 0:
		t.RejectWith, err = nft.ParseRejectInfo(x.Info)
	case x.Name == "LOG" && x.Rev == 0:
		var flags uint8
		t.LogLevel, flags, t.LogPrefix, err = nft.ParseLogInfo(x.Info)
		if flags != 0 {
			return false
		}
	case (x.Name == "MASQUERADE" || x.Name == "REDIRECT" || x.Name == "SNAT") && x.Rev == 0 && !v6:
		t.Range, err = nft.ParseCompatInfo(x.Info)
	case (x.Name == "MASQUERADE" || x.Name == "REDIRECT") && x.Rev == 0, x.Name == "SNAT" && x.Rev == 1:
		t.Range, err = nft.ParseRangeInfo(x.Info)
	case x.Name == "DNAT" && x.Rev == 2:
		t.Range, err = nft.ParseRange2Info(x.Info, !v6)
	default:
		return false
	}
	if err != nil {
		return false
	}
	r.Target = t
	return true
}

// sameIPTExprs reports whether a dumped rule's expressions are want's,
// counter values aside: what -C and -D by specification look for.
func sameIPTExprs(have, want []nft.Expr) bool {
	return nft.SameExprs(normalize(have), normalize(want))
}
