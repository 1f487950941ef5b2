package main

import "strconv"

// Kernel numbers the CLI prints or puts in requests, and iproute2's words
// for them. The kernel name is in each comment so that a grep finds it.
// (cmd/nsnet does not import golang.org/x/sys/unix: STYLE.md R15.)

// Interface flags, IFF_* in include/uapi/linux/if.h.
const (
	iffUp          = 0x1     // IFF_UP
	iffBroadcast   = 0x2     // IFF_BROADCAST
	iffDebug       = 0x4     // IFF_DEBUG
	iffLoopback    = 0x8     // IFF_LOOPBACK
	iffPointopoint = 0x10    // IFF_POINTOPOINT
	iffNotrailers  = 0x20    // IFF_NOTRAILERS
	iffRunning     = 0x40    // IFF_RUNNING
	iffNoarp       = 0x80    // IFF_NOARP
	iffPromisc     = 0x100   // IFF_PROMISC
	iffAllmulti    = 0x200   // IFF_ALLMULTI
	iffMaster      = 0x400   // IFF_MASTER
	iffSlave       = 0x800   // IFF_SLAVE
	iffMulticast   = 0x1000  // IFF_MULTICAST
	iffPortsel     = 0x2000  // IFF_PORTSEL
	iffAutomedia   = 0x4000  // IFF_AUTOMEDIA
	iffDynamic     = 0x8000  // IFF_DYNAMIC
	iffLowerUp     = 0x10000 // IFF_LOWER_UP
	iffDormant     = 0x20000 // IFF_DORMANT
	iffEcho        = 0x40000 // IFF_ECHO
)

// linkFlagNames is iproute2's print_link_flags() order.
var linkFlagNames = [...]struct {
	bit  uint32
	name string
}{
	{iffLoopback, "LOOPBACK"}, {iffBroadcast, "BROADCAST"}, {iffPointopoint, "POINTOPOINT"},
	{iffMulticast, "MULTICAST"}, {iffNoarp, "NOARP"}, {iffAllmulti, "ALLMULTI"},
	{iffPromisc, "PROMISC"}, {iffMaster, "MASTER"}, {iffSlave, "SLAVE"}, {iffDebug, "DEBUG"},
	{iffDynamic, "DYNAMIC"}, {iffAutomedia, "AUTOMEDIA"}, {iffPortsel, "PORTSEL"},
	{iffNotrailers, "NOTRAILERS"}, {iffUp, "UP"}, {iffLowerUp, "LOWER_UP"},
	{iffDormant, "DORMANT"}, {iffEcho, "ECHO"},
}

// linkFlags returns the words iproute2 prints between < > for ifi_flags:
// NO-CARRIER first when up without carrier, RUNNING never, unknown bits in
// hex, M-DOWN last when the link's lower device is down.
func linkFlags(flags uint32, mdown bool) []string {
	var out []string
	if flags&iffUp != 0 && flags&iffRunning == 0 {
		out = append(out, "NO-CARRIER")
	}
	flags &^= iffRunning
	for _, f := range linkFlagNames {
		if flags&f.bit != 0 {
			flags &^= f.bit
			out = append(out, f.name)
		}
	}
	if flags != 0 {
		out = append(out, strconv.FormatUint(uint64(flags), 16))
	}
	if mdown {
		out = append(out, "M-DOWN")
	}
	return out
}

// arphrdName is iproute2's ll_type_n2a() for the ARPHRD_* types nsnet meets
// (include/uapi/linux/if_arp.h).
func arphrdName(t uint16) string {
	switch t {
	case 1: // ARPHRD_ETHER
		return "ether"
	case 768: // ARPHRD_TUNNEL
		return "ipip"
	case 769: // ARPHRD_TUNNEL6
		return "tunnel6"
	case 772: // ARPHRD_LOOPBACK
		return "loopback"
	case 776: // ARPHRD_SIT
		return "sit"
	case 778: // ARPHRD_IPGRE
		return "gre"
	case 823: // ARPHRD_IP6GRE
		return "gre6"
	case 65534: // ARPHRD_NONE
		return "none"
	case 65535: // ARPHRD_VOID
		return "void"
	}
	return "[" + strconv.Itoa(int(t)) + "]"
}

// Address families, AF_* in include/linux/socket.h.
const (
	afUnspec = 0  // AF_UNSPEC
	afInet   = 2  // AF_INET
	afInet6  = 10 // AF_INET6
)

// familyName is iproute2's family_name().
func familyName(f uint8) string {
	switch f {
	case afInet:
		return "inet"
	case afInet6:
		return "inet6"
	}
	return strconv.Itoa(int(f))
}

// familyOf returns the address family number for -4/-6 (0: all).
func familyOf(o opts) uint8 {
	switch o.family {
	case 4:
		return afInet
	case 6:
		return afInet6
	}
	return afUnspec
}

// Route scopes, RT_SCOPE_* in include/uapi/linux/rtnetlink.h.
const (
	scopeUniverse = 0   // RT_SCOPE_UNIVERSE
	scopeSite     = 200 // RT_SCOPE_SITE
	scopeLink     = 253 // RT_SCOPE_LINK
	scopeHost     = 254 // RT_SCOPE_HOST
	scopeNowhere  = 255 // RT_SCOPE_NOWHERE
)

// scopeName is iproute2's rtnl_rtscope_n2a().
func scopeName(s uint8) string {
	switch s {
	case scopeUniverse:
		return "global"
	case scopeSite:
		return "site"
	case scopeLink:
		return "link"
	case scopeHost:
		return "host"
	case scopeNowhere:
		return "nowhere"
	}
	return strconv.Itoa(int(s))
}

// parseScope is iproute2's rtnl_rtscope_a2n().
func parseScope(s string) (uint8, bool) {
	for _, sc := range []uint8{scopeUniverse, scopeSite, scopeLink, scopeHost, scopeNowhere} {
		if scopeName(sc) == s {
			return sc, true
		}
	}
	if s == "universe" {
		return scopeUniverse, true
	}
	n, err := strconv.ParseUint(s, 0, 8)
	return uint8(n), err == nil
}

// Route protocols (RTPROT_*), tables and types.
const (
	protoUnspec = 0   // RTPROT_UNSPEC
	protoKernel = 2   // RTPROT_KERNEL
	protoBoot   = 3   // RTPROT_BOOT: what `ip route add` sets
	protoStatic = 4   // RTPROT_STATIC
	tableMain   = 254 // RT_TABLE_MAIN
	rtnUnicast  = 1   // RTN_UNICAST
)

// protoNames is iproute2's /usr/share/iproute2/rt_protos plus its builtins.
var protoNames = map[uint8]string{
	0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated",
	9: "ra", 10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp",
	15: "ntk", 16: "dhcp", 18: "keepalived", 42: "babel", 99: "openr",
	186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp",
}

func protoName(p uint8) string {
	if n, ok := protoNames[p]; ok {
		return n
	}
	return strconv.Itoa(int(p))
}

func parseProto(s string) (uint8, bool) {
	for p, n := range protoNames {
		if n == s {
			return p, true
		}
	}
	n, err := strconv.ParseUint(s, 0, 8)
	return uint8(n), err == nil
}

// routeTypeNames is iproute2's rtnl_rtntype_n2a() (RTN_* values).
var routeTypeNames = [...]string{
	0: "none", 1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast",
	6: "blackhole", 7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat", 11: "xresolve",
}

func routeTypeName(t uint8) string {
	if int(t) < len(routeTypeNames) {
		return routeTypeNames[t]
	}
	return strconv.Itoa(int(t))
}

// routeFlagNames: RTNH_F_* and RTM_F_* (include/uapi/linux/rtnetlink.h)
// in the order iproute2's print_rt_flags() prints them.
var routeFlagNames = [...]struct {
	bit  uint32
	name string
}{
	{0x1, "dead"}, {0x4, "onlink"}, {0x2, "pervasive"}, {0x8, "offload"},
	{0x40, "trap"}, {0x100, "notify"}, {0x10, "linkdown"}, {0x20, "unresolved"},
	{0x2000, "rt_offload"}, {0x4000, "rt_trap"}, {0x20000000, "rt_offload_failed"},
}

const rtmFCloned = 0x200 // RTM_F_CLONED: cache entries, never listed

const rtnhFOnlink = 0x4 // RTNH_F_ONLINK

// routePrefName is RTA_PREF (ICMPV6_ROUTER_PREF_*) as iproute2 prints it.
func routePrefName(p uint8) string {
	switch p {
	case 0:
		return "medium"
	case 1:
		return "high"
	case 3:
		return "low"
	}
	return strconv.Itoa(int(p))
}

// Neighbour states, NUD_* in include/uapi/linux/neighbour.h, in the order
// iproute2's print_neigh_state() prints them.
const (
	nudIncomplete = 0x01 // NUD_INCOMPLETE
	nudReachable  = 0x02 // NUD_REACHABLE
	nudStale      = 0x04 // NUD_STALE
	nudDelay      = 0x08 // NUD_DELAY
	nudProbe      = 0x10 // NUD_PROBE
	nudFailed     = 0x20 // NUD_FAILED
	nudNoarp      = 0x40 // NUD_NOARP
	nudPermanent  = 0x80 // NUD_PERMANENT
	ntfProxy      = 0x08 // NTF_PROXY
	ntfRouter     = 0x80 // NTF_ROUTER
)

var nudNames = [...]struct {
	bit  uint16
	name string
}{
	{nudIncomplete, "INCOMPLETE"}, {nudReachable, "REACHABLE"}, {nudStale, "STALE"},
	{nudDelay, "DELAY"}, {nudProbe, "PROBE"}, {nudFailed, "FAILED"},
	{nudNoarp, "NOARP"}, {nudPermanent, "PERMANENT"},
}

func nudStates(s uint16) []string {
	var out []string
	for _, n := range nudNames {
		if s&n.bit != 0 {
			s &^= n.bit
			out = append(out, n.name)
		}
	}
	if s != 0 {
		out = append(out, "0x"+strconv.FormatUint(uint64(s), 16))
	}
	return out
}

// parseNUD reads `nud STATE` of `ip neigh add`.
func parseNUD(s string) (uint16, bool) {
	for _, n := range nudNames {
		if matches(s, lower(n.name)) {
			return n.bit, true
		}
	}
	return 0, false
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Address flags, IFA_F_* in include/uapi/linux/if_addr.h, in iproute2's
// ifa_flag_data[] order.
var addrFlagNames = [...]struct {
	bit  uint32
	name string
}{
	{0x01, "secondary"}, {0x02, "nodad"}, {0x04, "optimistic"}, {0x08, "dadfailed"},
	{0x10, "home"}, {0x20, "deprecated"}, {0x40, "tentative"}, {0x80, "permanent"},
	{0x100, "mngtmpaddr"}, {0x200, "noprefixroute"}, {0x400, "autojoin"}, {0x800, "stable-privacy"},
}

const (
	ifaFSecondary = 0x01 // IFA_F_SECONDARY
	ifaFPermanent = 0x80 // IFA_F_PERMANENT
	infinityLife  = 0xFFFFFFFF
)
