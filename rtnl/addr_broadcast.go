package rtnl

import "net/netip"

// Broadcast returns the IPv4 broadcast address of p, the one `ip addr add
// ADDR/LEN brd + dev DEV` sets (its highest address), or the invalid Addr
// where iproute2 sets none: for /31 and /32 (RFC 3021 point-to-point
// links have no broadcast) and for IPv6, which has no broadcast.
func Broadcast(p netip.Prefix) netip.Addr {
	if !p.Addr().Is4() || p.Bits() < 0 || p.Bits() >= 31 {
		return netip.Addr{}
	}
	a := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
