package nft

import "golang.org/x/sys/unix"

// Cmp compares a register with constant data ("cmp eq reg 1 0x00000002").
// Data is in the byte order of what was loaded: network order for payload,
// host order for meta keys such as nfproto (nft prints it as host words).
type Cmp struct {
	Op      CmpOp     // NFTA_CMP_OP: CmpEq, CmpNeq, ...
	Reg     uint32    // NFTA_CMP_SREG
	Data    []byte    // NFTA_CMP_DATA / NFTA_DATA_VALUE
	Unknown []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Cmp) exprName() string { return "cmp" }

func (e *Cmp) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_CMP_SREG, e.Reg)
	ae.Uint32(unix.NFTA_CMP_OP, uint32(e.Op))
	encodeData(ae, unix.NFTA_CMP_DATA, e.Data)
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Cmp) unmarshalData(b []byte) error {
	*e = Cmp{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_CMP_SREG:
			e.Reg = ad.Uint32()
		case unix.NFTA_CMP_OP:
			e.Op = CmpOp(ad.Uint32())
		case unix.NFTA_CMP_DATA:
			e.Data = decodeData(ad)
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
