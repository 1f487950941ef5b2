package nft

import "golang.org/x/sys/unix"

// Fib looks the packet up in the routing table ("fib daddr type => reg
// 1"): with Result unix.NFT_FIB_RESULT_ADDRTYPE and Flags
// unix.NFTA_FIB_F_DADDR it loads the RTN_* type of the destination, which
// is 2 (RTN_LOCAL) for the host's own addresses.
type Fib struct {
	Result  uint32    // NFTA_FIB_RESULT
	Flags   uint32    // NFTA_FIB_FLAGS: NFTA_FIB_F_SADDR, _DADDR, _IIF, _OIF, ...
	Reg     uint32    // NFTA_FIB_DREG
	Unknown []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Fib) exprName() string { return "fib" }

func (e *Fib) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.Uint32(unix.NFTA_FIB_FLAGS, e.Flags) // nft's order
	ae.Uint32(unix.NFTA_FIB_RESULT, e.Result)
	ae.Uint32(unix.NFTA_FIB_DREG, e.Reg)
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Fib) unmarshalData(b []byte) error {
	*e = Fib{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_FIB_DREG:
			e.Reg = ad.Uint32()
		case unix.NFTA_FIB_RESULT:
			e.Result = ad.Uint32()
		case unix.NFTA_FIB_FLAGS:
			e.Flags = ad.Uint32()
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
