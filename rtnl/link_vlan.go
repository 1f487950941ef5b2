package rtnl

import (
	"strings"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Vlan is IFLA_INFO_KIND "vlan" (net/8021q/vlan_netlink.c): an 802.1Q
// (or 802.1ad) tagged sub-interface of Link.ParentIndex (IFLA_LINK, "link
// DEV"). A zero field is not sent (the kernel's default protocol is
// 802.1Q). Attributes that are not decoded are kept in Unknown.
type Vlan struct {
	ID       uint16    // IFLA_VLAN_ID: 0 to 4094
	Protocol uint16    // IFLA_VLAN_PROTOCOL, host order (sent big-endian): ETH_P_8021Q 0x8100 or ETH_P_8021AD 0x88a8
	Unknown  []RawAttr // other IFLA_VLAN_* attributes (flags, QoS maps), verbatim
}

// The VLAN protocols, IFLA_VLAN_PROTOCOL (ETH_P_* in
// include/uapi/linux/if_ether.h).
const (
	VlanProtocol8021Q  uint16 = unix.ETH_P_8021Q  // "802.1Q", the kernel's default
	VlanProtocol8021AD uint16 = unix.ETH_P_8021AD // "802.1ad", QinQ
)

// ParseVlanProtocol reads iproute2's words for a VLAN protocol
// (ll_proto_a2n, case-insensitive): 802.1Q or 802.1ad.
func ParseVlanProtocol(s string) (uint16, bool) {
	switch strings.ToLower(s) {
	case "802.1q":
		return VlanProtocol8021Q, true
	case "802.1ad":
		return VlanProtocol8021AD, true
	}
	return 0, false
}

// Kind returns "vlan".
func (*Vlan) Kind() string { return "vlan" }

func (v *Vlan) encodeData() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	// iproute2's order (vlan_parse_opt): the protocol, then the id.
	if v.Protocol != 0 {
		ae.Uint16(unix.IFLA_VLAN_PROTOCOL, beUint16(v.Protocol))
	}
	ae.Uint16(unix.IFLA_VLAN_ID, v.ID) // 0 is a valid id
	for _, a := range v.Unknown {
		ae.Bytes(a.Type, a.Data)
	}
	return ae.Encode()
}

func (v *Vlan) decodeData(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_VLAN_ID:
			v.ID = ad.Uint16()
		case unix.IFLA_VLAN_PROTOCOL:
			v.Protocol = beUint16(ad.Uint16())
		default:
			v.Unknown = append(v.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
