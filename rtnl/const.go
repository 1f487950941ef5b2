package rtnl

// Kernel constants that golang.org/x/sys/unix does not define. The kernel
// name is in each comment so that a grep finds it.
const (
	vethInfoPeer         = 1      // VETH_INFO_PEER, include/uapi/linux/veth.h
	in6AddrGenModeNone   = 1      // IN6_ADDR_GEN_MODE_NONE, include/uapi/linux/if_link.h
	rtextFilterSkipStats = 1 << 3 // RTEXT_FILTER_SKIP_STATS, include/uapi/linux/rtnetlink.h
	nlaTypeMask          = 0x3fff // ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER), include/uapi/linux/netlink.h
)

// Operational states, IF_OPER_* in include/uapi/linux/if.h (RFC 2863).
const (
	OperUnknown        OperState = 0 // IF_OPER_UNKNOWN
	OperNotPresent     OperState = 1 // IF_OPER_NOTPRESENT
	OperDown           OperState = 2 // IF_OPER_DOWN
	OperLowerLayerDown OperState = 3 // IF_OPER_LOWERLAYERDOWN
	OperTesting        OperState = 4 // IF_OPER_TESTING
	OperDormant        OperState = 5 // IF_OPER_DORMANT
	OperUp             OperState = 6 // IF_OPER_UP
)
