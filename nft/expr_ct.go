package nft

import "golang.org/x/sys/unix"

// Ct loads a conntrack key into a register ("ct load status => reg 1").
// Only the load form is modelled.
type Ct struct {
	Key       uint32    // NFTA_CT_KEY: unix.NFT_CT_STATE, NFT_CT_STATUS, ...
	Reg       uint32    // NFTA_CT_DREG
	Direction *uint8    // NFTA_CT_DIRECTION: 0 original, 1 reply; nil = not sent
	Unknown   []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Ct) exprName() string { return "ct" }

func (e *Ct) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_CT_KEY, e.Key)
	ae.Uint32(unix.NFTA_CT_DREG, e.Reg)
	if e.Direction != nil {
		ae.Uint8(unix.NFTA_CT_DIRECTION, *e.Direction)
	}
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Ct) unmarshalData(b []byte) error {
	*e = Ct{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_CT_KEY:
			e.Key = ad.Uint32()
		case unix.NFTA_CT_DREG:
			e.Reg = ad.Uint32()
		case unix.NFTA_CT_DIRECTION:
			d := ad.Uint8()
			e.Direction = &d
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
