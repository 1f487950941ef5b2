package nft

import "golang.org/x/sys/unix"

// String methods: STYLE.md R16. Each constant's line comment is the name nft
// gives it, exactly as String returns it; a value outside the table prints
// as Family(42), Hook(9), Policy(7).
//go:generate go tool stringer -type=Family,Hook,Policy -linecomment -output=family_string.go

// A Family is an nf_tables address family (nfgenmsg.nfgen_family), named as
// nft names it.
type Family uint8

// Families nft knows.
const (
	FamilyINet   Family = unix.NFPROTO_INET   // inet
	FamilyIPv4   Family = unix.NFPROTO_IPV4   // ip
	FamilyARP    Family = unix.NFPROTO_ARP    // arp
	FamilyNetdev Family = unix.NFPROTO_NETDEV // netdev
	FamilyBridge Family = unix.NFPROTO_BRIDGE // bridge
	FamilyIPv6   Family = unix.NFPROTO_IPV6   // ip6
)

// A Hook is a netfilter hook number (NFTA_HOOK_HOOKNUM), named as nft
// names it for the ip, ip6 and inet families.
type Hook uint32

// Hooks of the inet families.
const (
	HookPrerouting  Hook = unix.NF_INET_PRE_ROUTING  // prerouting
	HookInput       Hook = unix.NF_INET_LOCAL_IN     // input
	HookForward     Hook = unix.NF_INET_FORWARD      // forward
	HookOutput      Hook = unix.NF_INET_LOCAL_OUT    // output
	HookPostrouting Hook = unix.NF_INET_POST_ROUTING // postrouting
	// NF_INET_INGRESS, which x/sys/unix lacks (NF_NETDEV_INGRESS is 0 in
	// the netdev family).
	HookIngress Hook = 5 // ingress
)

// A Policy is a base chain's default verdict (NFTA_CHAIN_POLICY).
type Policy uint32

// The two policies a base chain may have.
const (
	PolicyDrop   Policy = nfDrop   // drop
	PolicyAccept Policy = nfAccept // accept
)

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
