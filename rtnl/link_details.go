package rtnl

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// LinkDetails are the attributes of a kernel link dump that only `ip -d`
// prints (iproute2's print_linkinfo with show_details). They are read
// from Link.Unknown, where the decoder keeps them verbatim, so that the
// Link of a request stays as small as before. A Has* field says the
// kernel reported the attribute.
type LinkDetails struct {
	Promiscuity, AllMulti       uint32 // IFLA_PROMISCUITY, IFLA_ALLMULTI
	HasPromiscuity, HasAllMulti bool
	MinMTU, MaxMTU              uint32 // IFLA_MIN_MTU, IFLA_MAX_MTU
	HasMinMTU, HasMaxMTU        bool
	GSOMaxSize, GSOMaxSegs      uint32 // IFLA_GSO_MAX_SIZE, IFLA_GSO_MAX_SEGS
	TSOMaxSize, TSOMaxSegs      uint32 // IFLA_TSO_MAX_SIZE, IFLA_TSO_MAX_SEGS
	GROMaxSize                  uint32 // IFLA_GRO_MAX_SIZE
	// Has lists which of GSO.., TSO.., GRO.. were reported, in that order.
	HasGSOMaxSize, HasGSOMaxSegs, HasTSOMaxSize, HasTSOMaxSegs, HasGROMaxSize bool
	// AddrGenMode is IFLA_AF_SPEC → AF_INET6 → IFLA_INET6_ADDR_GEN_MODE
	// (IN6_ADDR_GEN_MODE_*); valid when HasAddrGenMode.
	AddrGenMode    uint8
	HasAddrGenMode bool
	ParentBus      string // IFLA_PARENT_DEV_BUS_NAME
	ParentDev      string // IFLA_PARENT_DEV_NAME
}

// AddrGenModeName is iproute2's print_af_spec word for an
// IFLA_INET6_ADDR_GEN_MODE (IN6_ADDR_GEN_MODE_*): eui64, none,
// stable_secret, random, or the number as 0xNN.
func AddrGenModeName(m uint8) string {
	switch m {
	case 0: // IN6_ADDR_GEN_MODE_EUI64
		return "eui64"
	case in6AddrGenModeNone:
		return "none"
	case 2: // IN6_ADDR_GEN_MODE_STABLE_PRIVACY
		return "stable_secret"
	case 3: // IN6_ADDR_GEN_MODE_RANDOM
		return "random"
	}
	return fmt.Sprintf("%#.2x", m)
}

// Details decodes l's LinkDetails from l.Unknown (and AddrGenModeNone).
func (l *Link) Details() LinkDetails {
	var d LinkDetails
	if l.AddrGenModeNone {
		d.AddrGenMode, d.HasAddrGenMode = in6AddrGenModeNone, true
	}
	u32 := func(a RawAttr, v *uint32, has *bool) {
		if len(a.Data) == 4 {
			*v, *has = binary.NativeEndian.Uint32(a.Data), true
		}
	}
	for _, a := range l.Unknown {
		switch a.Type & nlaTypeMask {
		case unix.IFLA_PROMISCUITY:
			u32(a, &d.Promiscuity, &d.HasPromiscuity)
		case unix.IFLA_ALLMULTI:
			u32(a, &d.AllMulti, &d.HasAllMulti)
		case unix.IFLA_MIN_MTU:
			u32(a, &d.MinMTU, &d.HasMinMTU)
		case unix.IFLA_MAX_MTU:
			u32(a, &d.MaxMTU, &d.HasMaxMTU)
		case unix.IFLA_GSO_MAX_SIZE:
			u32(a, &d.GSOMaxSize, &d.HasGSOMaxSize)
		case unix.IFLA_GSO_MAX_SEGS:
			u32(a, &d.GSOMaxSegs, &d.HasGSOMaxSegs)
		case unix.IFLA_TSO_MAX_SIZE:
			u32(a, &d.TSOMaxSize, &d.HasTSOMaxSize)
		case unix.IFLA_TSO_MAX_SEGS:
			u32(a, &d.TSOMaxSegs, &d.HasTSOMaxSegs)
		case unix.IFLA_GRO_MAX_SIZE:
			u32(a, &d.GROMaxSize, &d.HasGROMaxSize)
		case unix.IFLA_PARENT_DEV_BUS_NAME:
			d.ParentBus = cString(a.Data)
		case unix.IFLA_PARENT_DEV_NAME:
			d.ParentDev = cString(a.Data)
		case unix.IFLA_AF_SPEC:
			if m, ok := addrGenMode(a.Data); ok {
				d.AddrGenMode, d.HasAddrGenMode = m, true
			}
		}
	}
	return d
}

// addrGenMode finds AF_INET6 → IFLA_INET6_ADDR_GEN_MODE in an
// IFLA_AF_SPEC payload, as iproute2's print_af_spec does.
func addrGenMode(b []byte) (mode uint8, ok bool) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return 0, false
	}
	for ad.Next() {
		if ad.Type() != unix.AF_INET6 {
			continue
		}
		in6, err := netlink.NewAttributeDecoder(ad.Bytes())
		if err != nil {
			return 0, false
		}
		for in6.Next() {
			if in6.Type() == unix.IFLA_INET6_ADDR_GEN_MODE && len(in6.Bytes()) == 1 {
				mode, ok = in6.Bytes()[0], true
			}
		}
	}
	return mode, ok
}

// cString is a NUL-terminated attribute string without its NUL.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
