package rtnl

import (
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// Family is an address family, the first byte of every rtnetlink message
// body (AF_* in include/linux/socket.h). In a dump request, FamilyAll
// asks for every family.
type Family uint8

// Address families rtnetlink messages carry.
const (
	FamilyAll    Family = unix.AF_UNSPEC // AF_UNSPEC: in a dump request, every family
	FamilyInet   Family = unix.AF_INET   // AF_INET
	FamilyInet6  Family = unix.AF_INET6  // AF_INET6
	FamilyBridge Family = unix.AF_BRIDGE // AF_BRIDGE
	FamilyPacket Family = unix.AF_PACKET // AF_PACKET
	FamilyMPLS   Family = unix.AF_MPLS   // AF_MPLS
)

// String returns iproute2's family_name() word: "inet", "inet6",
// "bridge", "link" (AF_PACKET), "mpls", or the number.
func (f Family) String() string {
	switch f {
	case FamilyInet:
		return "inet"
	case FamilyInet6:
		return "inet6"
	case FamilyBridge:
		return "bridge"
	case FamilyPacket:
		return "link"
	case FamilyMPLS:
		return "mpls"
	}
	return strconv.Itoa(int(f))
}

// Scope is an address's or a route's scope: ifa_scope, rtm_scope
// (RT_SCOPE_* in include/uapi/linux/rtnetlink.h; the kernel's enum
// rt_scope_t): how far from the host the address or route is valid.
type Scope uint8

// Scopes, RT_SCOPE_* in include/uapi/linux/rtnetlink.h.
const (
	ScopeUniverse Scope = unix.RT_SCOPE_UNIVERSE // RT_SCOPE_UNIVERSE: "global"
	ScopeSite     Scope = unix.RT_SCOPE_SITE     // RT_SCOPE_SITE
	ScopeLink     Scope = unix.RT_SCOPE_LINK     // RT_SCOPE_LINK: on this link only
	ScopeHost     Scope = unix.RT_SCOPE_HOST     // RT_SCOPE_HOST: this host only (127.0.0.0/8, local routes)
	ScopeNowhere  Scope = unix.RT_SCOPE_NOWHERE  // RT_SCOPE_NOWHERE: in RTM_DELROUTE, any scope
)

// scopeNames is iproute2's rtnl_rtscope_tab (lib/rt_names.c).
var scopeNames = [...]struct {
	s    Scope
	name string
}{
	{ScopeUniverse, "global"}, {ScopeNowhere, "nowhere"}, {ScopeHost, "host"},
	{ScopeLink, "link"}, {ScopeSite, "site"},
}

// String returns iproute2's rtnl_rtscope_n2a() word: "global", "link",
// "host", "site", "nowhere", or the number.
func (s Scope) String() string {
	for _, n := range scopeNames {
		if n.s == s {
			return n.name
		}
	}
	return strconv.Itoa(int(s))
}

// ParseScope is iproute2's rtnl_rtscope_a2n(): a name String returns,
// "universe" (the kernel's name for global), or a number (decimal, 0x
// hex or 0 octal) up to 255.
func ParseScope(s string) (Scope, bool) {
	for _, n := range scopeNames {
		if n.name == s {
			return n.s, true
		}
	}
	if s == "universe" {
		return ScopeUniverse, true
	}
	n, err := strconv.ParseUint(s, 0, 8)
	return Scope(n), err == nil
}

// ipFamily is AF_INET or AF_INET6 for ip, AF_UNSPEC if ip is invalid.
func ipFamily(ip netip.Addr) Family {
	switch {
	case ip.Is4():
		return unix.AF_INET
	case ip.Is6():
		return unix.AF_INET6
	}
	return unix.AF_UNSPEC
}
