package nft

import (
	"golang.org/x/sys/unix"
)

// Meta loads packet metadata into a register ("meta load nfproto => reg 1").
// Only the load form (NFTA_META_DREG) is modelled.
type Meta struct {
	Key uint32 // NFTA_META_KEY: unix.NFT_META_NFPROTO, _L4PROTO, _IIFNAME, _OIFNAME, ...
	Reg uint32 // NFTA_META_DREG
}

func (e *Meta) exprName() string { return "meta" }

func (e *Meta) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_META_KEY, e.Key)
	ae.Uint32(unix.NFTA_META_DREG, e.Reg)
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
			e.Key = ad.Uint32()
		case unix.NFTA_META_DREG:
			e.Reg = ad.Uint32()
		}
	}
	return ad.Err()
}
