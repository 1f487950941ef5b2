package nft

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// An Expr is one nf_tables expression of a rule. Each kernel expression has
// its own type in its own file (expr_cmp.go, ...); the set is sealed and
// decoding is the one switch in newExpr. Registers are the kernel's
// numbers: 0 is the verdict register, 1..4 (unix.NFT_REG_1...) the 16-byte
// registers nft uses.
type Expr interface {
	exprName() string             // NFTA_EXPR_NAME
	marshalData() ([]byte, error) // NFTA_EXPR_DATA, without its header
	unmarshalData(b []byte) error // the inverse; resets the receiver
}

// Unknown keeps an expression this package does not model, so a decoded
// rule loses nothing.
type Unknown struct {
	Name string // NFTA_EXPR_NAME
	Data []byte // NFTA_EXPR_DATA, raw attributes
}

func (e *Unknown) exprName() string             { return e.Name }
func (e *Unknown) marshalData() ([]byte, error) { return e.Data, nil }
func (e *Unknown) unmarshalData(b []byte) error {
	e.Data = append([]byte(nil), b...)
	return nil
}

// A RawAttr is an attribute this package does not decode, kept verbatim
// (type with its NLA_F_NESTED/NLA_F_NET_BYTEORDER flags, and payload) so
// that a decoded expression re-encodes to what the kernel sent, as rtnl
// keeps unknown link attributes.
type RawAttr struct {
	Type uint16
	Data []byte
}

// rawAttr keeps the current attribute of ad.
func rawAttr(ad *netlink.AttributeDecoder) RawAttr {
	return RawAttr{Type: ad.Type() | ad.TypeFlags(), Data: bytesOrNil(ad.Bytes())}
}

// bytesOrNil maps an empty payload to nil, so that a decoded value and
// its re-encoding compare equal.
func bytesOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// encodeRaw writes attributes kept by rawAttr.
func encodeRaw(ae *netlink.AttributeEncoder, attrs []RawAttr) {
	for _, a := range attrs {
		ae.Bytes(a.Type, a.Data)
	}
}

// newExpr returns the zero expression for a kernel name.
func newExpr(name string) Expr {
	switch name {
	case "meta":
		return &Meta{}
	case "payload":
		return &Payload{}
	case "cmp":
		return &Cmp{}
	case "bitwise":
		return &Bitwise{}
	case "immediate":
		return &Immediate{}
	case "nat":
		return &Nat{}
	case "masq":
		return &Masq{}
	case "counter":
		return &Counter{}
	case "ct":
		return &Ct{}
	case "fib":
		return &Fib{}
	case "match":
		return &Match{}
	case "target":
		return &Target{}
	case "range":
		return &Range{}
	}
	return &Unknown{Name: name}
}

// newDecoder returns an attribute decoder for nf_tables values (big-endian).
func newDecoder(b []byte) (*netlink.AttributeDecoder, error) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return nil, err
	}
	ad.ByteOrder = binary.BigEndian
	return ad, nil
}

// newEncoder returns an attribute encoder for nf_tables values (big-endian).
func newEncoder() *netlink.AttributeEncoder {
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	return ae
}

// encodeExprs writes the elements of NFTA_RULE_EXPRESSIONS.
func encodeExprs(ae *netlink.AttributeEncoder, exprs []Expr) error {
	for _, e := range exprs {
		data, err := e.marshalData()
		if err != nil {
			return fmt.Errorf("expression %s: %w", e.exprName(), err)
		}
		ae.Nested(unix.NFTA_LIST_ELEM, func(nae *netlink.AttributeEncoder) error {
			nae.String(unix.NFTA_EXPR_NAME, e.exprName())
			nae.Do(unix.NFTA_EXPR_DATA|unix.NLA_F_NESTED, func() ([]byte, error) { return data, nil })
			return nil
		})
	}
	return nil
}

// decodeExprs reads the elements of NFTA_RULE_EXPRESSIONS.
func decodeExprs(ad *netlink.AttributeDecoder) ([]Expr, error) {
	var exprs []Expr
	for ad.Next() {
		if ad.Type() != unix.NFTA_LIST_ELEM {
			continue
		}
		var name string
		var data []byte
		ad.Nested(func(nad *netlink.AttributeDecoder) error {
			for nad.Next() {
				switch nad.Type() {
				case unix.NFTA_EXPR_NAME:
					name = nad.String()
				case unix.NFTA_EXPR_DATA:
					data = nad.Bytes()
				}
			}
			return nil
		})
		if ad.Err() != nil {
			break
		}
		if name == "" {
			return nil, errNoExprName
		}
		e := newExpr(name)
		if err := e.unmarshalData(data); err != nil {
			return nil, fmt.Errorf("expression %s: %w", name, err)
		}
		exprs = append(exprs, e)
	}
	return exprs, ad.Err()
}

// encodeData writes an NFTA_DATA_VALUE nest (struct nft_data) holding b.
func encodeData(ae *netlink.AttributeEncoder, typ uint16, b []byte) {
	ae.Nested(typ, func(nae *netlink.AttributeEncoder) error {
		if b != nil {
			nae.Bytes(unix.NFTA_DATA_VALUE, b)
		}
		return nil
	})
}

// decodeData reads the NFTA_DATA_VALUE of an nft_data nest.
func decodeData(ad *netlink.AttributeDecoder) []byte {
	var v []byte
	ad.Nested(func(nad *netlink.AttributeDecoder) error {
		for nad.Next() {
			if nad.Type() == unix.NFTA_DATA_VALUE {
				v = nad.Bytes()
			}
		}
		return nil
	})
	return v
}
