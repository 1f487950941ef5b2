package nft

import "golang.org/x/sys/unix"

// Match is an xt compat match ("match name conntrack rev 3"): an
// iptables extension run by x_tables inside an nf_tables rule
// (net/netfilter/nft_compat.c). Info is the extension's own struct
// (xt_conntrack_mtinfo3, xt_comment_info, ...) as iptables lays it out,
// padded to XT_ALIGN (8 bytes); the xt*.go files of this package build
// the ones nsnet writes. A rule with one needs Rule.Compat.
type Match struct {
	Name    string    // NFTA_MATCH_NAME: "conntrack", "comment", ...
	Rev     uint32    // NFTA_MATCH_REV
	Info    []byte    // NFTA_MATCH_INFO
	Unknown []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Match) exprName() string { return "match" }

func (e *Match) marshalData() ([]byte, error) {
	ae := newEncoder()
	ae.String(unix.NFTA_MATCH_NAME, e.Name)
	ae.Uint32(unix.NFTA_MATCH_REV, e.Rev)
	ae.Bytes(unix.NFTA_MATCH_INFO, e.Info)
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Match) unmarshalData(b []byte) error {
	*e = Match{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_MATCH_NAME:
			e.Name = ad.String()
		case unix.NFTA_MATCH_REV:
			e.Rev = ad.Uint32()
		case unix.NFTA_MATCH_INFO:
			e.Info = bytesOrNil(ad.Bytes())
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
