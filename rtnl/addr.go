package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// An Addr is one interface address: ifaddrmsg plus IFA_* attributes. In a
// request, zero fields are not sent.
//
// The kernel reports an IPv4 address in IFA_LOCAL and IFA_ADDRESS (they
// differ only on point-to-point links, where IFA_ADDRESS is the peer),
// and an IPv6 address in IFA_ADDRESS alone. Use IP or Prefix rather than
// choosing between the two fields. AddrAdd and AddrDel fill the missing
// one as `ip addr add` does (it sends both, for both families).
type Addr struct {
	Family       Family     // ifaddrmsg.ifa_family: AF_INET or AF_INET6
	PrefixLen    uint8      // ifaddrmsg.ifa_prefixlen
	Flags        AddrFlags  // ifa_flags, widened by IFA_FLAGS (IFA_F_PERMANENT, IFA_F_NODAD, ...)
	Scope        Scope      // ifa_scope (RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_HOST)
	Index        int32      // ifa_index
	Local        netip.Addr // IFA_LOCAL
	Address      netip.Addr // IFA_ADDRESS (the peer on point-to-point links)
	Broadcast    netip.Addr // IFA_BROADCAST; `ip addr add ... brd +` sets it, plain `ip addr add` does not
	Label        string     // IFA_LABEL
	ValidLft     uint32     // IFA_CACHEINFO ifa_valid, seconds (0xffffffff = forever)
	PreferredLft uint32     // IFA_CACHEINFO ifa_prefered, seconds (0xffffffff = forever)
	Unknown      []RawAttr  // attributes not decoded, verbatim
}

// sizeofIfaCacheinfo is sizeof(struct ifa_cacheinfo).
const sizeofIfaCacheinfo = 16

var (
	errShortIfaddrmsg = errors.New("rtnl: message shorter than struct ifaddrmsg")
	errAddrLen        = errors.New("rtnl: address attribute is neither 4 nor 16 bytes")
	errCacheinfoLen   = errors.New("rtnl: IFA_CACHEINFO is not 16 bytes")
)

// IP returns the interface's own address: IFA_LOCAL when present,
// IFA_ADDRESS otherwise.
func (a *Addr) IP() netip.Addr {
	if a.Local.IsValid() {
		return a.Local
	}
	return a.Address
}

// Prefix returns the address with its prefix length, e.g. 192.168.15.1/24.
func (a *Addr) Prefix() netip.Prefix { return netip.PrefixFrom(a.IP(), int(a.PrefixLen)) }

// MarshalBinary encodes the address as struct ifaddrmsg followed by its
// attributes, the body of RTM_NEWADDR / RTM_DELADDR.
func (a *Addr) MarshalBinary() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	if a.Local.IsValid() {
		ae.Bytes(unix.IFA_LOCAL, a.Local.AsSlice())
	}
	if a.Address.IsValid() {
		ae.Bytes(unix.IFA_ADDRESS, a.Address.AsSlice())
	}
	if a.Broadcast.IsValid() {
		ae.Bytes(unix.IFA_BROADCAST, a.Broadcast.AsSlice())
	}
	if a.Label != "" {
		ae.String(unix.IFA_LABEL, a.Label)
	}
	if a.ValidLft != 0 || a.PreferredLft != 0 {
		ci := make([]byte, sizeofIfaCacheinfo)
		binary.NativeEndian.PutUint32(ci[0:4], a.PreferredLft)
		binary.NativeEndian.PutUint32(ci[4:8], a.ValidLft)
		ae.Bytes(unix.IFA_CACHEINFO, ci)
	}
	if a.Flags > 0xff {
		ae.Uint32(unix.IFA_FLAGS, uint32(a.Flags))
	}
	for _, u := range a.Unknown {
		ae.Bytes(u.Type, u.Data)
	}
	attrs, err := ae.Encode()
	if err != nil {
		return nil, fmt.Errorf("rtnl: encode address %s: %w", a.Prefix(), err)
	}
	b := make([]byte, unix.SizeofIfAddrmsg, unix.SizeofIfAddrmsg+len(attrs))
	b[0] = uint8(a.Family)
	b[1] = a.PrefixLen
	b[2] = uint8(a.Flags)
	b[3] = uint8(a.Scope)
	binary.NativeEndian.PutUint32(b[4:8], uint32(a.Index))
	return append(b, attrs...), nil
}

// UnmarshalBinary decodes the body of an RTM_NEWADDR message.
func (a *Addr) UnmarshalBinary(b []byte) error {
	if len(b) < unix.SizeofIfAddrmsg {
		return errShortIfaddrmsg
	}
	*a = Addr{
		Family:    Family(b[0]),
		PrefixLen: b[1],
		Flags:     AddrFlags(b[2]),
		Scope:     Scope(b[3]),
		Index:     int32(binary.NativeEndian.Uint32(b[4:8])),
	}
	ad, err := netlink.NewAttributeDecoder(b[unix.SizeofIfAddrmsg:])
	if err != nil {
		return fmt.Errorf("rtnl: decode address: %w", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.IFA_LOCAL:
			ad.Do(decodeIP(&a.Local))
		case unix.IFA_ADDRESS:
			ad.Do(decodeIP(&a.Address))
		case unix.IFA_BROADCAST:
			ad.Do(decodeIP(&a.Broadcast))
		case unix.IFA_LABEL:
			a.Label = ad.String()
		case unix.IFA_CACHEINFO:
			ad.Do(func(b []byte) error {
				if len(b) != sizeofIfaCacheinfo {
					return errCacheinfoLen
				}
				a.PreferredLft = binary.NativeEndian.Uint32(b[0:4])
				a.ValidLft = binary.NativeEndian.Uint32(b[4:8])
				return nil
			})
		case unix.IFA_FLAGS:
			a.Flags = AddrFlags(ad.Uint32())
		default:
			a.Unknown = append(a.Unknown, rawAttr(ad))
		}
	}
	if err := ad.Err(); err != nil {
		return fmt.Errorf("rtnl: decode address: %w", err)
	}
	return nil
}

// decodeIP returns an AttributeDecoder.Do function that stores a 4- or
// 16-byte address in *dst.
func decodeIP(dst *netip.Addr) func([]byte) error {
	return func(b []byte) error {
		ip, ok := netip.AddrFromSlice(b)
		if !ok {
			return errAddrLen
		}
		*dst = ip
		return nil
	}
}

// Addrs returns the addresses of family (AF_INET, AF_INET6, or 0 for
// both): an RTM_GETADDR dump.
func (c *Conn) Addrs(family Family) ([]Addr, error) {
	return dumpOf[Addr](c, "addr dump", unix.RTM_GETADDR, unix.RTM_NEWADDR, &Addr{Family: family}, nil)
}

// AddrAdd adds an address (RTM_NEWADDR, NLM_F_CREATE|NLM_F_EXCL). As `ip
// addr add` does, it sends the address in both IFA_LOCAL and IFA_ADDRESS
// when only one is set, and the family is taken from the address.
func (c *Conn) AddrAdd(a *Addr) error {
	q := a.request()
	return c.request("addr add", q.Prefix().String(), unix.RTM_NEWADDR, netlink.Create|netlink.Excl, &q)
}

// AddrDel deletes an address (RTM_DELADDR), filled as AddrAdd fills it.
func (c *Conn) AddrDel(a *Addr) error {
	q := a.request()
	return c.request("addr del", q.Prefix().String(), unix.RTM_DELADDR, 0, &q)
}

// request returns a copy of a completed as `ip addr add/del` sends it.
func (a *Addr) request() Addr {
	q := *a
	switch {
	case !q.Local.IsValid():
		q.Local = q.Address
	case !q.Address.IsValid():
		q.Address = q.Local
	}
	if q.Family == 0 {
		q.Family = ipFamily(q.Local)
	}
	return q
}

// AddrDelLocal deletes the IPv4 address a.Local whatever its prefix
// length: RTM_DELADDR with IFA_LOCAL and no IFA_ADDRESS, which the kernel
// matches by the local address (and label, if set) alone
// (inet_rtm_deladdr compares the prefix only with IFA_ADDRESS). It is
// iproute2's "wildcard deletion" of `ip addr del ADDR` without /LEN.
func (c *Conn) AddrDelLocal(a *Addr) error {
	q := *a
	q.Address = netip.Addr{}
	if q.Family == 0 {
		q.Family = ipFamily(q.Local)
	}
	if q.PrefixLen == 0 {
		q.PrefixLen = uint8(q.Local.BitLen())
	}
	return c.request("addr del", q.Local.String(), unix.RTM_DELADDR, 0, &q)
}
