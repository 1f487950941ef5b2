package nft

import (
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Immediate loads constant data into a register ("immediate reg 1
// 0x020fa8c0"), or a verdict into register 0 when Verdict is set.
type Immediate struct {
	Reg     uint32    // NFTA_IMMEDIATE_DREG
	Data    []byte    // NFTA_IMMEDIATE_DATA / NFTA_DATA_VALUE
	Verdict *Verdict  // NFTA_IMMEDIATE_DATA / NFTA_DATA_VERDICT (Reg 0)
	Unknown []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

// A Verdict is NFTA_DATA_VERDICT: a code (unix.NFT_JUMP, NF_ACCEPT as 1,
// ...) and, for jump and goto, the target chain.
type Verdict struct {
	Code  int32  // NFTA_VERDICT_CODE
	Chain string // NFTA_VERDICT_CHAIN
}

func (e *Immediate) exprName() string { return "immediate" }

func (e *Immediate) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_IMMEDIATE_DREG, e.Reg)
	ae.Nested(unix.NFTA_IMMEDIATE_DATA, func(nae *netlink.AttributeEncoder) error {
		if e.Data != nil {
			nae.Bytes(unix.NFTA_DATA_VALUE, e.Data)
		}
		if e.Verdict == nil {
			return nil
		}
		nae.Nested(unix.NFTA_DATA_VERDICT, func(vae *netlink.AttributeEncoder) error {
			vae.Uint32(unix.NFTA_VERDICT_CODE, uint32(e.Verdict.Code))
			if e.Verdict.Chain != "" {
				vae.String(unix.NFTA_VERDICT_CHAIN, e.Verdict.Chain)
			}
			return nil
		})
		return nil
	})
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Immediate) unmarshalData(b []byte) error {
	*e = Immediate{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_IMMEDIATE_DREG:
			e.Reg = ad.Uint32()
		case unix.NFTA_IMMEDIATE_DATA:
			ad.Nested(e.decodeData)
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}

func (e *Immediate) decodeData(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_DATA_VALUE:
			e.Data = ad.Bytes()
		case unix.NFTA_DATA_VERDICT:
			v := &Verdict{}
			ad.Nested(func(vad *netlink.AttributeDecoder) error {
				for vad.Next() {
					switch vad.Type() {
					case unix.NFTA_VERDICT_CODE:
						v.Code = int32(vad.Uint32())
					case unix.NFTA_VERDICT_CHAIN:
						v.Chain = vad.String()
					}
				}
				return nil
			})
			e.Verdict = v
		}
	}
	return nil
}
