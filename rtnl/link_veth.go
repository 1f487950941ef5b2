package rtnl

import (
	"fmt"
	"reflect"

	"github.com/mdlayher/netlink"
)

// Veth is IFLA_INFO_KIND "veth" (drivers/net/veth.c). In a request, Peer
// describes the other end (VETH_INFO_PEER: a whole ifinfomsg followed by
// IFLA_* attributes, not bare attributes). Peer.NetNS creates the peer
// directly in another namespace.
//
// The peer must not carry IFF_UP: veth_newlink opens the peer before the
// two ends are linked and the kernel answers ENOTCONN. The host end may be
// up and enslaved (Flags IFF_UP, Master) in the same RTM_NEWLINK.
//
// The kernel does not report VETH_INFO_PEER in dumps: a decoded veth has a
// zero Peer; its peer's index is Link.ParentIndex.
type Veth struct {
	Peer    Link      // VETH_INFO_PEER
	Unknown []RawAttr // other VETH_INFO_* attributes, verbatim
}

// Kind returns "veth".
func (*Veth) Kind() string { return "veth" }

func (v *Veth) encodeData() ([]byte, error) {
	hasPeer := !reflect.ValueOf(v.Peer).IsZero()
	if !hasPeer && len(v.Unknown) == 0 {
		return nil, nil
	}
	ae := netlink.NewAttributeEncoder()
	if hasPeer {
		ae.Do(vethInfoPeer, v.Peer.MarshalBinary)
	}
	for _, a := range v.Unknown {
		ae.Bytes(a.Type, a.Data)
	}
	return ae.Encode()
}

func (v *Veth) decodeData(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case vethInfoPeer:
			ad.Do(func(b []byte) error {
				if err := v.Peer.UnmarshalBinary(b); err != nil {
					return fmt.Errorf("VETH_INFO_PEER: %w", err)
				}
				return nil
			})
		default:
			v.Unknown = append(v.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
