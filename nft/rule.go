package nft

import (
	"strings"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Rule is an nf_tables rule (NFT_MSG_NEWRULE and its dump).
type Rule struct {
	Family Family // nfgenmsg.nfgen_family
	Table  string // NFTA_RULE_TABLE
	Chain  string // NFTA_RULE_CHAIN
	Handle uint64 // NFTA_RULE_HANDLE: set by the kernel; DelRule needs it
	// Position is NFTA_RULE_POSITION: the handle of the rule that
	// InsertRule puts this one before (AddRule: after). 0: not sent.
	Position uint64
	Exprs    []Expr // NFTA_RULE_EXPRESSIONS
	Comment  string // NFTA_RULE_USERDATA, as the NFTNL_UDATA_RULE_COMMENT TLV nft writes for `comment "..."`
	// Owner is a second TLV of NFTA_RULE_USERDATA (type
	// nftUdataRuleOwner, which nft and iptables-nft skip): who asked
	// for the rule, for a caller that keeps one copy per owner of a
	// shared rule. At most 253 bytes with the comment's TLV.
	Owner string
	// Compat is NFTA_RULE_COMPAT, which a rule with xt matches or targets
	// carries (iptables-nft sends it in every rule); nil = not sent.
	Compat *RuleCompat
}

// RuleCompat is NFTA_RULE_COMPAT: the rule's layer 4 protocol as x_tables
// extensions see it (ipt_entry.ip.proto; iptables' -p), and whether it is
// inverted (! -p).
type RuleCompat struct {
	Proto uint32 // NFTA_RULE_COMPAT_PROTO: an IPPROTO_* number, 0 for any
	Flags uint32 // NFTA_RULE_COMPAT_FLAGS: NFT_RULE_COMPAT_F_INV
}

// MarshalBinary encodes the message body: nfgenmsg and attributes.
func (r *Rule) MarshalBinary() ([]byte, error) {
	ae := newEncoder()
	ae.String(unix.NFTA_RULE_TABLE, r.Table)
	if r.Chain != "" {
		ae.String(unix.NFTA_RULE_CHAIN, r.Chain)
	}
	if r.Handle != 0 {
		ae.Uint64(unix.NFTA_RULE_HANDLE, r.Handle)
	}
	if r.Position != 0 {
		ae.Uint64(unix.NFTA_RULE_POSITION, r.Position)
	}
	if len(r.Exprs) > 0 {
		ae.Nested(unix.NFTA_RULE_EXPRESSIONS, func(nae *netlink.AttributeEncoder) error {
			return encodeExprs(nae, r.Exprs)
		})
	}
	if r.Compat != nil {
		ae.Nested(unix.NFTA_RULE_COMPAT, func(nae *netlink.AttributeEncoder) error {
			nae.Uint32(unix.NFTA_RULE_COMPAT_PROTO, r.Compat.Proto)
			nae.Uint32(unix.NFTA_RULE_COMPAT_FLAGS, r.Compat.Flags)
			return nil
		})
	}
	if r.Comment != "" || r.Owner != "" {
		ud, err := marshalUserdata(r.Comment, r.Owner)
		if err != nil {
			return nil, err
		}
		ae.Bytes(unix.NFTA_RULE_USERDATA, ud)
	}
	b, err := ae.Encode()
	if err != nil {
		return nil, err
	}
	return append(nfgenmsg(r.Family, 0), b...), nil
}

// UnmarshalBinary decodes a message body as the kernel dumps it.
func (r *Rule) UnmarshalBinary(b []byte) error {
	*r = Rule{}
	fam, attrs, err := parseNfgenmsg(b)
	if err != nil {
		return err
	}
	r.Family = fam
	ad, err := newDecoder(attrs)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_RULE_TABLE:
			r.Table = ad.String()
		case unix.NFTA_RULE_CHAIN:
			r.Chain = ad.String()
		case unix.NFTA_RULE_HANDLE:
			r.Handle = ad.Uint64()
		case unix.NFTA_RULE_POSITION:
			r.Position = ad.Uint64()
		case unix.NFTA_RULE_EXPRESSIONS:
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				exprs, err := decodeExprs(nad)
				r.Exprs = exprs
				return err
			})
		case unix.NFTA_RULE_COMPAT:
			rc := &RuleCompat{}
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					switch nad.Type() {
					case unix.NFTA_RULE_COMPAT_PROTO:
						rc.Proto = nad.Uint32()
					case unix.NFTA_RULE_COMPAT_FLAGS:
						rc.Flags = nad.Uint32()
					}
				}
				return nil
			})
			r.Compat = rc
		case unix.NFTA_RULE_USERDATA:
			c, err := unmarshalComment(ad.Bytes())
			if err != nil {
				return err
			}
			r.Comment = c
			r.Owner = unmarshalOwner(ad.Bytes())
		}
	}
	return ad.Err()
}

// marshalComment writes the libnftnl udata TLV list nft uses for a rule
// comment: type NFTNL_UDATA_RULE_COMMENT (u8), length (u8, counting the
// NUL), the string and a NUL. nft itself stops at NFTNL_UDATA_COMMENT_MAXLEN
// (128); the kernel does not care, and the length byte allows 254.
func marshalComment(s string) ([]byte, error) {
	if len(s) > 254 || strings.IndexByte(s, 0) >= 0 {
		return nil, errBadComment
	}
	b := make([]byte, 0, len(s)+3)
	b = append(b, nftUdataRuleComment, byte(len(s)+1))
	b = append(b, s...)
	return append(b, 0), nil
}

// marshalUserdata is marshalComment's TLV (when comment is not empty)
// followed by the owner's (type nftUdataRuleOwner, the bytes without a
// NUL), when owner is not empty. The kernel keeps at most
// NFT_USERDATA_MAXLEN (256) bytes.
func marshalUserdata(comment, owner string) ([]byte, error) {
	var b []byte
	if comment != "" {
		c, err := marshalComment(comment)
		if err != nil {
			return nil, err
		}
		b = c
	}
	if owner != "" {
		if len(owner) > 255 || len(b)+2+len(owner) > nftUserdataMaxlen {
			return nil, errBadComment
		}
		b = append(b, nftUdataRuleOwner, byte(len(owner)))
		b = append(b, owner...)
	}
	return b, nil
}

// unmarshalOwner finds the owner TLV in rule user data ("" if none or
// if the list is malformed, which unmarshalComment reports).
func unmarshalOwner(b []byte) string {
	var o string
	for len(b) >= 2 && int(b[1]) <= len(b)-2 {
		typ, val := b[0], b[2:2+int(b[1])]
		b = b[2+int(b[1]):]
		if typ == nftUdataRuleOwner {
			o = string(val)
		}
	}
	return o
}

// unmarshalComment finds the comment TLV in rule user data. Other TLVs are
// skipped; a truncated list or an unterminated comment is an error.
func unmarshalComment(b []byte) (string, error) {
	var c string
	for len(b) > 0 {
		if len(b) < 2 || int(b[1]) > len(b)-2 {
			return "", errBadComment
		}
		typ, val := b[0], b[2:2+int(b[1])]
		b = b[2+int(b[1]):]
		if typ != nftUdataRuleComment {
			continue
		}
		i := strings.IndexByte(string(val), 0)
		if i < 0 {
			return "", errBadComment
		}
		c = string(val[:i])
	}
	return c, nil
}
