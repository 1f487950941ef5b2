package nft

import "golang.org/x/sys/unix"

// Target is an xt compat target ("target name MASQUERADE rev 0"): an
// iptables target run by x_tables inside an nf_tables rule
// (net/netfilter/nft_compat.c). Info is the target's own struct
// (nf_nat_range2, nf_nat_ipv4_multi_range_compat, ipt_reject_info, ...),
// padded to XT_ALIGN (8 bytes). A rule with one needs Rule.Compat.
type Target struct {
	Name    string    // NFTA_TARGET_NAME: "MASQUERADE", "DNAT", ...
	Rev     uint32    // NFTA_TARGET_REV
	Info    []byte    // NFTA_TARGET_INFO
	Unknown []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Target) exprName() string { return "target" }

func (e *Target) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.String(unix.NFTA_TARGET_NAME, e.Name)
	ae.Uint32(unix.NFTA_TARGET_REV, e.Rev)
	ae.Bytes(unix.NFTA_TARGET_INFO, e.Info)
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Target) unmarshalData(b []byte) error {
	*e = Target{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_TARGET_NAME:
			e.Name = ad.String()
		case unix.NFTA_TARGET_REV:
			e.Rev = ad.Uint32()
		case unix.NFTA_TARGET_INFO:
			e.Info = bytesOrNil(ad.Bytes())
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
