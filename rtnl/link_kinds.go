package rtnl

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The String methods of this package's kernel enums (LinkFlags,
// LinkMode, HardwareType, Family, Scope, AddrFlags, RouteType,
// RouteProtocol, RouteFlags, RoutePref, NeighState) print iproute2's
// words, from the tables in iproute2 6.1's sources named at each one. They
// are hand-written, not `go tool stringer` (STYLE.md R16), for the reason
// OperState's is: iproute2 prints a value it has no name for as a number
// ("proto 42", "state 0x7", "link/[65533]"), which stringer's
// "RouteType(12)" cannot be made to do, and most names are not Go
// identifiers ("stable-privacy", "rt_offload", "NO-CARRIER"). Each table
// is indexed by value or by bit, so stringer would save no code.

// A bitName is one flag bit and iproute2's word for it; a table of them
// lists a flag type's words in the order iproute2 prints them.
type bitName[T ~uint8 | ~uint16 | ~uint32] struct {
	bit  T
	name string
}

// bitWords appends to out the words of the bits of f that names lists, in
// its order, and returns the bits it has no word for.
func bitWords[T ~uint8 | ~uint16 | ~uint32](out []string, f T, names []bitName[T]) ([]string, T) {
	for _, n := range names {
		if f&n.bit != 0 {
			f &^= n.bit
			out = append(out, n.name)
		}
	}
	return out, f
}

// LinkFlags is ifinfomsg.ifi_flags: the IFF_* bits of
// include/uapi/linux/if.h (those SIOCGIFFLAGS reports, plus IFF_LOWER_UP,
// IFF_DORMANT and IFF_ECHO).
type LinkFlags uint32

// Interface flags, IFF_* in include/uapi/linux/if.h.
const (
	LinkUp           LinkFlags = unix.IFF_UP          // IFF_UP: administratively up
	LinkBroadcast    LinkFlags = unix.IFF_BROADCAST   // IFF_BROADCAST
	LinkDebug        LinkFlags = unix.IFF_DEBUG       // IFF_DEBUG
	LinkLoopback     LinkFlags = unix.IFF_LOOPBACK    // IFF_LOOPBACK
	LinkPointToPoint LinkFlags = unix.IFF_POINTOPOINT // IFF_POINTOPOINT: Broadcast is the peer
	LinkNoTrailers   LinkFlags = unix.IFF_NOTRAILERS  // IFF_NOTRAILERS
	LinkRunning      LinkFlags = unix.IFF_RUNNING     // IFF_RUNNING: carrier (the kernel's netif_running && carrier)
	LinkNoARP        LinkFlags = unix.IFF_NOARP       // IFF_NOARP
	LinkPromisc      LinkFlags = unix.IFF_PROMISC     // IFF_PROMISC
	LinkAllMulti     LinkFlags = unix.IFF_ALLMULTI    // IFF_ALLMULTI
	LinkMaster       LinkFlags = unix.IFF_MASTER      // IFF_MASTER
	LinkSlave        LinkFlags = unix.IFF_SLAVE       // IFF_SLAVE
	LinkMulticast    LinkFlags = unix.IFF_MULTICAST   // IFF_MULTICAST
	LinkPortSel      LinkFlags = unix.IFF_PORTSEL     // IFF_PORTSEL
	LinkAutoMedia    LinkFlags = unix.IFF_AUTOMEDIA   // IFF_AUTOMEDIA
	LinkDynamic      LinkFlags = unix.IFF_DYNAMIC     // IFF_DYNAMIC
	LinkLowerUp      LinkFlags = unix.IFF_LOWER_UP    // IFF_LOWER_UP
	LinkDormant      LinkFlags = unix.IFF_DORMANT     // IFF_DORMANT
	LinkEcho         LinkFlags = unix.IFF_ECHO        // IFF_ECHO
)

// linkFlagNames is iproute2's print_link_flags() order (ip/ipaddress.c).
var linkFlagNames = []bitName[LinkFlags]{
	{LinkLoopback, "LOOPBACK"}, {LinkBroadcast, "BROADCAST"}, {LinkPointToPoint, "POINTOPOINT"},
	{LinkMulticast, "MULTICAST"}, {LinkNoARP, "NOARP"}, {LinkAllMulti, "ALLMULTI"},
	{LinkPromisc, "PROMISC"}, {LinkMaster, "MASTER"}, {LinkSlave, "SLAVE"}, {LinkDebug, "DEBUG"},
	{LinkDynamic, "DYNAMIC"}, {LinkAutoMedia, "AUTOMEDIA"}, {LinkPortSel, "PORTSEL"},
	{LinkNoTrailers, "NOTRAILERS"}, {LinkUp, "UP"}, {LinkLowerUp, "LOWER_UP"},
	{LinkDormant, "DORMANT"}, {LinkEcho, "ECHO"},
}

// Words returns the words iproute2's print_link_flags() prints between
// < > for f: NO-CARRIER first when up without IFF_RUNNING, RUNNING never,
// the named bits in iproute2's order, and the bits it has no name for in
// hex. (M-DOWN, which iproute2 appends for a link whose lower link is
// down, depends on another link and is the caller's to add.)
func (f LinkFlags) Words() []string {
	var out []string
	if f&LinkUp != 0 && f&LinkRunning == 0 {
		out = append(out, "NO-CARRIER")
	}
	out, f = bitWords(out, f&^LinkRunning, linkFlagNames)
	if f != 0 {
		out = append(out, strconv.FormatUint(uint64(f), 16))
	}
	return out
}

// String returns Words joined by commas, as in `ip link`'s <...>:
// "BROADCAST,MULTICAST,UP,LOWER_UP".
func (f LinkFlags) String() string { return strings.Join(f.Words(), ",") }

// LinkMode is IFLA_LINKMODE (IF_LINK_MODE_* in include/uapi/linux/if.h):
// whether userspace decides when the link's operational state is up.
type LinkMode uint8

// Link modes, IF_LINK_MODE_* in include/uapi/linux/if.h.
const (
	LinkModeDefault LinkMode = 0 // IF_LINK_MODE_DEFAULT
	LinkModeDormant LinkMode = 1 // IF_LINK_MODE_DORMANT: operstate DORMANT until userspace says otherwise
	LinkModeTesting LinkMode = 2 // IF_LINK_MODE_TESTING
)

var linkModeNames = [...]string{LinkModeDefault: "DEFAULT", LinkModeDormant: "DORMANT", LinkModeTesting: "TESTING"}

// String returns the mode as `ip link` prints it after "mode": DEFAULT,
// DORMANT, TESTING, or the number.
func (m LinkMode) String() string {
	if int(m) < len(linkModeNames) {
		return linkModeNames[m]
	}
	return strconv.Itoa(int(m))
}

// HardwareType is ifinfomsg.ifi_type: the link layer, ARPHRD_* in
// include/uapi/linux/if_arp.h.
type HardwareType uint16

// Link-layer types nsnet meets, ARPHRD_* in include/uapi/linux/if_arp.h.
const (
	HardwareEther    HardwareType = unix.ARPHRD_ETHER    // ARPHRD_ETHER: veth, bridge, macvlan, tap...
	HardwareTunnel   HardwareType = unix.ARPHRD_TUNNEL   // ARPHRD_TUNNEL: ipip
	HardwareTunnel6  HardwareType = unix.ARPHRD_TUNNEL6  // ARPHRD_TUNNEL6: ip6tnl
	HardwareLoopback HardwareType = unix.ARPHRD_LOOPBACK // ARPHRD_LOOPBACK: lo
	HardwareSIT      HardwareType = unix.ARPHRD_SIT      // ARPHRD_SIT
	HardwareIPGRE    HardwareType = unix.ARPHRD_IPGRE    // ARPHRD_IPGRE
	HardwareIP6GRE   HardwareType = unix.ARPHRD_IP6GRE   // ARPHRD_IP6GRE
	HardwareNone     HardwareType = unix.ARPHRD_NONE     // ARPHRD_NONE: tun, wireguard
	HardwareVoid     HardwareType = unix.ARPHRD_VOID     // ARPHRD_VOID
)

// String returns iproute2's ll_type_n2a() word, as after "link/" in
// `ip link`: "ether", "loopback", "none"..., or "[N]" for a type this
// package has no name for.
func (t HardwareType) String() string {
	switch t {
	case HardwareEther:
		return "ether"
	case HardwareTunnel:
		return "ipip"
	case HardwareTunnel6:
		return "tunnel6"
	case HardwareLoopback:
		return "loopback"
	case HardwareSIT:
		return "sit"
	case HardwareIPGRE:
		return "gre"
	case HardwareIP6GRE:
		return "gre6"
	case HardwareNone:
		return "none"
	case HardwareVoid:
		return "void"
	}
	return "[" + strconv.Itoa(int(t)) + "]"
}
