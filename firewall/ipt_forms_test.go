package firewall

import (
	"os"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/golden"
	"github.com/nsnet/nsnet/nft"
)

// An iptForm is one line of testdata/ipt_forms.txt.
type iptForm struct {
	name, setup, rule, saved string
}

func readIPTForms(t testing.TB) []iptForm {
	t.Helper()
	b, err := os.ReadFile("testdata/ipt_forms.txt")
	if err != nil {
		t.Fatal(err)
	}
	var fs []iptForm
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		p := strings.Split(line, "|")
		if len(p) != 4 {
			t.Fatalf("ipt_forms.txt: bad line %q", line)
		}
		fs = append(fs, iptForm{strings.TrimSpace(p[0]), strings.TrimSpace(p[1]), strings.TrimSpace(p[2]), strings.TrimSpace(p[3])})
	}
	return fs
}

// shWords splits a command line as iptables-restore does: double quotes,
// with \ escapes inside them.
func shWords(s string) []string {
	var out []string
	var cur strings.Builder
	in, any := false, false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case in && c == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
		case c == '"':
			in, any = !in, true
		case c == ' ' && !in:
			if any {
				out = append(out, cur.String())
			}
			cur.Reset()
			any = false
		default:
			cur.WriteRune(c)
			any = true
		}
	}
	if any {
		out = append(out, cur.String())
	}
	return out
}

// table, chain and rule words of a form's command line.
func (f iptForm) split(t testing.TB) (table, chain string, words []string) {
	w := shWords(f.rule)
	table = "filter"
	if w[0] == "-t" {
		table, w = w[1], w[2:]
	}
	if w[0] != "-A" {
		t.Fatalf("%s: not an -A line", f.name)
	}
	return table, w[1], w[2:]
}

// TestIPTRuleBytesMatchIPTables: for every rule form, the NFT_MSG_NEWRULE
// body nsnet builds is byte for byte the one iptables-nft 1.8.9 sent
// (testdata/ipt/*.hex), and Spec prints what iptables-nft -S prints.
func TestIPTRuleBytesMatchIPTables(t *testing.T) {
	for _, f := range readIPTForms(t) {
		t.Run(f.name, func(t *testing.T) {
			table, chain, words := f.split(t)
			r, err := ParseIPTRule(words, false)
			if err != nil {
				t.Fatalf("ParseIPTRule(%q): %v", words, err)
			}
			exprs, compat := r.Exprs(false)
			kr := nft.Rule{Family: nft.FamilyIPv4, Table: table, Chain: chain, Exprs: exprs, Compat: compat}
			got, err := kr.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if d := golden.Diff(got, golden.Read(t, "testdata/ipt/"+f.name+".hex")); d != "" {
				t.Errorf("%s: not the bytes iptables-nft sends:\n%s", f.rule, d)
			}
			if s := "-A " + chain + " " + r.Spec(); s != f.saved {
				t.Errorf("Spec:\n got %s\nwant %s", s, f.saved)
			}
			// What the kernel would dump decodes back to the same rule.
			back, _, _, ok := ParseIPTExprs(exprs, false)
			if !ok {
				t.Fatalf("ParseIPTExprs does not read its own encoding")
			}
			if s := back.Spec(); s != r.Spec() {
				t.Errorf("decoded rule prints %q, want %q", s, r.Spec())
			}
			// The printed line parses to the same encoding (-S | restore).
			_, _, w2 := iptForm{rule: f.saved}.split(t)
			r2, err := ParseIPTRule(w2, false)
			if err != nil {
				t.Fatalf("the -S line does not parse: %v", err)
			}
			if e2, _ := r2.Exprs(false); !sameIPTExprs(e2, exprs) {
				t.Errorf("the -S line encodes differently")
			}
		})
	}
}
