package nft

import "golang.org/x/sys/unix"

// Bitwise computes Reg = (Reg & Mask) ^ Xor over Len bytes
// ("bitwise reg 1 = ( reg 1 & 0x00f0ffff ) ^ 0x00000000"): how nft matches a
// prefix that is not byte-aligned. Only the mask-and-xor operation
// (NFT_BITWISE_MASK_XOR, the kernel's default) is modelled.
type Bitwise struct {
	SReg    uint32    // NFTA_BITWISE_SREG
	DReg    uint32    // NFTA_BITWISE_DREG
	Len     uint32    // NFTA_BITWISE_LEN
	Mask    []byte    // NFTA_BITWISE_MASK / NFTA_DATA_VALUE
	Xor     []byte    // NFTA_BITWISE_XOR / NFTA_DATA_VALUE
	Op      *uint32   // NFTA_BITWISE_OP: nil = not sent (nft sends none; the kernel dumps 0, NFT_BITWISE_MASK_XOR)
	Unknown []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Bitwise) exprName() string { return "bitwise" }

func (e *Bitwise) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_BITWISE_SREG, e.SReg)
	ae.Uint32(unix.NFTA_BITWISE_DREG, e.DReg)
	ae.Uint32(unix.NFTA_BITWISE_LEN, e.Len)
	encodeData(ae, unix.NFTA_BITWISE_MASK, e.Mask)
	encodeData(ae, unix.NFTA_BITWISE_XOR, e.Xor)
	if e.Op != nil {
		ae.Uint32(nftaBitwiseOp, *e.Op)
	}
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Bitwise) unmarshalData(b []byte) error {
	*e = Bitwise{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_BITWISE_SREG:
			e.SReg = ad.Uint32()
		case unix.NFTA_BITWISE_DREG:
			e.DReg = ad.Uint32()
		case unix.NFTA_BITWISE_LEN:
			e.Len = ad.Uint32()
		case unix.NFTA_BITWISE_MASK:
			e.Mask = decodeData(ad)
		case unix.NFTA_BITWISE_XOR:
			e.Xor = decodeData(ad)
		case nftaBitwiseOp:
			op := ad.Uint32()
			e.Op = &op
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
