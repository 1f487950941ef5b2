package firewall

import (
	"encoding/binary"
	"net/netip"

	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// Rule builders for nsnet's NAT rules. Each carries the `nft
// --debug=netlink` listing of the rule nft builds from the text on the
// comment's first line (STYLE R5, learned with nft 1.0.6 inside
// `unshare -n`). TestRuleBytesMatchNFT checks that our NFT_MSG_NEWRULE is
// byte for byte nft's for every form in testdata/forms.txt, and
// TestOracleNFTList that `nft -j list ruleset` shows both the same.

// rules of a masquerade: one rule in postrouting.
func (m Masquerade) rules() []nft.Rule {
	return []nft.Rule{natRule(chainPostrouting, m.String(), masqueradeExprs(m))}
}

// rules of a forward: DNAT in prerouting, DNAT in output (for the host
// itself, only without iif), and the hairpin masquerade in postrouting.
func (f Forward) rules() []nft.Rule {
	c := f.String()
	rs := []nft.Rule{natRule(chainPrerouting, c, forwardPreroutingExprs(f))}
	if f.InIface == "" {
		rs = append(rs, natRule(chainOutput, c, forwardOutputExprs(f)))
	}
	return append(rs, natRule(chainPostrouting, c, hairpinExprs(f)))
}

func natRule(chain, comment string, exprs []nft.Expr) nft.Rule {
	return nft.Rule{Family: nft.FamilyINet, Table: NATTable, Chain: chain, Comment: comment, Exprs: exprs}
}

// masqueradeExprs builds, for masquerade 192.168.15.0/24 oif eth0:
//
//	meta nfproto ipv4 ip saddr 192.168.15.0/24 oifname "eth0" counter masquerade
//	[ meta load nfproto => reg 1 ]
//	[ cmp eq reg 1 0x00000002 ]
//	[ payload load 3b @ network header + 12 => reg 1 ]
//	[ cmp eq reg 1 0x000fa8c0 ]
//	[ meta load oifname => reg 1 ]
//	[ cmp eq reg 1 0x30687465 0x00000000 0x00000000 0x00000000 ]
//	[ counter pkts 0 bytes 0 ]
//	[ masq ]
//
// A prefix that is not byte-aligned loads the whole address and masks it
// (ip saddr 192.168.16.0/20):
//
//	[ payload load 4b @ network header + 12 => reg 1 ]
//	[ bitwise reg 1 = ( reg 1 & 0x00f0ffff ) ^ 0x00000000 ]
//	[ cmp eq reg 1 0x0010a8c0 ]
//
// IPv6 (masquerade fd00::/64): nfproto 0x0000000a, then
//
//	[ payload load 8b @ network header + 8 => reg 1 ]
//	[ cmp eq reg 1 0x000000fd 0x00000000 ]
func masqueradeExprs(m Masquerade) []nft.Expr {
	l3 := addrL3(m.Src.Addr())
	e := nfprotoMatch(l3)
	e = append(e, prefixMatch(l3.saddr, m.Src.Masked(), unix.NFT_CMP_EQ)...)
	if m.OutIface != "" {
		e = append(e, ifnameMatch(unix.NFT_META_OIFNAME, m.OutIface)...)
	}
	return append(e, &nft.Counter{}, &nft.Masq{})
}

// forwardPreroutingExprs builds, for forward tcp 8080 192.168.15.2:80 iif eth0:
//
//	iifname "eth0" meta nfproto ipv4 fib daddr type local tcp dport 8080 counter dnat ip to 192.168.15.2:80
//	[ meta load iifname => reg 1 ]
//	[ cmp eq reg 1 0x30687465 0x00000000 0x00000000 0x00000000 ]
//	[ meta load nfproto => reg 1 ]
//	[ cmp eq reg 1 0x00000002 ]
//	[ fib daddr type => reg 1 ]
//	[ cmp eq reg 1 0x00000002 ]
//	[ meta load l4proto => reg 1 ]
//	[ cmp eq reg 1 0x00000006 ]
//	[ payload load 2b @ transport header + 2 => reg 1 ]
//	[ cmp eq reg 1 0x0000901f ]
//	[ counter pkts 0 bytes 0 ]
//	[ immediate reg 1 0x020fa8c0 ]
//	[ immediate reg 2 0x00005000 ]
//	[ nat dnat ip addr_min reg 1 proto_min reg 2 flags 0x2 ]
//
// "fib daddr type local": only connections to one of the host's own
// addresses are forwarded, not traffic routed through the host.
func forwardPreroutingExprs(f Forward) []nft.Expr {
	var e []nft.Expr
	if f.InIface != "" {
		e = ifnameMatch(unix.NFT_META_IIFNAME, f.InIface)
	}
	l3 := addrL3(f.To.Addr())
	e = append(e, nfprotoMatch(l3)...)
	e = append(e, localDaddr()...)
	e = append(e, portMatch(f.Proto, f.Port)...)
	return append(e, dnat(l3, f.To)...)
}

// forwardOutputExprs builds, for forward tcp 8080 192.168.15.2:80 (the
// host's own connections, NAT hook output):
//
//	meta nfproto ipv4 ip daddr != 127.0.0.0/8 fib daddr type local tcp dport 8080 counter dnat ip to 192.168.15.2:80
//	[ meta load nfproto => reg 1 ]
//	[ cmp eq reg 1 0x00000002 ]
//	[ payload load 1b @ network header + 16 => reg 1 ]
//	[ cmp neq reg 1 0x0000007f ]
//	[ fib daddr type => reg 1 ]
//	[ cmp eq reg 1 0x00000002 ]
//	[ meta load l4proto => reg 1 ]
//	[ cmp eq reg 1 0x00000006 ]
//	[ payload load 2b @ transport header + 2 => reg 1 ]
//	[ cmp eq reg 1 0x0000901f ]
//	[ counter pkts 0 bytes 0 ]
//	[ immediate reg 1 0x020fa8c0 ]
//	[ immediate reg 2 0x00005000 ]
//	[ nat dnat ip addr_min reg 1 proto_min reg 2 flags 0x2 ]
//
// Loopback destinations are left alone: a DNAT from 127.0.0.1 would be
// dropped as martian. IPv6 (ip6 daddr != ::1):
//
//	[ payload load 16b @ network header + 24 => reg 1 ]
//	[ cmp neq reg 1 0x00000000 0x00000000 0x00000000 0x01000000 ]
//
// With Localhost the loopback exclusion goes (forward tcp 8080
// 192.168.15.2:80 localhost):
//
//	meta nfproto ipv4 fib daddr type local tcp dport 8080 counter dnat ip to 192.168.15.2:80
func forwardOutputExprs(f Forward) []nft.Expr {
	l3 := addrL3(f.To.Addr())
	e := nfprotoMatch(l3)
	if !f.Localhost {
		e = append(e, prefixMatch(l3.daddr, l3.loopback, unix.NFT_CMP_NEQ)...)
	}
	e = append(e, localDaddr()...)
	e = append(e, portMatch(f.Proto, f.Port)...)
	return append(e, dnat(l3, f.To)...)
}

// hairpinExprs builds, for forward tcp 8080 192.168.15.2:80 hairpin
// 192.168.15.0/24 (without hairpin, the saddr match is left out):
//
//	meta nfproto ipv4 ct status dnat ip daddr 192.168.15.2 tcp dport 80 ip saddr 192.168.15.0/24 counter masquerade
//	[ meta load nfproto => reg 1 ]
//	[ cmp eq reg 1 0x00000002 ]
//	[ ct load status => reg 1 ]
//	[ bitwise reg 1 = ( reg 1 & 0x00000020 ) ^ 0x00000000 ]
//	[ cmp neq reg 1 0x00000000 ]
//	[ payload load 4b @ network header + 16 => reg 1 ]
//	[ cmp eq reg 1 0x020fa8c0 ]
//	[ meta load l4proto => reg 1 ]
//	[ cmp eq reg 1 0x00000006 ]
//	[ payload load 2b @ transport header + 2 => reg 1 ]
//	[ cmp eq reg 1 0x00005000 ]
//	[ payload load 3b @ network header + 12 => reg 1 ]
//	[ cmp eq reg 1 0x000fa8c0 ]
//	[ counter pkts 0 bytes 0 ]
//	[ masq ]
//
// Without it, the target on the bridge would answer a client on the same
// bridge directly, from its own address, and the client would drop the
// reply: it talked to the host's address.
func hairpinExprs(f Forward) []nft.Expr {
	l3 := addrL3(f.To.Addr())
	e := nfprotoMatch(l3)
	e = append(e, ctStatusDNAT()...)
	e = append(e, prefixMatch(l3.daddr, netip.PrefixFrom(f.To.Addr(), f.To.Addr().BitLen()), unix.NFT_CMP_EQ)...)
	e = append(e, portMatch(f.Proto, f.To.Port())...)
	if f.Hairpin.IsValid() {
		e = append(e, prefixMatch(l3.saddr, f.Hairpin.Masked(), unix.NFT_CMP_EQ)...)
	}
	return append(e, &nft.Counter{}, &nft.Masq{})
}

// ipsCTDstNat is IPS_DST_NAT (nf_conntrack_common.h).
const ipsCTDstNat = 0x20

// l3 describes the network header of one IP version.
type l3 struct {
	nfproto  uint8        // meta nfproto value
	saddr    uint32       // offset of the source address
	daddr    uint32       // offset of the destination address
	loopback netip.Prefix // 127.0.0.0/8 or ::1/128
}

func addrL3(a netip.Addr) l3 {
	if a.Is4() {
		return l3{unix.NFPROTO_IPV4, 12, 16, netip.MustParsePrefix("127.0.0.0/8")}
	}
	return l3{unix.NFPROTO_IPV6, 8, 24, netip.MustParsePrefix("::1/128")}
}

// nfprotoMatch: meta nfproto ipv4|ipv6 (a 1-byte compare, as nft sends).
func nfprotoMatch(l l3) []nft.Expr {
	return []nft.Expr{
		&nft.Meta{Key: unix.NFT_META_NFPROTO, Reg: unix.NFT_REG_1},
		&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: []byte{l.nfproto}},
	}
}

// prefixMatch compares the address at off with p as nft does: a
// byte-aligned prefix loads only its bytes; any other loads the whole
// address and masks it; /0 matches everything and emits nothing.
func prefixMatch(off uint32, p netip.Prefix, op nft.CmpOp) []nft.Expr {
	bits := p.Bits()
	addr := p.Addr().AsSlice()
	switch {
	case bits == 0:
		return nil
	case bits%8 == 0:
		return []nft.Expr{
			&nft.Payload{Base: unix.NFT_PAYLOAD_NETWORK_HEADER, Offset: off, Len: uint32(bits / 8), Reg: unix.NFT_REG_1},
			&nft.Cmp{Op: op, Reg: unix.NFT_REG_1, Data: addr[:bits/8]},
		}
	}
	mask := make([]byte, len(addr))
	for i := range mask {
		switch {
		case bits >= 8*(i+1):
			mask[i] = 0xff
		case bits > 8*i:
			mask[i] = byte(0xff << (8*(i+1) - bits))
		}
	}
	return []nft.Expr{
		&nft.Payload{Base: unix.NFT_PAYLOAD_NETWORK_HEADER, Offset: off, Len: uint32(len(addr)), Reg: unix.NFT_REG_1},
		&nft.Bitwise{SReg: unix.NFT_REG_1, DReg: unix.NFT_REG_1, Len: uint32(len(addr)), Mask: mask, Xor: make([]byte, len(addr))},
		&nft.Cmp{Op: op, Reg: unix.NFT_REG_1, Data: addr},
	}
}

// ifnameMatch: meta iifname|oifname "NAME", compared as IFNAMSIZ bytes.
func ifnameMatch(key nft.MetaKey, name string) []nft.Expr {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, name)
	return []nft.Expr{
		&nft.Meta{Key: key, Reg: unix.NFT_REG_1},
		&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: b},
	}
}

// localDaddr: fib daddr type local (RTN_LOCAL, a host-order u32).
func localDaddr() []nft.Expr {
	return []nft.Expr{
		&nft.Fib{Result: unix.NFT_FIB_RESULT_ADDRTYPE, Flags: unix.NFTA_FIB_F_DADDR, Reg: unix.NFT_REG_1},
		&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: binary.NativeEndian.AppendUint32(nil, unix.RTN_LOCAL)},
	}
}

// ctStatusDNAT: ct status dnat (IPS_DST_NAT bit set; host-order u32).
func ctStatusDNAT() []nft.Expr {
	return []nft.Expr{
		&nft.Ct{Key: unix.NFT_CT_STATUS, Reg: unix.NFT_REG_1},
		&nft.Bitwise{SReg: unix.NFT_REG_1, DReg: unix.NFT_REG_1, Len: 4,
			Mask: binary.NativeEndian.AppendUint32(nil, ipsCTDstNat), Xor: make([]byte, 4)},
		&nft.Cmp{Op: unix.NFT_CMP_NEQ, Reg: unix.NFT_REG_1, Data: make([]byte, 4)},
	}
}

// portMatch: meta l4proto tcp|udp, then th dport PORT (big-endian).
func portMatch(proto string, port uint16) []nft.Expr {
	p := byte(unix.IPPROTO_TCP)
	if proto == "udp" {
		p = unix.IPPROTO_UDP
	}
	return []nft.Expr{
		&nft.Meta{Key: unix.NFT_META_L4PROTO, Reg: unix.NFT_REG_1},
		&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: []byte{p}},
		&nft.Payload{Base: unix.NFT_PAYLOAD_TRANSPORT_HEADER, Offset: 2, Len: 2, Reg: unix.NFT_REG_1},
		&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: binary.BigEndian.AppendUint16(nil, port)},
	}
}

// dnat: counter, then dnat ip|ip6 to ADDR:PORT through registers 1 and 2.
func dnat(l l3, to netip.AddrPort) []nft.Expr {
	return []nft.Expr{
		&nft.Counter{},
		&nft.Immediate{Reg: unix.NFT_REG_1, Data: to.Addr().AsSlice()},
		&nft.Immediate{Reg: unix.NFT_REG_2, Data: binary.BigEndian.AppendUint16(nil, to.Port())},
		&nft.Nat{Type: unix.NFT_NAT_DNAT, Family: uint32(l.nfproto), RegAddrMin: unix.NFT_REG_1,
			RegProtoMin: unix.NFT_REG_2, Flags: unix.NF_NAT_RANGE_PROTO_SPECIFIED},
	}
}
