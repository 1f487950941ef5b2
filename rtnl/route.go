package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Route is one routing-table entry: rtmsg plus RTA_* attributes. In a
// request, zero fields are not sent; RouteAdd and RouteDel fill the zero
// header fields the way `ip route add` / `ip route del` do.
type Route struct {
	Family   Family        // rtmsg.rtm_family
	DstLen   uint8         // rtm_dst_len
	SrcLen   uint8         // rtm_src_len
	TOS      uint8         // rtm_tos
	Table    uint32        // rtm_table, widened by RTA_TABLE (RT_TABLE_MAIN = 254)
	Protocol RouteProtocol // rtm_protocol (RTPROT_BOOT for `ip route add`, RTPROT_KERNEL...)
	Scope    Scope         // rtm_scope (RT_SCOPE_UNIVERSE with a gateway, RT_SCOPE_LINK without)
	Type     RouteType     // rtm_type (RTN_UNICAST, RTN_LOCAL...)
	Flags    RouteFlags    // rtm_flags (RTNH_F_ONLINK, RTM_F_CLONED...)
	Dst      netip.Addr    // RTA_DST (invalid for a default route)
	Src      netip.Addr    // RTA_SRC
	Gateway  netip.Addr    // RTA_GATEWAY
	PrefSrc  netip.Addr    // RTA_PREFSRC
	OutIndex int32         // RTA_OIF
	Priority uint32        // RTA_PRIORITY ("metric")
	Pref     RoutePref     // RTA_PREF (IPv6 only); valid when HasPref
	HasPref  bool          // RTA_PREF is present (the kernel sends it for every IPv6 route)
	Unknown  []RawAttr     // attributes not decoded (RTA_CACHEINFO, RTA_MULTIPATH...), verbatim
}

var errShortRtmsg = errors.New("rtnl: message shorter than struct rtmsg")

// DstPrefix returns the destination as a prefix: 0.0.0.0/0 or ::/0 for a
// default route.
func (r *Route) DstPrefix() netip.Prefix {
	if r.Dst.IsValid() {
		return netip.PrefixFrom(r.Dst, int(r.DstLen))
	}
	if r.Family == unix.AF_INET6 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), int(r.DstLen))
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), int(r.DstLen))
}

// MarshalBinary encodes the route as struct rtmsg followed by its
// attributes, the body of RTM_NEWROUTE / RTM_DELROUTE. A Table above 255
// goes in RTA_TABLE with rtm_table RT_TABLE_UNSPEC, as iproute2 does.
func (r *Route) MarshalBinary() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	if r.Dst.IsValid() {
		ae.Bytes(unix.RTA_DST, r.Dst.AsSlice())
	}
	if r.Src.IsValid() {
		ae.Bytes(unix.RTA_SRC, r.Src.AsSlice())
	}
	if r.Gateway.IsValid() {
		ae.Bytes(unix.RTA_GATEWAY, r.Gateway.AsSlice())
	}
	if r.PrefSrc.IsValid() {
		ae.Bytes(unix.RTA_PREFSRC, r.PrefSrc.AsSlice())
	}
	if r.OutIndex != 0 {
		ae.Int32(unix.RTA_OIF, r.OutIndex)
	}
	if r.Priority != 0 {
		ae.Uint32(unix.RTA_PRIORITY, r.Priority)
	}
	if r.Table > 0xff {
		ae.Uint32(unix.RTA_TABLE, r.Table)
	}
	if r.HasPref {
		ae.Uint8(unix.RTA_PREF, uint8(r.Pref))
	}
	for _, u := range r.Unknown {
		ae.Bytes(u.Type, u.Data)
	}
	attrs, err := ae.Encode()
	if err != nil {
		return nil, fmt.Errorf("rtnl: encode route %s: %w", r.DstPrefix(), err)
	}
	b := make([]byte, unix.SizeofRtMsg, unix.SizeofRtMsg+len(attrs))
	b[0] = uint8(r.Family)
	b[1] = r.DstLen
	b[2] = r.SrcLen
	b[3] = r.TOS
	if r.Table <= 0xff {
		b[4] = uint8(r.Table)
	}
	b[5] = uint8(r.Protocol)
	b[6] = uint8(r.Scope)
	b[7] = uint8(r.Type)
	binary.NativeEndian.PutUint32(b[8:12], uint32(r.Flags))
	return append(b, attrs...), nil
}

// UnmarshalBinary decodes the body of an RTM_NEWROUTE message.
func (r *Route) UnmarshalBinary(b []byte) error {
	if len(b) < unix.SizeofRtMsg {
		return errShortRtmsg
	}
	*r = Route{
		Family:   Family(b[0]),
		DstLen:   b[1],
		SrcLen:   b[2],
		TOS:      b[3],
		Table:    uint32(b[4]),
		Protocol: RouteProtocol(b[5]),
		Scope:    Scope(b[6]),
		Type:     RouteType(b[7]),
		Flags:    RouteFlags(binary.NativeEndian.Uint32(b[8:12])),
	}
	ad, err := netlink.NewAttributeDecoder(b[unix.SizeofRtMsg:])
	if err != nil {
		return fmt.Errorf("rtnl: decode route: %w", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.RTA_DST:
			ad.Do(decodeIP(&r.Dst))
		case unix.RTA_SRC:
			ad.Do(decodeIP(&r.Src))
		case unix.RTA_GATEWAY:
			ad.Do(decodeIP(&r.Gateway))
		case unix.RTA_PREFSRC:
			ad.Do(decodeIP(&r.PrefSrc))
		case unix.RTA_OIF:
			r.OutIndex = ad.Int32()
		case unix.RTA_PRIORITY:
			r.Priority = ad.Uint32()
		case unix.RTA_TABLE:
			r.Table = ad.Uint32()
		case unix.RTA_PREF:
			r.Pref, r.HasPref = RoutePref(ad.Uint8()), true
		default:
			r.Unknown = append(r.Unknown, rawAttr(ad))
		}
	}
	if err := ad.Err(); err != nil {
		return fmt.Errorf("rtnl: decode route: %w", err)
	}
	return nil
}

// addDefaults returns a copy of r with the zero fields that `ip route
// add` would set filled in: family from the addresses, table main,
// protocol boot, type unicast, and scope link for an IPv4 route without a
// gateway (universe with one, and for IPv6). The caller's value is not changed.
func (r *Route) addDefaults() Route {
	q := *r
	q.Family = routeFamily(&q)
	q.Table = defaultTable(&q)
	if q.Protocol == 0 {
		q.Protocol = unix.RTPROT_BOOT
	}
	if q.Type == 0 {
		q.Type = unix.RTN_UNICAST
	}
	// iproute2's iproute_modify leaves an IPv6 route at scope universe:
	// the kernel has no scope for IPv6 routes (it ignores rtm_scope).
	if q.Scope == unix.RT_SCOPE_UNIVERSE && q.Family != FamilyInet6 {
		switch q.Type {
		case unix.RTN_UNICAST:
			if !q.Gateway.IsValid() && !q.hasMultipath() {
				q.Scope = unix.RT_SCOPE_LINK
			}
		case unix.RTN_LOCAL, unix.RTN_NAT:
			q.Scope = unix.RT_SCOPE_HOST
		case unix.RTN_BROADCAST, unix.RTN_MULTICAST, unix.RTN_ANYCAST:
			q.Scope = unix.RT_SCOPE_LINK
		}
	}
	return q
}

// defaultTable is r.Table, or the table iproute_modify() picks when none
// is given: local for local, broadcast, nat and anycast routes, else main.
func defaultTable(r *Route) uint32 {
	switch {
	case r.Table != 0:
		return r.Table
	case r.Type == unix.RTN_LOCAL, r.Type == unix.RTN_BROADCAST, r.Type == unix.RTN_NAT, r.Type == unix.RTN_ANYCAST:
		return unix.RT_TABLE_LOCAL
	}
	return unix.RT_TABLE_MAIN
}

// hasMultipath reports whether r carries RTA_MULTIPATH (verbatim).
func (r *Route) hasMultipath() bool {
	for _, u := range r.Unknown {
		if u.Type&nlaTypeMask == unix.RTA_MULTIPATH {
			return true
		}
	}
	return false
}

// delDefaults returns a copy of r filled as `ip route del` fills its
// request: family from the addresses, table main, and scope
// RT_SCOPE_NOWHERE (match any scope) when none is given.
func (r *Route) delDefaults() Route {
	q := *r
	q.Family = routeFamily(&q)
	q.Table = defaultTable(&q)
	if q.Scope == 0 {
		q.Scope = unix.RT_SCOPE_NOWHERE
	}
	return q
}

// routeFamily is r.Family, or the family of its first valid address.
func routeFamily(r *Route) Family {
	if r.Family != 0 {
		return r.Family
	}
	for _, ip := range []netip.Addr{r.Dst, r.Gateway, r.Src, r.PrefSrc} {
		if ip.IsValid() {
			if ip.Is4() {
				return unix.AF_INET
			}
			return unix.AF_INET6
		}
	}
	return unix.AF_INET
}

// Routes returns the routes of the main table (RT_TABLE_MAIN) of family
// (AF_INET, AF_INET6, or 0 for both): an RTM_GETROUTE dump, filtered
// here as `ip route show` filters it.
func (c *Conn) Routes(family Family) ([]Route, error) {
	return dumpOf(c, "route dump", unix.RTM_GETROUTE, unix.RTM_NEWROUTE, &Route{Family: family}, func(r *Route) bool {
		return r.Table == unix.RT_TABLE_MAIN
	})
}

// RoutesAll returns the routes of every table of family (AF_INET,
// AF_INET6, or 0 for both), as `ip route show table all` asks for them:
// an RTM_GETROUTE dump, nothing filtered.
func (c *Conn) RoutesAll(family Family) ([]Route, error) {
	return dumpOf[Route](c, "route dump", unix.RTM_GETROUTE, unix.RTM_NEWROUTE, &Route{Family: family}, nil)
}

// RouteAdd adds a route (RTM_NEWROUTE, NLM_F_CREATE|NLM_F_EXCL). Zero
// header fields are filled as `ip route add` fills them: table main,
// protocol boot, type unicast, scope link without a gateway (universe
// with one), family from the addresses.
func (c *Conn) RouteAdd(r *Route) error {
	q := r.addDefaults()
	return c.request("route add", routeObj(&q), unix.RTM_NEWROUTE, netlink.Create|netlink.Excl, &q)
}

// RouteMode is how RouteSet changes a table: the NLM_F_* flags that `ip
// route add|change|replace|prepend|append` send (iproute2's do_iproute).
type RouteMode uint8

// Route modes, by iproute2 command.
const (
	RouteModeAdd     RouteMode = iota // add: NLM_F_CREATE|NLM_F_EXCL (EEXIST if the route is there)
	RouteModeChange                   // change: NLM_F_REPLACE (ENOENT if it is not there)
	RouteModeReplace                  // replace: NLM_F_CREATE|NLM_F_REPLACE
	RouteModePrepend                  // prepend: NLM_F_CREATE (a route of the same prefix goes first)
	RouteModeAppend                   // append: NLM_F_CREATE|NLM_F_APPEND
)

var routeModes = [...]struct {
	op    string
	flags netlink.HeaderFlags
}{
	RouteModeAdd:     {"route add", netlink.Create | netlink.Excl},
	RouteModeChange:  {"route change", netlink.Replace},
	RouteModeReplace: {"route replace", netlink.Create | netlink.Replace},
	RouteModePrepend: {"route prepend", netlink.Create},
	RouteModeAppend:  {"route append", netlink.Create | netlink.Append},
}

// RouteSet is RouteAdd with the NLM_F_* flags of mode: RouteSet(r,
// RouteModeAdd) is RouteAdd(r). The route is filled as RouteAdd fills it.
func (c *Conn) RouteSet(r *Route, mode RouteMode) error {
	if int(mode) >= len(routeModes) {
		return &OpError{Op: "route set", Err: fmt.Errorf("unknown route mode %d", mode)}
	}
	q := r.addDefaults()
	m := routeModes[mode]
	return c.request(m.op, routeObj(&q), unix.RTM_NEWROUTE, m.flags, &q)
}

// RouteDel deletes a route (RTM_DELROUTE), filled as `ip route del`
// fills it: table main, scope RT_SCOPE_NOWHERE (any), family from the
// addresses.
func (c *Conn) RouteDel(r *Route) error {
	q := r.delDefaults()
	return c.request("route del", routeObj(&q), unix.RTM_DELROUTE, 0, &q)
}

func routeObj(r *Route) string {
	if !r.Dst.IsValid() && r.DstLen == 0 {
		return "default"
	}
	return r.DstPrefix().String()
}
