package firewall

import (
	"reflect"
	"testing"

	"github.com/nsnet/nsnet/internal/golden"
	"github.com/nsnet/nsnet/nft"
)

// FuzzParseIPTRule: rule words that parse print (Spec) words that parse
// to the same encoding and print the same again: what -S | restore and
// -C/-D by specification rely on.
func FuzzParseIPTRule(f *testing.F) {
	for _, fm := range readIPTForms(f) {
		_, _, w := fm.split(f)
		f.Add(joinNUL(w))
	}
	f.Add(joinNUL([]string{"!", "-p", "udp", "-j", "LOG", "--log-level", "7"}))
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseIPTRule(splitNUL(s), false)
		if err != nil {
			return
		}
		spec := r.Spec()
		r2, err := ParseIPTRule(shWords(spec), false)
		if err != nil {
			t.Fatalf("Spec %q of %q does not parse: %v", spec, s, err)
		}
		e1, c1 := r.Exprs(false)
		e2, c2 := r2.Exprs(false)
		if !sameIPTExprs(e1, e2) || !reflect.DeepEqual(c1, c2) {
			t.Fatalf("%q and its Spec %q encode differently", s, spec)
		}
		if s2 := r2.Spec(); s2 != spec {
			t.Fatalf("Spec not stable: %q -> %q", spec, s2)
		}
	})
}

// FuzzParseIPTExprs: a kernel rule that reads as an iptables rule
// encodes back to the same expressions (counter values aside).
func FuzzParseIPTExprs(f *testing.F) {
	for _, g := range golden.Glob(f, "testdata/ipt/*.hex") {
		f.Add(g.Bytes)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var kr nft.Rule
		if kr.UnmarshalBinary(b) != nil {
			return
		}
		r, _, _, ok := ParseIPTExprs(kr.Exprs, kr.Family == nft.FamilyIPv6)
		if !ok {
			return
		}
		e, _ := r.Exprs(kr.Family == nft.FamilyIPv6)
		if !sameIPTExprs(e, kr.Exprs) {
			t.Fatalf("rule %q re-encodes differently:\n%#v\n%#v", r.Spec(), e, kr.Exprs)
		}
	})
}

func joinNUL(w []string) string {
	s := ""
	for i, x := range w {
		if i > 0 {
			s += "\x00"
		}
		s += x
	}
	return s
}

func splitNUL(s string) []string {
	var out []string
	cur := ""
	for _, c := range s {
		if c == 0 {
			out = append(out, cur)
			cur = ""
			continue
		}
		cur += string(c)
	}
	return append(out, cur)
}
