package nft

import (
	"reflect"
	"testing"

	"github.com/nsnet/nsnet/internal/golden"
)

// Every decoder has a fuzz target whose property is the round trip:
// whatever decodes must encode, and decode again to the same value.
// Seeds are the goldens, nft's captures and recorded kernel dumps.

func FuzzTableUnmarshal(f *testing.F) {
	golden.FuzzRoundTrip[Table](f, "testdata/table_*.hex", "testdata/nft_table_*.hex", "testdata/dump_table*.hex")
}
func FuzzChainUnmarshal(f *testing.F) {
	golden.FuzzRoundTrip[Chain](f, "testdata/chain_*.hex", "testdata/nft_chain_*.hex", "testdata/dump_chain*.hex")
}
func FuzzRuleUnmarshal(f *testing.F) {
	golden.FuzzRoundTrip[Rule](f, "testdata/rule_*.hex", "testdata/nft_*_*.hex", "testdata/dump_rule*.hex", "testdata/ipt_*.hex")
}

// fuzzExpr fuzzes the NFTA_EXPR_DATA decoder of one expression type.
func fuzzExpr[T any, P interface {
	*T
	Expr
}](f *testing.F) {
	name := P(new(T)).exprName()
	for _, g := range golden.Glob(f, "testdata/expr_"+name+"*.hex") {
		f.Add(g.Bytes)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var e1, e2 T
		if P(&e1).unmarshalData(b) != nil {
			return
		}
		b2, err := P(&e1).marshalData()
		if err != nil {
			t.Fatalf("decoded %s does not encode: %v", name, err)
		}
		if err := P(&e2).unmarshalData(b2); err != nil || !reflect.DeepEqual(e1, e2) {
			t.Fatalf("round trip changed the %s: %v\n%+v\n%+v", name, err, e1, e2)
		}
	})
}

func FuzzMetaUnmarshal(f *testing.F)      { fuzzExpr[Meta](f) }
func FuzzPayloadUnmarshal(f *testing.F)   { fuzzExpr[Payload](f) }
func FuzzCmpUnmarshal(f *testing.F)       { fuzzExpr[Cmp](f) }
func FuzzBitwiseUnmarshal(f *testing.F)   { fuzzExpr[Bitwise](f) }
func FuzzImmediateUnmarshal(f *testing.F) { fuzzExpr[Immediate](f) }
func FuzzNatUnmarshal(f *testing.F)       { fuzzExpr[Nat](f) }
func FuzzMasqUnmarshal(f *testing.F)      { fuzzExpr[Masq](f) }
func FuzzCounterUnmarshal(f *testing.F)   { fuzzExpr[Counter](f) }
func FuzzCtUnmarshal(f *testing.F)        { fuzzExpr[Ct](f) }
func FuzzFibUnmarshal(f *testing.F)       { fuzzExpr[Fib](f) }
func FuzzMatchUnmarshal(f *testing.F)     { fuzzExpr[Match](f) }
func FuzzTargetUnmarshal(f *testing.F)    { fuzzExpr[Target](f) }
func FuzzRangeUnmarshal(f *testing.F)     { fuzzExpr[Range](f) }

// FuzzCommentUnmarshal: rule user data that decodes re-encodes to user
// data with the same comment.
func FuzzCommentUnmarshal(f *testing.F) {
	f.Add([]byte{0, 2, 'x', 0})
	f.Add([]byte{1, 4, 0, 0, 0, 1, 0, 3, 'h', 'i', 0})
	f.Add([]byte{0, 2, 'x', 0, nftUdataRuleOwner, 2, 'a', 'b'})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := unmarshalComment(b)
		if err != nil || c == "" {
			return
		}
		b2, err := marshalComment(c)
		if err != nil {
			t.Fatalf("decoded comment %q does not encode: %v", c, err)
		}
		if c2, err := unmarshalComment(b2); err != nil || c2 != c {
			t.Fatalf("round trip changed comment %q to %q (%v)", c, c2, err)
		}
		o := unmarshalOwner(b)
		b3, err := marshalUserdata(c, o)
		if err != nil {
			return // too long together, which the encoder refuses
		}
		if c3, err := unmarshalComment(b3); err != nil || c3 != c || unmarshalOwner(b3) != o {
			t.Fatalf("round trip changed comment %q, owner %q to %q, %q (%v)", c, o, c3, unmarshalOwner(b3), err)
		}
	})
}
