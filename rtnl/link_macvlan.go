package rtnl

import (
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Macvlan is IFLA_INFO_KIND "macvlan" (drivers/net/macvlan.c): a virtual
// device with its own MAC address on top of Link.ParentIndex (IFLA_LINK,
// "link DEV"). A zero field is not sent (the kernel's default mode is
// vepa). Attributes that are not decoded are kept in Unknown.
type Macvlan struct {
	Mode        MacvlanMode // IFLA_MACVLAN_MODE
	Flags       uint16      // IFLA_MACVLAN_FLAGS: MACVLAN_FLAG_NOPROMISC 1, MACVLAN_FLAG_NODST 2
	BCQueueLen  uint32      // IFLA_MACVLAN_BC_QUEUE_LEN ("bcqueuelen")
	BCQueueUsed uint32      // IFLA_MACVLAN_BC_QUEUE_LEN_USED, reported by the kernel
	Unknown     []RawAttr   // other IFLA_MACVLAN_* attributes, verbatim
}

// Macvlan.Flags bits, MACVLAN_FLAG_* in include/uapi/linux/if_link.h.
const (
	MacvlanNoPromisc uint16 = 1 // MACVLAN_FLAG_NOPROMISC: do not put the lower device in promiscuous mode
	MacvlanNoDst     uint16 = 2 // MACVLAN_FLAG_NODST: passthru/source only
)

// MacvlanMode is enum macvlan_mode (include/uapi/linux/if_link.h).
type MacvlanMode uint32

// Macvlan modes, MACVLAN_MODE_* in include/uapi/linux/if_link.h.
const (
	MacvlanPrivate  MacvlanMode = 1  // MACVLAN_MODE_PRIVATE
	MacvlanVEPA     MacvlanMode = 2  // MACVLAN_MODE_VEPA
	MacvlanBridge   MacvlanMode = 4  // MACVLAN_MODE_BRIDGE
	MacvlanPassthru MacvlanMode = 8  // MACVLAN_MODE_PASSTHRU
	MacvlanSource   MacvlanMode = 16 // MACVLAN_MODE_SOURCE
)

// String returns iproute2's word for the mode (macvlan_print_opt), or
// "unknown".
func (m MacvlanMode) String() string {
	switch m {
	case MacvlanPrivate:
		return "private"
	case MacvlanVEPA:
		return "vepa"
	case MacvlanBridge:
		return "bridge"
	case MacvlanPassthru:
		return "passthru"
	case MacvlanSource:
		return "source"
	}
	return "unknown"
}

// ParseMacvlanMode reads a mode as iproute2's macvlan_parse_opt does
// (whole words only).
func ParseMacvlanMode(s string) (MacvlanMode, bool) {
	for _, m := range []MacvlanMode{MacvlanPrivate, MacvlanVEPA, MacvlanBridge, MacvlanPassthru, MacvlanSource} {
		if s == m.String() {
			return m, true
		}
	}
	return 0, false
}

// Kind returns "macvlan".
func (*Macvlan) Kind() string { return "macvlan" }

func (m *Macvlan) encodeData() ([]byte, error) {
	if m.Mode == 0 && m.Flags == 0 && m.BCQueueLen == 0 && m.BCQueueUsed == 0 && len(m.Unknown) == 0 {
		return nil, nil
	}
	ae := netlink.NewAttributeEncoder()
	if m.Mode != 0 {
		ae.Uint32(unix.IFLA_MACVLAN_MODE, uint32(m.Mode))
	}
	if m.Flags != 0 {
		ae.Uint16(unix.IFLA_MACVLAN_FLAGS, m.Flags)
	}
	if m.BCQueueLen != 0 {
		ae.Uint32(unix.IFLA_MACVLAN_BC_QUEUE_LEN, m.BCQueueLen)
	}
	if m.BCQueueUsed != 0 {
		ae.Uint32(unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED, m.BCQueueUsed)
	}
	for _, a := range m.Unknown {
		ae.Bytes(a.Type, a.Data)
	}
	return ae.Encode()
}

func (m *Macvlan) decodeData(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_MACVLAN_MODE:
			m.Mode = MacvlanMode(ad.Uint32())
		case unix.IFLA_MACVLAN_FLAGS:
			m.Flags = ad.Uint16()
		case unix.IFLA_MACVLAN_BC_QUEUE_LEN:
			m.BCQueueLen = ad.Uint32()
		case unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED:
			m.BCQueueUsed = ad.Uint32()
		default:
			m.Unknown = append(m.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
