package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Neigh is one neighbour (ARP / NDP) entry: ndmsg plus NDA_*
// attributes. In a request, zero fields are not sent.
type Neigh struct {
	Family  Family           // ndmsg.ndm_family: AF_INET or AF_INET6
	Index   int32            // ndm_ifindex
	State   NeighState       // ndm_state (NUD_REACHABLE, NUD_PERMANENT...)
	Flags   NeighFlags       // ndm_flags (NTF_ROUTER, ...)
	Type    uint8            // ndm_type
	IP      netip.Addr       // NDA_DST
	LLAddr  net.HardwareAddr // NDA_LLADDR
	Unknown []RawAttr        // attributes not decoded (NDA_CACHEINFO, NDA_PROBES...), verbatim
}

var errShortNdmsg = errors.New("rtnl: message shorter than struct ndmsg")

// MarshalBinary encodes the entry as struct ndmsg followed by its
// attributes, the body of RTM_NEWNEIGH / RTM_DELNEIGH.
func (n *Neigh) MarshalBinary() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	if n.IP.IsValid() {
		ae.Bytes(unix.NDA_DST, n.IP.AsSlice())
	}
	if len(n.LLAddr) != 0 {
		ae.Bytes(unix.NDA_LLADDR, n.LLAddr)
	}
	for _, u := range n.Unknown {
		ae.Bytes(u.Type, u.Data)
	}
	attrs, err := ae.Encode()
	if err != nil {
		return nil, fmt.Errorf("rtnl: encode neighbour %s: %w", n.IP, err)
	}
	b := make([]byte, unix.SizeofNdMsg, unix.SizeofNdMsg+len(attrs))
	b[0] = uint8(n.Family)
	binary.NativeEndian.PutUint32(b[4:8], uint32(n.Index))
	binary.NativeEndian.PutUint16(b[8:10], uint16(n.State))
	b[10] = uint8(n.Flags)
	b[11] = n.Type
	return append(b, attrs...), nil
}

// UnmarshalBinary decodes the body of an RTM_NEWNEIGH message.
func (n *Neigh) UnmarshalBinary(b []byte) error {
	if len(b) < unix.SizeofNdMsg {
		return errShortNdmsg
	}
	*n = Neigh{
		Family: Family(b[0]),
		Index:  int32(binary.NativeEndian.Uint32(b[4:8])),
		State:  NeighState(binary.NativeEndian.Uint16(b[8:10])),
		Flags:  NeighFlags(b[10]),
		Type:   b[11],
	}
	ad, err := netlink.NewAttributeDecoder(b[unix.SizeofNdMsg:])
	if err != nil {
		return fmt.Errorf("rtnl: decode neighbour: %w", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NDA_DST:
			ad.Do(decodeIP(&n.IP))
		case unix.NDA_LLADDR:
			n.LLAddr = bytesOrNil(ad.Bytes())
		default:
			n.Unknown = append(n.Unknown, rawAttr(ad))
		}
	}
	if err := ad.Err(); err != nil {
		return fmt.Errorf("rtnl: decode neighbour: %w", err)
	}
	return nil
}
