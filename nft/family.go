package nft

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// A Family is an nf_tables address family (nfgenmsg.nfgen_family), named as
// nft names it.
type Family uint8

// Families nft knows.
const (
	FamilyINet   Family = unix.NFPROTO_INET   // "inet"
	FamilyIPv4   Family = unix.NFPROTO_IPV4   // "ip"
	FamilyARP    Family = unix.NFPROTO_ARP    // "arp"
	FamilyNetdev Family = unix.NFPROTO_NETDEV // "netdev"
	FamilyBridge Family = unix.NFPROTO_BRIDGE // "bridge"
	FamilyIPv6   Family = unix.NFPROTO_IPV6   // "ip6"
)

// String returns the family as nft names it ("inet", "ip", ...).
func (f Family) String() string {
	switch f {
	case FamilyINet:
		return "inet"
	case FamilyIPv4:
		return "ip"
	case FamilyARP:
		return "arp"
	case FamilyNetdev:
		return "netdev"
	case FamilyBridge:
		return "bridge"
	case FamilyIPv6:
		return "ip6"
	}
	return "family(" + strconv.Itoa(int(f)) + ")"
}

// A Hook is a netfilter hook number (NFTA_HOOK_HOOKNUM), named as nft
// names it for the ip, ip6 and inet families.
type Hook uint32

// Hooks of the inet families.
const (
	HookPrerouting  Hook = unix.NF_INET_PRE_ROUTING
	HookInput       Hook = unix.NF_INET_LOCAL_IN
	HookForward     Hook = unix.NF_INET_FORWARD
	HookOutput      Hook = unix.NF_INET_LOCAL_OUT
	HookPostrouting Hook = unix.NF_INET_POST_ROUTING
	HookIngress     Hook = 5 // NF_INET_INGRESS (NF_NETDEV_INGRESS is 0 in netdev)
)

// String returns the hook as nft names it ("postrouting", ...).
func (h Hook) String() string {
	switch h {
	case HookPrerouting:
		return "prerouting"
	case HookInput:
		return "input"
	case HookForward:
		return "forward"
	case HookOutput:
		return "output"
	case HookPostrouting:
		return "postrouting"
	case HookIngress:
		return "ingress"
	}
	return "hook(" + strconv.FormatUint(uint64(h), 10) + ")"
}

// A Policy is a base chain's default verdict (NFTA_CHAIN_POLICY).
type Policy uint32

// The two policies a base chain may have.
const (
	PolicyDrop   Policy = nfDrop
	PolicyAccept Policy = nfAccept
)

// String returns the policy as nft names it ("drop" or "accept").
func (p Policy) String() string {
	switch p {
	case PolicyDrop:
		return "drop"
	case PolicyAccept:
		return "accept"
	}
	return "policy(" + strconv.FormatUint(uint64(p), 10) + ")"
}

// nfgenmsg writes struct nfgenmsg: family, version NFNETLINK_V0, res_id
// (big-endian; zero except in a batch begin, where it is the subsystem).
func nfgenmsg(family Family, resID uint16) []byte {
	return []byte{byte(family), unix.NFNETLINK_V0, byte(resID >> 8), byte(resID)}
}

// parseNfgenmsg returns the family of a message body and its attributes.
func parseNfgenmsg(b []byte) (Family, []byte, error) {
	if len(b) < 4 {
		return 0, nil, errShortNfgenmsg
	}
	return Family(b[0]), b[4:], nil
}
