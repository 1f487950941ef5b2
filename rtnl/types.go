package rtnl

import (
	"net"
	"net/netip"
	"os"
)

// A Link is one network interface as rtnetlink describes it: the fixed
// ifinfomsg header plus its IFLA_* attributes. The same value describes a
// link read from the kernel and a request to create or change one; in a
// request, zero fields are not sent.
type Link struct {
	Family uint8  // ifinfomsg.ifi_family (AF_UNSPEC)
	Type   uint16 // ifinfomsg.ifi_type (ARPHRD_*)
	Index  int32  // ifinfomsg.ifi_index
	Flags  uint32 // ifinfomsg.ifi_flags (IFF_UP, ...)
	Change uint32 // ifinfomsg.ifi_change: which Flags bits a request changes

	Name      string           // IFLA_IFNAME
	MTU       uint32           // IFLA_MTU
	TxQLen    uint32           // IFLA_TXQLEN
	Address   net.HardwareAddr // IFLA_ADDRESS
	Broadcast net.HardwareAddr // IFLA_BROADCAST
	OperState OperState        // IFLA_OPERSTATE
	Master    uint32           // IFLA_MASTER: index of the bridge this link is enslaved to
	NoMaster  bool             // request only: send IFLA_MASTER 0 (release from its bridge)
	ParentIndex int32          // IFLA_LINK: for a veth, the peer's index (in LinkNetNSID's namespace)
	LinkNetNSID int32          // IFLA_LINK_NETNSID; valid when HasLinkNetNSID
	HasLinkNetNSID bool
	Alias     string           // IFLA_IFALIAS

	// NetNS, in a request, moves the link to (or creates it in) the
	// network namespace that this file refers to: IFLA_NET_NS_FD.
	NetNS *os.File

	// Info is IFLA_LINKINFO: the kind and its IFLA_INFO_DATA.
	// *Veth, *Bridge, or *UnknownInfo for any other kind (kept verbatim).
	Info LinkInfo

	// Unknown keeps attributes this package does not decode, verbatim,
	// so that a decode/encode round trip loses nothing.
	Unknown []RawAttr
}

// LinkInfo is the kind-specific part of a link (IFLA_LINKINFO).
type LinkInfo interface {
	Kind() string // IFLA_INFO_KIND
	// marshal/unmarshal of IFLA_INFO_DATA are unexported methods, one file per kind.
}

// A RawAttr is a netlink attribute kept as bytes.
type RawAttr struct {
	Type uint16
	Data []byte
}

// OperState is IFLA_OPERSTATE (RFC 2863), printed as iproute2 does: UP, DOWN, UNKNOWN, LOWERLAYERDOWN...
type OperState uint8

// An Addr is one interface address: ifaddrmsg plus IFA_* attributes.
type Addr struct {
	Family    uint8        // ifaddrmsg.ifa_family: AF_INET or AF_INET6
	PrefixLen uint8        // ifaddrmsg.ifa_prefixlen
	Flags     uint32       // ifa_flags, widened by IFA_FLAGS
	Scope     uint8        // ifa_scope (RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_HOST)
	Index     int32        // ifa_index
	Local     netip.Addr   // IFA_LOCAL (IPv4) / IFA_ADDRESS (IPv6)
	Address   netip.Addr   // IFA_ADDRESS (peer for point-to-point)
	Broadcast netip.Addr   // IFA_BROADCAST; iproute2 sets it for IPv4 ("brd +")
	Label     string       // IFA_LABEL
	ValidLft, PreferredLft uint32 // IFA_CACHEINFO
	Unknown   []RawAttr
}

// Prefix returns the address with its prefix length, e.g. 192.168.15.1/24.
func (a *Addr) Prefix() netip.Prefix { return netip.PrefixFrom(a.Local, int(a.PrefixLen)) }

// A Route is one routing-table entry: rtmsg plus RTA_* attributes.
type Route struct {
	Family   uint8        // rtmsg.rtm_family
	DstLen   uint8        // rtm_dst_len
	SrcLen   uint8        // rtm_src_len
	TOS      uint8        // rtm_tos
	Table    uint32       // rtm_table, widened by RTA_TABLE (RT_TABLE_MAIN = 254)
	Protocol uint8        // rtm_protocol (RTPROT_BOOT for `ip route add`, RTPROT_KERNEL...)
	Scope    uint8        // rtm_scope (RT_SCOPE_UNIVERSE with a gateway, RT_SCOPE_LINK without)
	Type     uint8        // rtm_type (RTN_UNICAST, RTN_LOCAL...)
	Flags    uint32       // rtm_flags
	Dst      netip.Addr   // RTA_DST (invalid for a default route)
	Src      netip.Addr   // RTA_SRC
	Gateway  netip.Addr   // RTA_GATEWAY
	PrefSrc  netip.Addr   // RTA_PREFSRC
	OutIndex int32        // RTA_OIF
	Priority uint32       // RTA_PRIORITY ("metric")
	Unknown  []RawAttr
}

// A Neigh is one neighbour (ARP / NDP) entry: ndmsg plus NDA_* attributes.
type Neigh struct {
	Family  uint8            // ndm_family
	Index   int32            // ndm_ifindex
	State   uint16           // ndm_state (NUD_REACHABLE, NUD_PERMANENT...)
	Flags   uint8            // ndm_flags
	Type    uint8            // ndm_type
	IP      netip.Addr       // NDA_DST
	LLAddr  net.HardwareAddr // NDA_LLADDR
	Unknown []RawAttr
}
