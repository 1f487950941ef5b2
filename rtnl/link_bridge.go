package rtnl

import (
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Bridge is IFLA_INFO_KIND "bridge" (net/bridge/br_netlink.c). A zero
// field is not sent, so the kernel's default applies; attributes that are
// not decoded are kept in Unknown.
type Bridge struct {
	ForwardDelay  uint32    // IFLA_BR_FORWARD_DELAY, in centiseconds (default 1500)
	AgeingTime    uint32    // IFLA_BR_AGEING_TIME, in centiseconds (default 30000)
	STPState      uint32    // IFLA_BR_STP_STATE: 0 off, 1 on
	Priority      uint16    // IFLA_BR_PRIORITY (default 32768)
	VLANFiltering uint8     // IFLA_BR_VLAN_FILTERING: 0 off, 1 on
	Unknown       []RawAttr // other IFLA_BR_* attributes, verbatim
}

// Kind returns "bridge".
func (*Bridge) Kind() string { return "bridge" }

func (br *Bridge) encodeData() ([]byte, error) {
	if br.ForwardDelay == 0 && br.AgeingTime == 0 && br.STPState == 0 &&
		br.Priority == 0 && br.VLANFiltering == 0 && len(br.Unknown) == 0 {
		return nil, nil
	}
	ae := netlink.NewAttributeEncoder()
	if br.ForwardDelay != 0 {
		ae.Uint32(unix.IFLA_BR_FORWARD_DELAY, br.ForwardDelay)
	}
	if br.AgeingTime != 0 {
		ae.Uint32(unix.IFLA_BR_AGEING_TIME, br.AgeingTime)
	}
	if br.STPState != 0 {
		ae.Uint32(unix.IFLA_BR_STP_STATE, br.STPState)
	}
	if br.Priority != 0 {
		ae.Uint16(unix.IFLA_BR_PRIORITY, br.Priority)
	}
	if br.VLANFiltering != 0 {
		ae.Uint8(unix.IFLA_BR_VLAN_FILTERING, br.VLANFiltering)
	}
	for _, a := range br.Unknown {
		ae.Bytes(a.Type, a.Data)
	}
	return ae.Encode()
}

func (br *Bridge) decodeData(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_BR_FORWARD_DELAY:
			br.ForwardDelay = ad.Uint32()
		case unix.IFLA_BR_AGEING_TIME:
			br.AgeingTime = ad.Uint32()
		case unix.IFLA_BR_STP_STATE:
			br.STPState = ad.Uint32()
		case unix.IFLA_BR_PRIORITY:
			br.Priority = ad.Uint16()
		case unix.IFLA_BR_VLAN_FILTERING:
			br.VLANFiltering = ad.Uint8()
		default:
			br.Unknown = append(br.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
