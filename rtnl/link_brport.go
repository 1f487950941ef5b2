package rtnl

import (
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A BridgePort is the bridge-port settings of a link enslaved to a bridge:
// IFLA_LINKINFO → IFLA_INFO_SLAVE_KIND "bridge", IFLA_INFO_SLAVE_DATA →
// IFLA_BRPORT_* (net/bridge/br_netlink.c). Only the settings nsnet changes
// are decoded; the rest stays in Link.SlaveData.
type BridgePort struct {
	Hairpin bool // IFLA_BRPORT_MODE (BRIDGE_MODE_HAIRPIN = 1): frames may leave by the port they came in by
}

// BridgePort decodes l's bridge-port settings; ok is false when l is not a
// bridge port (or its slave data does not decode).
func (l *Link) BridgePort() (p BridgePort, ok bool) {
	if l.SlaveKind != "bridge" {
		return p, false
	}
	ad, err := netlink.NewAttributeDecoder(l.SlaveData)
	if err != nil {
		return p, false
	}
	for ad.Next() {
		if ad.Type() == unix.IFLA_BRPORT_MODE {
			p.Hairpin = ad.Uint8() != 0
		}
	}
	return p, ad.Err() == nil
}

// SetBridgePort makes l, in a LinkSet request, change the bridge-port
// settings of the link to p's, as `ip link set DEV type bridge_slave
// hairpin on|off` does (IFLA_INFO_SLAVE_KIND "bridge" with IFLA_BRPORT_MODE
// in IFLA_INFO_SLAVE_DATA; the kernel applies only the attributes sent).
func (l *Link) SetBridgePort(p BridgePort) {
	ae := netlink.NewAttributeEncoder()
	var mode uint8
	if p.Hairpin {
		mode = 1
	}
	ae.Uint8(unix.IFLA_BRPORT_MODE, mode)
	b, _ := ae.Encode() // a single fixed-size attribute cannot fail to encode
	l.SlaveKind, l.SlaveData = "bridge", b
}
