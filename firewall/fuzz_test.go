package firewall

import (
	"strings"
	"testing"
)

// FuzzParseNAT: text that parses has a canonical form that parses to the
// same rule, and is its own canonical form (what del and idempotent add
// rely on: the comment is found again).
func FuzzParseNAT(f *testing.F) {
	for _, fm := range readForms(f) {
		f.Add(fm.words)
	}
	f.Add("masquerade 192.168.15.7/24")
	f.Add("forward tcp 80 [::ffff:1.2.3.4]:80")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseNAT(strings.Fields(s))
		if err != nil {
			return
		}
		text := r.String()
		r2, err := ParseNAT(strings.Fields(text))
		if err != nil {
			t.Fatalf("canonical text %q of %q does not parse: %v", text, s, err)
		}
		if r2.String() != text {
			t.Fatalf("canonical text not stable: %q -> %q", text, r2.String())
		}
		for _, kr := range r.rules() {
			if _, err := kr.MarshalBinary(); err != nil {
				t.Fatalf("%q: rule does not encode: %v", text, err)
			}
		}
	})
}
