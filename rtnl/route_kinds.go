package rtnl

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// TableMain is RT_TABLE_MAIN, the table `ip route` shows and changes.
const TableMain = unix.RT_TABLE_MAIN

// RouteType is rtm_type: what the kernel does with a packet the route
// matches (RTN_* in include/uapi/linux/rtnetlink.h).
type RouteType uint8

// Route types, RTN_* in include/uapi/linux/rtnetlink.h.
const (
	RouteUnspec      RouteType = unix.RTN_UNSPEC      // RTN_UNSPEC
	RouteUnicast     RouteType = unix.RTN_UNICAST     // RTN_UNICAST: a gateway or a direct route
	RouteLocal       RouteType = unix.RTN_LOCAL       // RTN_LOCAL: accept locally
	RouteBroadcast   RouteType = unix.RTN_BROADCAST   // RTN_BROADCAST
	RouteAnycast     RouteType = unix.RTN_ANYCAST     // RTN_ANYCAST
	RouteMulticast   RouteType = unix.RTN_MULTICAST   // RTN_MULTICAST
	RouteBlackhole   RouteType = unix.RTN_BLACKHOLE   // RTN_BLACKHOLE: drop silently
	RouteUnreachable RouteType = unix.RTN_UNREACHABLE // RTN_UNREACHABLE: ICMP host unreachable
	RouteProhibit    RouteType = unix.RTN_PROHIBIT    // RTN_PROHIBIT: ICMP administratively prohibited
	RouteThrow       RouteType = unix.RTN_THROW       // RTN_THROW: continue with the next rule
	RouteNAT         RouteType = unix.RTN_NAT         // RTN_NAT
	RouteXResolve    RouteType = unix.RTN_XRESOLVE    // RTN_XRESOLVE
)

// routeTypeNames is iproute2's rtnl_rtntype_n2a() (lib/rt_names.c).
var routeTypeNames = [...]string{
	RouteUnspec: "none", RouteUnicast: "unicast", RouteLocal: "local", RouteBroadcast: "broadcast",
	RouteAnycast: "anycast", RouteMulticast: "multicast", RouteBlackhole: "blackhole",
	RouteUnreachable: "unreachable", RouteProhibit: "prohibit", RouteThrow: "throw",
	RouteNAT: "nat", RouteXResolve: "xresolve",
}

// String returns iproute2's word for the type ("unicast", "local",
// "blackhole"...; "none" for RTN_UNSPEC), or the number.
func (t RouteType) String() string {
	if int(t) < len(routeTypeNames) {
		return routeTypeNames[t]
	}
	return strconv.Itoa(int(t))
}

// ParseRouteType is iproute2's rtnl_rtntype_a2n(): a word String returns
// or a number up to 255.
func ParseRouteType(s string) (RouteType, bool) {
	for t, n := range routeTypeNames {
		if n == s {
			return RouteType(t), true
		}
	}
	n, err := strconv.ParseUint(s, 0, 8)
	return RouteType(n), err == nil
}

// RouteProtocol is rtm_protocol: who installed the route (RTPROT_* in
// include/uapi/linux/rtnetlink.h; the kernel does not interpret it).
type RouteProtocol uint8

// Route protocols nsnet sets or tests, RTPROT_* in
// include/uapi/linux/rtnetlink.h.
const (
	ProtoUnspec RouteProtocol = unix.RTPROT_UNSPEC // RTPROT_UNSPEC
	ProtoKernel RouteProtocol = unix.RTPROT_KERNEL // RTPROT_KERNEL: the kernel's own (a prefix route of an address)
	ProtoBoot   RouteProtocol = unix.RTPROT_BOOT   // RTPROT_BOOT: what `ip route add` sets
	ProtoStatic RouteProtocol = unix.RTPROT_STATIC // RTPROT_STATIC
	ProtoRA     RouteProtocol = unix.RTPROT_RA     // RTPROT_RA: IPv6 router advertisement
	ProtoDHCP   RouteProtocol = unix.RTPROT_DHCP   // RTPROT_DHCP
)

// protoNames is iproute2's rtnl_rtprot_tab (lib/rt_names.c) plus the
// names of /usr/share/iproute2/rt_protos that 6.1 installs.
var protoNames = map[RouteProtocol]string{
	0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated",
	9: "ra", 10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp",
	15: "ntk", 16: "dhcp", 18: "keepalived", 42: "babel", 99: "openr",
	186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp",
}

// String returns iproute2's rtnl_rtprot_n2a() word ("kernel", "boot",
// "static", "dhcp"...), or the number.
func (p RouteProtocol) String() string {
	if n, ok := protoNames[p]; ok {
		return n
	}
	return strconv.Itoa(int(p))
}

// ParseRouteProtocol is iproute2's rtnl_rtprot_a2n(): a word String
// returns or a number up to 255.
func ParseRouteProtocol(s string) (RouteProtocol, bool) {
	for p, n := range protoNames {
		if n == s {
			return p, true
		}
	}
	n, err := strconv.ParseUint(s, 0, 8)
	return RouteProtocol(n), err == nil
}

// RouteFlags is rtm_flags: RTNH_F_* (next-hop flags, also set on a
// route with one next hop) and RTM_F_* of include/uapi/linux/rtnetlink.h.
type RouteFlags uint32

// Route flags, RTNH_F_* and RTM_F_* in include/uapi/linux/rtnetlink.h.
const (
	RouteDead      RouteFlags = unix.RTNH_F_DEAD      // RTNH_F_DEAD
	RoutePervasive RouteFlags = unix.RTNH_F_PERVASIVE // RTNH_F_PERVASIVE
	RouteOnLink    RouteFlags = unix.RTNH_F_ONLINK    // RTNH_F_ONLINK: the gateway is on the link even if no prefix says so
	RouteOffload   RouteFlags = unix.RTNH_F_OFFLOAD   // RTNH_F_OFFLOAD
	RouteLinkDown  RouteFlags = unix.RTNH_F_LINKDOWN  // RTNH_F_LINKDOWN: the device has no carrier
	RouteCloned    RouteFlags = unix.RTM_F_CLONED     // RTM_F_CLONED: a cache entry, never listed by `ip route`
)

// routeFlagNames are the flags iproute2's print_rt_flags() prints, in its
// order.
var routeFlagNames = []bitName[RouteFlags]{
	{RouteDead, "dead"}, {RouteOnLink, "onlink"}, {RoutePervasive, "pervasive"}, {RouteOffload, "offload"},
	{unix.RTNH_F_TRAP, "trap"}, {unix.RTM_F_NOTIFY, "notify"}, {RouteLinkDown, "linkdown"},
	{unix.RTNH_F_UNRESOLVED, "unresolved"}, {unix.RTM_F_OFFLOAD, "rt_offload"},
	{unix.RTM_F_TRAP, "rt_trap"}, {unix.RTM_F_OFFLOAD_FAILED, "rt_offload_failed"},
}

// Words returns the words print_rt_flags() prints for f, in its order;
// bits it does not print are left out. Never nil: `ip -j route` prints
// "flags":[] for a route without flags.
func (f RouteFlags) Words() []string {
	out, _ := bitWords([]string{}, f, routeFlagNames)
	return out
}

// RoutePref is RTA_PREF, an IPv6 route's router preference
// (ICMPV6_ROUTER_PREF_* in include/uapi/linux/icmpv6.h).
type RoutePref uint8

// Router preferences, ICMPV6_ROUTER_PREF_* in include/uapi/linux/icmpv6.h.
const (
	PrefMedium RoutePref = 0 // ICMPV6_ROUTER_PREF_MEDIUM
	PrefHigh   RoutePref = 1 // ICMPV6_ROUTER_PREF_HIGH
	PrefLow    RoutePref = 3 // ICMPV6_ROUTER_PREF_LOW
)

// String returns the preference as `ip -6 route` prints it after "pref":
// medium, high, low, or the number.
func (p RoutePref) String() string {
	switch p {
	case PrefMedium:
		return "medium"
	case PrefHigh:
		return "high"
	case PrefLow:
		return "low"
	}
	return strconv.Itoa(int(p))
}
