package nft

import (
	"golang.org/x/sys/unix"
)

// Meta loads packet metadata into a register ("meta load nfproto => reg 1").
// Only the load form (NFTA_META_DREG) is modelled.
type Meta struct {
	Key     MetaKey   // NFTA_META_KEY: MetaNfproto, MetaL4proto, MetaIifname, ...
	Reg     uint32    // NFTA_META_DREG
	Unknown []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Meta) exprName() string { return "meta" }

func (e *Meta) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_META_KEY, uint32(e.Key))
	ae.Uint32(unix.NFTA_META_DREG, e.Reg)
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Meta) unmarshalData(b []byte) error {
	*e = Meta{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_META_KEY:
			e.Key = MetaKey(ad.Uint32())
		case unix.NFTA_META_DREG:
			e.Reg = ad.Uint32()
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
