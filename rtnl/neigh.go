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

// Neighs returns the neighbour entries of family (AF_INET, AF_INET6, or
// 0 for both): an RTM_GETNEIGH dump. Entries of every state are
// returned, NUD_NOARP ones included (`ip neigh show` hides those).
func (c *Conn) Neighs(family Family) ([]Neigh, error) {
	return dumpOf(c, "neigh dump", unix.RTM_GETNEIGH, unix.RTM_NEWNEIGH, &Neigh{Family: family}, func(n *Neigh) bool {
		return n.Family == unix.AF_INET || n.Family == unix.AF_INET6
	})
}

// NeighAdd adds a neighbour entry (RTM_NEWNEIGH, NLM_F_CREATE|NLM_F_EXCL)
// as `ip neigh add IP lladdr MAC dev DEV` does: State defaults to
// NUD_PERMANENT and the family is taken from the address.
func (c *Conn) NeighAdd(n *Neigh) error {
	q := n.request()
	return c.request("neigh add", q.IP.String(), unix.RTM_NEWNEIGH, netlink.Create|netlink.Excl, &q)
}

// NeighDel deletes a neighbour entry (RTM_DELNEIGH), filled as NeighAdd
// fills it.
func (c *Conn) NeighDel(n *Neigh) error {
	q := n.request()
	return c.request("neigh del", q.IP.String(), unix.RTM_DELNEIGH, 0, &q)
}

func (n *Neigh) request() Neigh {
	q := *n
	if q.State == 0 {
		q.State = unix.NUD_PERMANENT
	}
	if q.Family == 0 {
		q.Family = ipFamily(q.IP)
	}
	return q
}
