package nft

import "golang.org/x/sys/unix"

// Range compares a register with an inclusive range ("range eq reg 1
// 0x0000401f 0x0000901f"): how iptables-nft matches a port range
// (--dport 8000:8080). From and To are in the byte order of what was
// loaded (network order for payload).
type Range struct {
	Op      CmpOp     // NFTA_RANGE_OP: CmpEq (in the range) or CmpNeq (outside)
	Reg     uint32    // NFTA_RANGE_SREG
	From    []byte    // NFTA_RANGE_FROM_DATA / NFTA_DATA_VALUE
	To      []byte    // NFTA_RANGE_TO_DATA / NFTA_DATA_VALUE
	Unknown []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Range) exprName() string { return "range" }

func (e *Range) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_RANGE_SREG, e.Reg)
	ae.Uint32(unix.NFTA_RANGE_OP, uint32(e.Op))
	encodeData(ae, unix.NFTA_RANGE_FROM_DATA, e.From)
	encodeData(ae, unix.NFTA_RANGE_TO_DATA, e.To)
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Range) unmarshalData(b []byte) error {
	*e = Range{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_RANGE_SREG:
			e.Reg = ad.Uint32()
		case unix.NFTA_RANGE_OP:
			e.Op = CmpOp(ad.Uint32())
		case unix.NFTA_RANGE_FROM_DATA:
			e.From = decodeData(ad)
		case unix.NFTA_RANGE_TO_DATA:
			e.To = decodeData(ad)
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
