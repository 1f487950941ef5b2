package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Rule is one routing policy rule: struct fib_rule_hdr plus FRA_*
// attributes (include/uapi/linux/fib_rules.h), the body of RTM_NEWRULE,
// RTM_DELRULE and of every answer to an RTM_GETRULE dump. In a request,
// zero fields and false Has* are not sent.
type Rule struct {
	Family Family     // fib_rule_hdr.family (AF_INET, AF_INET6)
	DstLen uint8      // dst_len
	SrcLen uint8      // src_len
	TOS    uint8      // tos
	Table  uint32     // table, widened by FRA_TABLE (iproute2 sends FRA_TABLE above 255)
	Action RuleAction // action (FR_ACT_TO_TBL, FR_ACT_GOTO, RTN_NAT...)
	Flags  RuleFlags  // flags (FIB_RULE_INVERT: "not"; FIB_RULE_UNRESOLVED...)

	Src    netip.Addr // FRA_SRC
	Dst    netip.Addr // FRA_DST
	AnySrc bool       // FRA_SRC sent empty: "from all", as iproute2 sends it
	AnyDst bool       // FRA_DST sent empty: "to all"

	IIF string // FRA_IIFNAME
	OIF string // FRA_OIFNAME

	Priority    uint32 // FRA_PRIORITY ("pref"); valid when HasPriority
	HasPriority bool
	Mark        uint32 // FRA_FWMARK; valid when HasMark
	HasMark     bool
	Mask        uint32 // FRA_FWMASK; valid when HasMask
	HasMask     bool
	Goto        uint32 // FRA_GOTO: the priority FR_ACT_GOTO jumps to; valid when HasGoto
	HasGoto     bool
	Flow        uint32 // FRA_FLOW (realms: from<<16 | to); valid when HasFlow
	HasFlow     bool

	SuppressPrefixLen    int32 // FRA_SUPPRESS_PREFIXLEN (-1: none, as the kernel reports it); valid when Has...
	HasSuppressPrefixLen bool
	SuppressIfGroup      int32 // FRA_SUPPRESS_IFGROUP (-1: none); valid when Has...
	HasSuppressIfGroup   bool

	Protocol    RouteProtocol // FRA_PROTOCOL: who installed the rule; valid when HasProtocol
	HasProtocol bool
	IPProto     uint8 // FRA_IP_PROTO (IPPROTO_TCP...); valid when HasIPProto
	HasIPProto  bool
	L3MDev      uint8 // FRA_L3MDEV; valid when HasL3MDev
	HasL3MDev   bool
	TunID       uint64 // FRA_TUN_ID, in host order (the kernel's is big-endian); valid when HasTunID
	HasTunID    bool

	UIDRange *RuleRange[uint32] // FRA_UID_RANGE (struct fib_rule_uid_range)
	SPort    *RuleRange[uint16] // FRA_SPORT_RANGE (struct fib_rule_port_range)
	DPort    *RuleRange[uint16] // FRA_DPORT_RANGE

	Gateway netip.Addr // RTA_GATEWAY: the "nat" (map-to) address of an RTN_NAT rule

	Unknown []RawAttr // attributes not decoded, verbatim
}

// A RuleRange is an inclusive range: struct fib_rule_uid_range (uint32)
// or struct fib_rule_port_range (uint16), in host byte order.
type RuleRange[T uint16 | uint32] struct{ Start, End T }

// RuleAction is fib_rule_hdr.action: FR_ACT_* of fib_rules.h, which
// shares its numbers with RTN_* (iproute2 prints both with
// rtnl_rtntype_n2a: 6 is "blackhole", 10 is "nat").
type RuleAction uint8

// Rule actions, FR_ACT_* in include/uapi/linux/fib_rules.h.
const (
	RuleUnspec      RuleAction = unix.FR_ACT_UNSPEC      // FR_ACT_UNSPEC
	RuleToTable     RuleAction = unix.FR_ACT_TO_TBL      // FR_ACT_TO_TBL: "lookup TABLE"
	RuleGoto        RuleAction = unix.FR_ACT_GOTO        // FR_ACT_GOTO: "goto PRIO"
	RuleNop         RuleAction = unix.FR_ACT_NOP         // FR_ACT_NOP
	RuleBlackhole   RuleAction = unix.FR_ACT_BLACKHOLE   // FR_ACT_BLACKHOLE
	RuleUnreachable RuleAction = unix.FR_ACT_UNREACHABLE // FR_ACT_UNREACHABLE
	RuleProhibit    RuleAction = unix.FR_ACT_PROHIBIT    // FR_ACT_PROHIBIT
	RuleNAT         RuleAction = unix.RTN_NAT            // RTN_NAT: "nat ADDR" (the kernel refuses it since 2.6)
)

// String is the word iproute2 prints for a rule action it does not print
// specially: rtnl_rtntype_n2a() of the number.
func (a RuleAction) String() string { return RouteType(a).String() }

// RuleFlags is fib_rule_hdr.flags, FIB_RULE_* of fib_rules.h.
type RuleFlags uint32

// Rule flags, FIB_RULE_* in include/uapi/linux/fib_rules.h.
const (
	RuleInvert      RuleFlags = unix.FIB_RULE_INVERT       // FIB_RULE_INVERT: "not"
	RuleUnresolved  RuleFlags = unix.FIB_RULE_UNRESOLVED   // FIB_RULE_UNRESOLVED: a goto to no rule
	RuleIIFDetached RuleFlags = unix.FIB_RULE_IIF_DETACHED // FIB_RULE_IIF_DETACHED: iif names no link (yet)
	RuleOIFDetached RuleFlags = unix.FIB_RULE_OIF_DETACHED // FIB_RULE_OIF_DETACHED
)

const sizeofFibRuleHdr = 12 // struct fib_rule_hdr

var errShortFibRuleHdr = errors.New("rtnl: message shorter than struct fib_rule_hdr")

// SrcPrefix returns the "from" selector as a prefix; invalid when the rule
// matches every source.
func (r *Rule) SrcPrefix() netip.Prefix {
	if !r.Src.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(r.Src, int(r.SrcLen))
}

// DstPrefix returns the "to" selector as a prefix; invalid when the rule
// matches every destination.
func (r *Rule) DstPrefix() netip.Prefix {
	if !r.Dst.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(r.Dst, int(r.DstLen))
}

// MarshalBinary encodes the rule as struct fib_rule_hdr followed by its
// attributes, in the order iproute2's iprule_modify() writes them for the
// same command line when the fields were set in that order (the kernel
// does not care about order). A Table above 255 goes in FRA_TABLE with
// table RT_TABLE_UNSPEC, as iproute2 does.
func (r *Rule) MarshalBinary() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	switch {
	case r.AnyDst:
		ae.Bytes(unix.FRA_DST, nil)
	case r.Dst.IsValid():
		ae.Bytes(unix.FRA_DST, r.Dst.AsSlice())
	}
	switch {
	case r.AnySrc:
		ae.Bytes(unix.FRA_SRC, nil)
	case r.Src.IsValid():
		ae.Bytes(unix.FRA_SRC, r.Src.AsSlice())
	}
	if r.IIF != "" {
		ae.String(unix.FRA_IIFNAME, r.IIF)
	}
	if r.HasGoto {
		ae.Uint32(unix.FRA_GOTO, r.Goto)
	}
	if r.HasPriority {
		ae.Uint32(unix.FRA_PRIORITY, r.Priority)
	}
	if r.HasMark {
		ae.Uint32(unix.FRA_FWMARK, r.Mark)
	}
	if r.HasFlow {
		ae.Uint32(unix.FRA_FLOW, r.Flow)
	}
	if r.HasTunID {
		ae.Bytes(unix.FRA_TUN_ID, binary.BigEndian.AppendUint64(nil, r.TunID))
	}
	if r.HasSuppressIfGroup {
		ae.Int32(unix.FRA_SUPPRESS_IFGROUP, r.SuppressIfGroup)
	}
	if r.HasSuppressPrefixLen {
		ae.Int32(unix.FRA_SUPPRESS_PREFIXLEN, r.SuppressPrefixLen)
	}
	if r.Table > 0xff {
		ae.Uint32(unix.FRA_TABLE, r.Table)
	}
	if r.HasMask {
		ae.Uint32(unix.FRA_FWMASK, r.Mask)
	}
	if r.OIF != "" {
		ae.String(unix.FRA_OIFNAME, r.OIF)
	}
	if r.HasL3MDev {
		ae.Uint8(unix.FRA_L3MDEV, r.L3MDev)
	}
	if r.UIDRange != nil {
		b := binary.NativeEndian.AppendUint32(nil, r.UIDRange.Start)
		ae.Bytes(unix.FRA_UID_RANGE, binary.NativeEndian.AppendUint32(b, r.UIDRange.End))
	}
	if r.HasProtocol {
		ae.Uint8(unix.FRA_PROTOCOL, uint8(r.Protocol))
	}
	if r.HasIPProto {
		ae.Uint8(unix.FRA_IP_PROTO, r.IPProto)
	}
	if r.SPort != nil {
		ae.Bytes(unix.FRA_SPORT_RANGE, portRange(r.SPort))
	}
	if r.DPort != nil {
		ae.Bytes(unix.FRA_DPORT_RANGE, portRange(r.DPort))
	}
	if r.Gateway.IsValid() {
		ae.Bytes(unix.RTA_GATEWAY, r.Gateway.AsSlice())
	}
	for _, u := range r.Unknown {
		ae.Bytes(u.Type, u.Data)
	}
	attrs, err := ae.Encode()
	if err != nil {
		return nil, fmt.Errorf("rtnl: encode rule: %w", err)
	}
	b := make([]byte, sizeofFibRuleHdr, sizeofFibRuleHdr+len(attrs))
	b[0] = uint8(r.Family)
	b[1] = r.DstLen
	b[2] = r.SrcLen
	b[3] = r.TOS
	if r.Table <= 0xff {
		b[4] = uint8(r.Table)
	}
	b[7] = uint8(r.Action)
	binary.NativeEndian.PutUint32(b[8:12], uint32(r.Flags))
	return append(b, attrs...), nil
}

func portRange(p *RuleRange[uint16]) []byte {
	b := binary.NativeEndian.AppendUint16(nil, p.Start)
	return binary.NativeEndian.AppendUint16(b, p.End)
}

var errRuleRange = errors.New("rtnl: rule range attribute of the wrong size")

// UnmarshalBinary decodes the body of an RTM_NEWRULE or RTM_DELRULE message.
func (r *Rule) UnmarshalBinary(b []byte) error {
	if len(b) < sizeofFibRuleHdr {
		return errShortFibRuleHdr
	}
	*r = Rule{
		Family: Family(b[0]),
		DstLen: b[1],
		SrcLen: b[2],
		TOS:    b[3],
		Table:  uint32(b[4]),
		Action: RuleAction(b[7]),
		Flags:  RuleFlags(binary.NativeEndian.Uint32(b[8:12])),
	}
	ad, err := netlink.NewAttributeDecoder(b[sizeofFibRuleHdr:])
	if err != nil {
		return fmt.Errorf("rtnl: decode rule: %w", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.FRA_DST: // a repeated attribute replaces the earlier one whole
			r.Dst, r.AnyDst = netip.Addr{}, len(ad.Bytes()) == 0
			if !r.AnyDst {
				ad.Do(decodeIP(&r.Dst))
			}
		case unix.FRA_SRC: // a repeated attribute replaces the earlier one whole
			r.Src, r.AnySrc = netip.Addr{}, len(ad.Bytes()) == 0
			if !r.AnySrc {
				ad.Do(decodeIP(&r.Src))
			}
		case unix.FRA_IIFNAME:
			r.IIF = ad.String()
		case unix.FRA_OIFNAME:
			r.OIF = ad.String()
		case unix.FRA_GOTO:
			r.Goto, r.HasGoto = ad.Uint32(), true
		case unix.FRA_PRIORITY:
			r.Priority, r.HasPriority = ad.Uint32(), true
		case unix.FRA_FWMARK:
			r.Mark, r.HasMark = ad.Uint32(), true
		case unix.FRA_FWMASK:
			r.Mask, r.HasMask = ad.Uint32(), true
		case unix.FRA_FLOW:
			r.Flow, r.HasFlow = ad.Uint32(), true
		case unix.FRA_TUN_ID:
			ad.Do(func(b []byte) error {
				if len(b) != 8 {
					return errRuleRange
				}
				r.TunID, r.HasTunID = binary.BigEndian.Uint64(b), true
				return nil
			})
		case unix.FRA_SUPPRESS_IFGROUP:
			r.SuppressIfGroup, r.HasSuppressIfGroup = ad.Int32(), true
		case unix.FRA_SUPPRESS_PREFIXLEN:
			r.SuppressPrefixLen, r.HasSuppressPrefixLen = ad.Int32(), true
		case unix.FRA_TABLE:
			r.Table = ad.Uint32()
		case unix.FRA_L3MDEV:
			r.L3MDev, r.HasL3MDev = ad.Uint8(), true
		case unix.FRA_PROTOCOL:
			r.Protocol, r.HasProtocol = RouteProtocol(ad.Uint8()), true
		case unix.FRA_IP_PROTO:
			r.IPProto, r.HasIPProto = ad.Uint8(), true
		case unix.FRA_UID_RANGE:
			ad.Do(func(b []byte) error {
				if len(b) != 8 {
					return errRuleRange
				}
				r.UIDRange = &RuleRange[uint32]{binary.NativeEndian.Uint32(b), binary.NativeEndian.Uint32(b[4:])}
				return nil
			})
		case unix.FRA_SPORT_RANGE:
			ad.Do(decodePorts(&r.SPort))
		case unix.FRA_DPORT_RANGE:
			ad.Do(decodePorts(&r.DPort))
		case unix.RTA_GATEWAY:
			ad.Do(decodeIP(&r.Gateway))
		default:
			r.Unknown = append(r.Unknown, rawAttr(ad))
		}
	}
	if err := ad.Err(); err != nil {
		return fmt.Errorf("rtnl: decode rule: %w", err)
	}
	return nil
}

func decodePorts(dst **RuleRange[uint16]) func([]byte) error {
	return func(b []byte) error {
		if len(b) != 4 {
			return errRuleRange
		}
		*dst = &RuleRange[uint16]{binary.NativeEndian.Uint16(b), binary.NativeEndian.Uint16(b[2:])}
		return nil
	}
}

// Request returns a copy of r completed as iproute2's iprule_modify()
// completes it, which is what RuleAdd (add) and RuleDel send: family AF_INET unless an address says otherwise, and, on
// add, action FR_ACT_TO_TBL and table main when no table, type or goto
// was given.
func (r *Rule) Request(add bool) Rule {
	q := *r
	if q.Family == 0 {
		q.Family = FamilyInet
		for _, a := range []netip.Addr{q.Src, q.Dst, q.Gateway} {
			if a.Is6() {
				q.Family = FamilyInet6
			}
		}
	}
	if add && q.Action == RuleUnspec {
		q.Action = RuleToTable
	}
	if add && q.Action == RuleToTable && q.Table == 0 && !q.HasL3MDev {
		q.Table = TableMain
	}
	return q
}

// ruleObj names a rule in an OpError: its priority, or its selector.
func ruleObj(r *Rule) string {
	if r.HasPriority {
		return "priority " + strconv.FormatUint(uint64(r.Priority), 10)
	}
	if p := r.SrcPrefix(); p.IsValid() {
		return "from " + p.String()
	}
	if p := r.DstPrefix(); p.IsValid() {
		return "to " + p.String()
	}
	return ""
}

// Rules returns the rules of family (AF_INET, AF_INET6; FamilyAll for
// both): an RTM_GETRULE dump.
func (c *Conn) Rules(family Family) ([]Rule, error) {
	return dumpOf[Rule](c, "rule dump", unix.RTM_GETRULE, unix.RTM_NEWRULE, &Rule{Family: family}, nil)
}

// RuleAdd adds a rule (RTM_NEWRULE, NLM_F_CREATE|NLM_F_EXCL), completed
// as `ip rule add` completes it (see request).
func (c *Conn) RuleAdd(r *Rule) error {
	q := r.Request(true)
	return c.request("rule add", ruleObj(&q), unix.RTM_NEWRULE, netlink.Create|netlink.Excl, &q)
}

// RuleDel deletes the first rule that matches r (RTM_DELRULE): the kernel
// compares only the fields r sets, as for `ip rule del`.
func (c *Conn) RuleDel(r *Rule) error {
	q := r.Request(false)
	return c.request("rule del", ruleObj(&q), unix.RTM_DELRULE, 0, &q)
}

// RuleDel queues Conn.RuleDel.
func (b *Batch) RuleDel(r *Rule) {
	q := r.Request(false)
	b.add("rule del", ruleObj(&q), unix.RTM_DELRULE, 0, &q)
}
