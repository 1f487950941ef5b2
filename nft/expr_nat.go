package nft

import "golang.org/x/sys/unix"

// Nat is the nat expression: snat or dnat to the address in RegAddrMin and
// the port in RegProtoMin ("nat dnat ip addr_min reg 1 proto_min reg 2
// flags 0x2"). A zero register is not sent. The kernel adds
// NF_NAT_RANGE_MAP_IPS to Flags itself when an address register is given,
// so a dump shows flags 0x3 where nft sent 0x2.
type Nat struct {
	Type        NatType   // NFTA_NAT_TYPE: NatSNAT or NatDNAT
	Family      uint32    // NFTA_NAT_FAMILY: unix.NFPROTO_IPV4 or NFPROTO_IPV6
	RegAddrMin  uint32    // NFTA_NAT_REG_ADDR_MIN
	RegAddrMax  uint32    // NFTA_NAT_REG_ADDR_MAX
	RegProtoMin uint32    // NFTA_NAT_REG_PROTO_MIN
	RegProtoMax uint32    // NFTA_NAT_REG_PROTO_MAX
	Flags       uint32    // NFTA_NAT_FLAGS: NF_NAT_RANGE_* bits
	Unknown     []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Nat) exprName() string { return "nat" }

func (e *Nat) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_NAT_TYPE, uint32(e.Type))
	ae.Uint32(unix.NFTA_NAT_FAMILY, e.Family)
	if e.RegAddrMin != 0 {
		ae.Uint32(unix.NFTA_NAT_REG_ADDR_MIN, e.RegAddrMin)
	}
	if e.RegAddrMax != 0 {
		ae.Uint32(unix.NFTA_NAT_REG_ADDR_MAX, e.RegAddrMax)
	}
	if e.RegProtoMin != 0 {
		ae.Uint32(unix.NFTA_NAT_REG_PROTO_MIN, e.RegProtoMin)
	}
	if e.RegProtoMax != 0 {
		ae.Uint32(unix.NFTA_NAT_REG_PROTO_MAX, e.RegProtoMax)
	}
	if e.Flags != 0 {
		ae.Uint32(unix.NFTA_NAT_FLAGS, e.Flags)
	}
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Nat) unmarshalData(b []byte) error {
	*e = Nat{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_NAT_TYPE:
			e.Type = NatType(ad.Uint32())
		case unix.NFTA_NAT_FAMILY:
			e.Family = ad.Uint32()
		case unix.NFTA_NAT_REG_ADDR_MIN:
			e.RegAddrMin = ad.Uint32()
		case unix.NFTA_NAT_REG_ADDR_MAX:
			e.RegAddrMax = ad.Uint32()
		case unix.NFTA_NAT_REG_PROTO_MIN:
			e.RegProtoMin = ad.Uint32()
		case unix.NFTA_NAT_REG_PROTO_MAX:
			e.RegProtoMax = ad.Uint32()
		case unix.NFTA_NAT_FLAGS:
			e.Flags = ad.Uint32()
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
