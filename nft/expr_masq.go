package nft

import "golang.org/x/sys/unix"

// Masq is the masquerade expression ("masq"): source NAT to the address of
// the outgoing interface, forgotten when that interface goes down.
type Masq struct {
	Flags       uint32    // NFTA_MASQ_FLAGS: NF_NAT_RANGE_* bits (random, persistent)
	RegProtoMin uint32    // NFTA_MASQ_REG_PROTO_MIN
	RegProtoMax uint32    // NFTA_MASQ_REG_PROTO_MAX
	Unknown     []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Masq) exprName() string { return "masq" }

func (e *Masq) marshalData() ([]byte, error) {
	ae := newEncoder()
	if e.Flags != 0 {
		ae.Uint32(unix.NFTA_MASQ_FLAGS, e.Flags)
	}
	if e.RegProtoMin != 0 {
		ae.Uint32(unix.NFTA_MASQ_REG_PROTO_MIN, e.RegProtoMin)
	}
	if e.RegProtoMax != 0 {
		ae.Uint32(unix.NFTA_MASQ_REG_PROTO_MAX, e.RegProtoMax)
	}
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Masq) unmarshalData(b []byte) error {
	*e = Masq{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_MASQ_FLAGS:
			e.Flags = ad.Uint32()
		case unix.NFTA_MASQ_REG_PROTO_MIN:
			e.RegProtoMin = ad.Uint32()
		case unix.NFTA_MASQ_REG_PROTO_MAX:
			e.RegProtoMax = ad.Uint32()
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
