package nft

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// The info structs of the x_tables extensions iptables-nft writes as xt
// compat expressions (Match.Info, Target.Info), laid out as the kernel's
// uapi headers declare them and padded to XT_ALIGN (8 bytes). x_tables
// structs are host-endian except addresses and nf_nat ports, which are
// network order. Each type encodes with Info and decodes with its Parse
// function; a wrong length is errXTInfo.

var errXTInfo = errors.New("xt info of unexpected length")

// xtAlign is XT_ALIGN: the size of an info struct rounded up to 8.
func xtAlign(n int) int { return (n + 7) &^ 7 }

var he = binary.NativeEndian

// NAT range flags (nf_nat.h).
const (
	NATRangeMapIPs         = 1 << 0 // NF_NAT_RANGE_MAP_IPS
	NATRangeProtoSpecified = 1 << 1 // NF_NAT_RANGE_PROTO_SPECIFIED
)

// NATRange is the address and port range of a NAT target: SNAT, DNAT,
// MASQUERADE, REDIRECT. An invalid address means none; ports 0 mean none.
type NATRange struct {
	Flags            uint32 // NATRangeMapIPs, NATRangeProtoSpecified
	MinAddr, MaxAddr netip.Addr
	MinPort, MaxPort uint16
}

// CompatInfo is struct nf_nat_ipv4_multi_range_compat with one range
// (MASQUERADE, REDIRECT and SNAT revision 0): rangesize, flags, min_ip,
// max_ip (network order), min and max port (network order); 24 bytes.
func (r NATRange) CompatInfo() []byte {
	b := make([]byte, xtAlign(20))
	he.PutUint32(b[0:], 1)
	he.PutUint32(b[4:], r.Flags)
	if r.MinAddr.Is4() {
		a := r.MinAddr.As4()
		copy(b[8:], a[:])
	}
	if r.MaxAddr.Is4() {
		a := r.MaxAddr.As4()
		copy(b[12:], a[:])
	}
	binary.BigEndian.PutUint16(b[16:], r.MinPort)
	binary.BigEndian.PutUint16(b[18:], r.MaxPort)
	return b
}

// ParseCompatInfo decodes CompatInfo's layout.
func ParseCompatInfo(b []byte) (NATRange, error) {
	var r NATRange
	if len(b) != xtAlign(20) || he.Uint32(b) != 1 {
		return r, errXTInfo
	}
	r.Flags = he.Uint32(b[4:])
	if r.Flags&NATRangeMapIPs != 0 {
		r.MinAddr = netip.AddrFrom4([4]byte(b[8:12]))
		r.MaxAddr = netip.AddrFrom4([4]byte(b[12:16]))
	}
	r.MinPort = binary.BigEndian.Uint16(b[16:])
	r.MaxPort = binary.BigEndian.Uint16(b[18:])
	return r, nil
}

// Range2Info is struct nf_nat_range2 (DNAT revision 2): flags, min_addr,
// max_addr (16 bytes each, network order), min_proto, max_proto,
// base_proto (network order); 48 bytes.
func (r NATRange) Range2Info() []byte {
	b := make([]byte, xtAlign(42))
	he.PutUint32(b[0:], r.Flags)
	if r.MinAddr.IsValid() {
		copy(b[4:20], r.MinAddr.AsSlice())
	}
	if r.MaxAddr.IsValid() {
		copy(b[20:36], r.MaxAddr.AsSlice())
	}
	binary.BigEndian.PutUint16(b[36:], r.MinPort)
	binary.BigEndian.PutUint16(b[38:], r.MaxPort)
	return b
}

// RangeInfo is struct nf_nat_range (ip6tables' MASQUERADE and REDIRECT
// revision 0, SNAT and DNAT revision 1): Range2Info without base_proto;
// 40 bytes.
func (r NATRange) RangeInfo() []byte { return r.Range2Info()[:xtAlign(40)] }

// ParseRangeInfo decodes RangeInfo's layout (IPv6 addresses).
func ParseRangeInfo(b []byte) (NATRange, error) {
	if len(b) != xtAlign(40) {
		return NATRange{}, errXTInfo
	}
	return ParseRange2Info(append(append([]byte{}, b...), make([]byte, 8)...), false)
}

// ParseRange2Info decodes Range2Info's layout; v4 says how to read the
// addresses.
func ParseRange2Info(b []byte, v4 bool) (NATRange, error) {
	var r NATRange
	if len(b) != xtAlign(42) {
		return r, errXTInfo
	}
	r.Flags = he.Uint32(b)
	if r.Flags&NATRangeMapIPs != 0 {
		if v4 {
			r.MinAddr = netip.AddrFrom4([4]byte(b[4:8]))
			r.MaxAddr = netip.AddrFrom4([4]byte(b[20:24]))
		} else {
			r.MinAddr = netip.AddrFrom16([16]byte(b[4:20]))
			r.MaxAddr = netip.AddrFrom16([16]byte(b[20:36]))
		}
	}
	r.MinPort = binary.BigEndian.Uint16(b[36:])
	r.MaxPort = binary.BigEndian.Uint16(b[38:])
	return r, nil
}

// RejectInfo is struct ipt_reject_info: the enum ipt_reject_with
// (3 icmp-port-unreachable, 7 tcp-reset, ...); 8 bytes.
func RejectInfo(with uint32) []byte {
	b := make([]byte, 8)
	he.PutUint32(b, with)
	return b
}

// ParseRejectInfo decodes RejectInfo's layout.
func ParseRejectInfo(b []byte) (uint32, error) {
	if len(b) != 8 {
		return 0, errXTInfo
	}
	return he.Uint32(b), nil
}

// LogInfo is struct xt_log_info: level, logflags, prefix[30]; 32 bytes.
func LogInfo(level, flags uint8, prefix string) []byte {
	b := make([]byte, 32)
	b[0], b[1] = level, flags
	copy(b[2:31], prefix)
	return b
}

// ParseLogInfo decodes LogInfo's layout.
func ParseLogInfo(b []byte) (level, flags uint8, prefix string, err error) {
	if len(b) != 32 || b[31] != 0 { // the kernel wants the prefix NUL-terminated (log_tg_check)
		return 0, 0, "", errXTInfo
	}
	return b[0], b[1], cString(b[2:32]), nil
}

// CommentInfo is struct xt_comment_info: comment[256].
func CommentInfo(s string) []byte {
	b := make([]byte, 256)
	copy(b[:255], s)
	return b
}

// ParseCommentInfo decodes CommentInfo's layout.
func ParseCommentInfo(b []byte) (string, error) {
	if len(b) != 256 || b[255] != 0 {
		return "", errXTInfo
	}
	return cString(b), nil
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Conntrack match flags and states (xt_conntrack.h).
const (
	ConntrackState      = 1 << 0  // XT_CONNTRACK_STATE
	ConntrackStateAlias = 1 << 13 // XT_CONNTRACK_STATE_ALIAS: written as -m state

	CTStateInvalid     = 1 << 0 // XT_CONNTRACK_STATE_INVALID
	CTStateEstablished = 1 << 1 // XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED)
	CTStateRelated     = 1 << 2 // XT_CONNTRACK_STATE_BIT(IP_CT_RELATED)
	CTStateNew         = 1 << 3 // XT_CONNTRACK_STATE_BIT(IP_CT_NEW)
)

// ConntrackInfo is struct xt_conntrack_mtinfo3 (revision 3) matching only
// a state mask: eight 16-byte addresses, expires, ports, and at offset 146
// match_flags, invert_flags, state_mask; 168 bytes.
func ConntrackInfo(matchFlags, invertFlags, stateMask uint16) []byte {
	b := make([]byte, xtAlign(162))
	he.PutUint16(b[146:], matchFlags)
	he.PutUint16(b[148:], invertFlags)
	he.PutUint16(b[150:], stateMask)
	return b
}

// ParseConntrackInfo decodes ConntrackInfo's layout. ok is false when the
// info matches on more than the state (addresses, ports, status, expiry),
// which this package does not model.
func ParseConntrackInfo(b []byte) (matchFlags, invertFlags, stateMask uint16, ok bool, err error) {
	if len(b) != xtAlign(162) {
		return 0, 0, 0, false, errXTInfo
	}
	matchFlags, invertFlags, stateMask = he.Uint16(b[146:]), he.Uint16(b[148:]), he.Uint16(b[150:])
	rest := append(append([]byte{}, b[:146]...), b[152:]...)
	ok = matchFlags&^(ConntrackState|ConntrackStateAlias) == 0
	for _, c := range rest {
		ok = ok && c == 0
	}
	return matchFlags, invertFlags, stateMask, ok, nil
}

// Multiport flags (xt_multiport.h).
const (
	MultiportSource      = 0 // XT_MULTIPORT_SOURCE
	MultiportDestination = 1 // XT_MULTIPORT_DESTINATION
)

// A PortRange is an inclusive port range; a single port has Lo == Hi.
type PortRange struct{ Lo, Hi uint16 }

// MultiportInfo is struct xt_multiport_v1 (revision 1): flags, count,
// ports[15], pflags[15] (1 where a range starts), invert; 48 bytes. A
// range takes two slots. It returns nil for more than 15 slots.
func MultiportInfo(flags uint8, ports []PortRange, invert bool) []byte {
	b := make([]byte, 48)
	b[0] = flags
	n := 0
	for _, p := range ports {
		if n == 15 || p.Lo != p.Hi && n == 14 {
			return nil
		}
		he.PutUint16(b[2+2*n:], p.Lo)
		if p.Lo != p.Hi {
			b[32+n] = 1
			n++
			he.PutUint16(b[2+2*n:], p.Hi)
		}
		n++
	}
	b[1] = uint8(n)
	if invert {
		b[47] = 1
	}
	return b
}

// ParseMultiportInfo decodes MultiportInfo's layout.
func ParseMultiportInfo(b []byte) (flags uint8, ports []PortRange, invert bool, err error) {
	if len(b) != 48 || b[1] > 15 {
		return 0, nil, false, errXTInfo
	}
	for i := 0; i < int(b[1]); i++ {
		p := he.Uint16(b[2+2*i:])
		if b[32+i] == 1 && i+1 < int(b[1]) {
			ports = append(ports, PortRange{p, he.Uint16(b[2+2*(i+1):])})
			i++
			continue
		}
		ports = append(ports, PortRange{p, p})
	}
	return b[0], ports, b[47] != 0, nil
}

// AddrtypeInfo is struct xt_addrtype_info_v1 (revision 1): source and
// dest type masks (1 << RTN_*), flags (XT_ADDRTYPE_INVERT_SOURCE 1,
// _INVERT_DEST 2, ...); 8 bytes.
func AddrtypeInfo(source, dest uint16, flags uint32) []byte {
	b := make([]byte, 8)
	he.PutUint16(b[0:], source)
	he.PutUint16(b[2:], dest)
	he.PutUint32(b[4:], flags)
	return b
}

// ParseAddrtypeInfo decodes AddrtypeInfo's layout.
func ParseAddrtypeInfo(b []byte) (source, dest uint16, flags uint32, err error) {
	if len(b) != 8 {
		return 0, 0, 0, errXTInfo
	}
	return he.Uint16(b), he.Uint16(b[2:]), he.Uint32(b[4:]), nil
}

// TCPUDPInfo is struct xt_tcp (tcp) or xt_udp (udp): source and
// destination port ranges (host order) and invflags (XT_TCP_INV_SRCPT 1,
// _DSTPT 2; xt_udp the same); 16 bytes either way. iptables 1.8.7 reads
// ports only in this form.
func TCPUDPInfo(tcp bool, sport, dport PortRange, invflags uint8) []byte {
	b := make([]byte, 16)
	he.PutUint16(b[0:], sport.Lo)
	he.PutUint16(b[2:], sport.Hi)
	he.PutUint16(b[4:], dport.Lo)
	he.PutUint16(b[6:], dport.Hi)
	if tcp {
		b[11] = invflags // after option, flg_mask, flg_cmp
	} else {
		b[8] = invflags
	}
	return b
}

// ParseTCPUDPInfo decodes TCPUDPInfo's layout.
func ParseTCPUDPInfo(tcp bool, b []byte) (sport, dport PortRange, invflags uint8, err error) {
	if len(b) != 16 {
		return sport, dport, 0, errXTInfo
	}
	sport = PortRange{he.Uint16(b), he.Uint16(b[2:])}
	dport = PortRange{he.Uint16(b[4:]), he.Uint16(b[6:])}
	if tcp {
		return sport, dport, b[11], nil
	}
	return sport, dport, b[8], nil
}
