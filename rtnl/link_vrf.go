package rtnl

import (
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Vrf is IFLA_INFO_KIND "vrf" (drivers/net/vrf.c): a layer-3 master whose
// ports route with table Table. The kernel requires the table at creation
// (vrf_newlink: "VRF table id is missing"). Attributes that are not
// decoded are kept in Unknown.
type Vrf struct {
	Table   uint32    // IFLA_VRF_TABLE
	Unknown []RawAttr // other IFLA_VRF_* attributes, verbatim
}

// Kind returns "vrf".
func (*Vrf) Kind() string { return "vrf" }

func (v *Vrf) encodeData() ([]byte, error) {
	if v.Table == 0 && len(v.Unknown) == 0 {
		return nil, nil
	}
	ae := netlink.NewAttributeEncoder()
	if v.Table != 0 {
		ae.Uint32(unix.IFLA_VRF_TABLE, v.Table)
	}
	for _, a := range v.Unknown {
		ae.Bytes(a.Type, a.Data)
	}
	return ae.Encode()
}

func (v *Vrf) decodeData(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_VRF_TABLE:
			v.Table = ad.Uint32()
		default:
			v.Unknown = append(v.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
