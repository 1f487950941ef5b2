package firewall

import (
	"github.com/nsnet/nsnet/nft"
	"net/netip"
	"os"
	"strings"
	"testing"
)

// A form is one line of testdata/forms.txt: a kernel rule of an nsnet NAT
// rule and the same rule as a person writes it for nft.
type form struct {
	name, words, chain, nft string
}

func readForms(t testing.TB) []form {
	t.Helper()
	b, err := os.ReadFile("testdata/forms.txt")
	if err != nil {
		t.Fatal(err)
	}
	var fs []form
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		p := strings.Split(line, "|")
		if len(p) != 4 {
			t.Fatalf("forms.txt: bad line %q", line)
		}
		fs = append(fs, form{strings.TrimSpace(p[0]), strings.TrimSpace(p[1]), strings.TrimSpace(p[2]), strings.TrimSpace(p[3])})
	}
	return fs
}

// rule returns the kernel rule of the form's NAT rule in the form's chain.
func (f form) rule(t testing.TB) nft.Rule {
	t.Helper()
	for _, r := range mustParseNAT(t, f.words).rules() {
		if r.Chain == f.chain {
			return r
		}
	}
	t.Fatalf("%s: %q has no rule in chain %s", f.name, f.words, f.chain)
	return nft.Rule{}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func removeFile(p string) error { return os.Remove(p) }

// containsName reports whether a table or chain dump body belongs to table
// name (its NFTA_*_TABLE or NFTA_TABLE_NAME is the first attribute).
func containsName(body []byte, name string) bool {
	var t nft.Table
	if t.UnmarshalBinary(body) == nil && t.Name == name {
		return true
	}
	var ch nft.Chain
	return ch.UnmarshalBinary(body) == nil && ch.Table == name
}
