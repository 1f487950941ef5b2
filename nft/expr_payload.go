package nft

import "golang.org/x/sys/unix"

// Payload loads Len bytes at Offset from a packet header into a register
// ("payload load 2b @ transport header + 2 => reg 1").
type Payload struct {
	Base    uint32    // NFTA_PAYLOAD_BASE: unix.NFT_PAYLOAD_NETWORK_HEADER, _TRANSPORT_HEADER, ...
	Offset  uint32    // NFTA_PAYLOAD_OFFSET
	Len     uint32    // NFTA_PAYLOAD_LEN
	Reg     uint32    // NFTA_PAYLOAD_DREG
	Unknown []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Payload) exprName() string { return "payload" }

func (e *Payload) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_PAYLOAD_DREG, e.Reg)
	ae.Uint32(unix.NFTA_PAYLOAD_BASE, e.Base)
	ae.Uint32(unix.NFTA_PAYLOAD_OFFSET, e.Offset)
	ae.Uint32(unix.NFTA_PAYLOAD_LEN, e.Len)
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Payload) unmarshalData(b []byte) error {
	*e = Payload{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_PAYLOAD_DREG:
			e.Reg = ad.Uint32()
		case unix.NFTA_PAYLOAD_BASE:
			e.Base = ad.Uint32()
		case unix.NFTA_PAYLOAD_OFFSET:
			e.Offset = ad.Uint32()
		case unix.NFTA_PAYLOAD_LEN:
			e.Len = ad.Uint32()
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
