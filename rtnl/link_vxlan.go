package rtnl

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Vxlan is IFLA_INFO_KIND "vxlan" (drivers/net/vxlan/vxlan_core.c,
// vxlan_nl2conf and vxlan_fill_info). A zero field is not sent, so the
// kernel's default applies; the pointer fields are those whose zero the
// kernel reads as a setting ("nolearning", "ttl auto", "ageing none"...)
// and which the kernel always reports, so that a printer can tell "not
// reported" from zero as iproute2's vxlan_print_opt does. Attributes that
// are not decoded are kept in Unknown.
type Vxlan struct {
	ID             uint32          // IFLA_VXLAN_ID: the VNI
	Group          netip.Addr      // IFLA_VXLAN_GROUP or IFLA_VXLAN_GROUP6: the remote, or the multicast group
	Local          netip.Addr      // IFLA_VXLAN_LOCAL or IFLA_VXLAN_LOCAL6
	Link           uint32          // IFLA_VXLAN_LINK: index of the underlying device ("dev")
	TTL            *uint8          // IFLA_VXLAN_TTL: 0 is "auto"
	TTLInherit     bool            // IFLA_VXLAN_TTL_INHERIT
	TOS            uint8           // IFLA_VXLAN_TOS: 1 is "inherit"
	DF             *uint8          // IFLA_VXLAN_DF: VXLAN_DF_UNSET 0, SET 1, INHERIT 2
	Label          uint32          // IFLA_VXLAN_LABEL, host order (sent big-endian)
	Learning       *bool           // IFLA_VXLAN_LEARNING: false is "nolearning"
	Proxy          bool            // IFLA_VXLAN_PROXY
	RSC            bool            // IFLA_VXLAN_RSC
	L2Miss         bool            // IFLA_VXLAN_L2MISS
	L3Miss         bool            // IFLA_VXLAN_L3MISS
	External       bool            // IFLA_VXLAN_COLLECT_METADATA
	Ageing         *uint32         // IFLA_VXLAN_AGEING, seconds: 0 is "none"
	Limit          uint32          // IFLA_VXLAN_LIMIT ("maxaddr")
	Port           uint16          // IFLA_VXLAN_PORT (sent big-endian): the UDP destination port
	PortRange      *VxlanPortRange // IFLA_VXLAN_PORT_RANGE: UDP source ports
	UDPCsum        *bool           // IFLA_VXLAN_UDP_CSUM
	UDPZeroCsum6TX *bool           // IFLA_VXLAN_UDP_ZERO_CSUM6_TX
	UDPZeroCsum6RX *bool           // IFLA_VXLAN_UDP_ZERO_CSUM6_RX
	RemCsumTX      bool            // IFLA_VXLAN_REMCSUM_TX
	RemCsumRX      bool            // IFLA_VXLAN_REMCSUM_RX
	GBP            bool            // IFLA_VXLAN_GBP (a flag: present or not)
	GPE            bool            // IFLA_VXLAN_GPE (a flag)
	Unknown        []RawAttr       // other IFLA_VXLAN_* attributes, verbatim
}

// Vxlan.DF values, enum ifla_vxlan_df in include/uapi/linux/if_link.h.
const (
	VxlanDFUnset   uint8 = 0 // VXLAN_DF_UNSET
	VxlanDFSet     uint8 = 1 // VXLAN_DF_SET
	VxlanDFInherit uint8 = 2 // VXLAN_DF_INHERIT
)

// VxlanTOSInherit is the Vxlan.TOS that means "inherit" (iproute2 sends 1).
const VxlanTOSInherit uint8 = 1

// VxlanPortRange is struct ifla_vxlan_port_range (two big-endian ports).
type VxlanPortRange struct{ Low, High uint16 }

// Kind returns "vxlan".
func (*Vxlan) Kind() string { return "vxlan" }

func (v *Vxlan) encodeData() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	// iproute2's vxlan_parse_opt writes most attributes in the order of
	// its command line, then ID, LOCAL, GROUP, LEARNING and PORT last.
	// This is that order for a command line in iproute2's usage order.
	if v.Link != 0 {
		ae.Uint32(unix.IFLA_VXLAN_LINK, v.Link)
	}
	if v.TTL != nil {
		ae.Uint8(unix.IFLA_VXLAN_TTL, *v.TTL)
	}
	if v.TTLInherit {
		ae.Flag(unix.IFLA_VXLAN_TTL_INHERIT, true) // iproute2: addattr, no payload
	}
	if v.TOS != 0 {
		ae.Uint8(unix.IFLA_VXLAN_TOS, v.TOS)
	}
	if v.DF != nil {
		ae.Uint8(unix.IFLA_VXLAN_DF, *v.DF)
	}
	if v.Label != 0 {
		ae.Uint32(unix.IFLA_VXLAN_LABEL, beUint32(v.Label))
	}
	if v.Ageing != nil {
		ae.Uint32(unix.IFLA_VXLAN_AGEING, *v.Ageing)
	}
	if v.Limit != 0 {
		ae.Uint32(unix.IFLA_VXLAN_LIMIT, v.Limit)
	}
	if v.PortRange != nil {
		var r [4]byte
		binary.BigEndian.PutUint16(r[0:], v.PortRange.Low)
		binary.BigEndian.PutUint16(r[2:], v.PortRange.High)
		ae.Bytes(unix.IFLA_VXLAN_PORT_RANGE, r[:])
	}
	for _, f := range []struct {
		typ uint16
		on  bool
	}{
		{unix.IFLA_VXLAN_PROXY, v.Proxy}, {unix.IFLA_VXLAN_RSC, v.RSC},
		{unix.IFLA_VXLAN_L2MISS, v.L2Miss}, {unix.IFLA_VXLAN_L3MISS, v.L3Miss},
	} {
		if f.on {
			ae.Uint8(f.typ, 1)
		}
	}
	for _, f := range []struct {
		typ uint16
		on  *bool
	}{
		{unix.IFLA_VXLAN_UDP_CSUM, v.UDPCsum},
		{unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, v.UDPZeroCsum6TX},
		{unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, v.UDPZeroCsum6RX},
	} {
		if f.on != nil {
			ae.Uint8(f.typ, boolByte(*f.on))
		}
	}
	for _, f := range []struct {
		typ uint16
		on  bool
	}{
		{unix.IFLA_VXLAN_REMCSUM_TX, v.RemCsumTX}, {unix.IFLA_VXLAN_REMCSUM_RX, v.RemCsumRX},
		{unix.IFLA_VXLAN_COLLECT_METADATA, v.External},
	} {
		if f.on {
			ae.Uint8(f.typ, 1)
		}
	}
	if v.GBP {
		ae.Flag(unix.IFLA_VXLAN_GBP, true)
	}
	if v.GPE {
		ae.Flag(unix.IFLA_VXLAN_GPE, true)
	}
	if v.ID != 0 {
		ae.Uint32(unix.IFLA_VXLAN_ID, v.ID)
	}
	putAddr(ae, unix.IFLA_VXLAN_LOCAL, unix.IFLA_VXLAN_LOCAL6, v.Local)
	putAddr(ae, unix.IFLA_VXLAN_GROUP, unix.IFLA_VXLAN_GROUP6, v.Group)
	if v.Learning != nil {
		ae.Uint8(unix.IFLA_VXLAN_LEARNING, boolByte(*v.Learning))
	}
	if v.Port != 0 {
		ae.Uint16(unix.IFLA_VXLAN_PORT, beUint16(v.Port))
	}
	for _, a := range v.Unknown {
		ae.Bytes(a.Type, a.Data)
	}
	return ae.Encode()
}

func (v *Vxlan) decodeData(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_VXLAN_ID:
			v.ID = ad.Uint32()
		case unix.IFLA_VXLAN_GROUP, unix.IFLA_VXLAN_GROUP6:
			v.Group = attrAddr(ad, ad.Type() == unix.IFLA_VXLAN_GROUP6)
		case unix.IFLA_VXLAN_LOCAL, unix.IFLA_VXLAN_LOCAL6:
			v.Local = attrAddr(ad, ad.Type() == unix.IFLA_VXLAN_LOCAL6)
		case unix.IFLA_VXLAN_LINK:
			v.Link = ad.Uint32()
		case unix.IFLA_VXLAN_TTL:
			t := ad.Uint8()
			v.TTL = &t
		case unix.IFLA_VXLAN_TTL_INHERIT:
			// A flag in requests, a u8 in the kernel's dumps.
			v.TTLInherit = len(ad.Bytes()) == 0 || ad.Bytes()[0] != 0
		case unix.IFLA_VXLAN_TOS:
			v.TOS = ad.Uint8()
		case unix.IFLA_VXLAN_DF:
			d := ad.Uint8()
			v.DF = &d
		case unix.IFLA_VXLAN_LABEL:
			v.Label = beUint32(ad.Uint32())
		case unix.IFLA_VXLAN_LEARNING:
			v.Learning = attrBool(ad)
		case unix.IFLA_VXLAN_PROXY:
			v.Proxy = ad.Uint8() != 0
		case unix.IFLA_VXLAN_RSC:
			v.RSC = ad.Uint8() != 0
		case unix.IFLA_VXLAN_L2MISS:
			v.L2Miss = ad.Uint8() != 0
		case unix.IFLA_VXLAN_L3MISS:
			v.L3Miss = ad.Uint8() != 0
		case unix.IFLA_VXLAN_COLLECT_METADATA:
			v.External = ad.Uint8() != 0
		case unix.IFLA_VXLAN_AGEING:
			a := ad.Uint32()
			v.Ageing = &a
		case unix.IFLA_VXLAN_LIMIT:
			v.Limit = ad.Uint32()
		case unix.IFLA_VXLAN_PORT_RANGE:
			r := ad.Bytes()
			if len(r) != 4 {
				return fmt.Errorf("IFLA_VXLAN_PORT_RANGE: %d bytes, want 4", len(r))
			}
			v.PortRange = &VxlanPortRange{binary.BigEndian.Uint16(r[0:]), binary.BigEndian.Uint16(r[2:])}
		case unix.IFLA_VXLAN_PORT:
			v.Port = beUint16(ad.Uint16())
		case unix.IFLA_VXLAN_UDP_CSUM:
			v.UDPCsum = attrBool(ad)
		case unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX:
			v.UDPZeroCsum6TX = attrBool(ad)
		case unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX:
			v.UDPZeroCsum6RX = attrBool(ad)
		case unix.IFLA_VXLAN_REMCSUM_TX:
			v.RemCsumTX = ad.Uint8() != 0
		case unix.IFLA_VXLAN_REMCSUM_RX:
			v.RemCsumRX = ad.Uint8() != 0
		case unix.IFLA_VXLAN_GBP:
			v.GBP = true
		case unix.IFLA_VXLAN_GPE:
			v.GPE = true
		default:
			v.Unknown = append(v.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
