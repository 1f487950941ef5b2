package nft

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite nsnet's own golden files in testdata/")

// readHex reads a golden file: hex, any spacing, `#` starts a comment.
func readHex(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	sc := bufio.NewScanner(bytes.NewReader(f))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.ReplaceAll(strings.TrimSpace(line), " ", "")
		if line == "" {
			continue
		}
		v, err := hex.DecodeString(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b = append(b, v...)
	}
	return b
}

// hexLines renders b four bytes per line.
func hexLines(b []byte) []string {
	var lines []string
	for i := 0; i < len(b); i += 4 {
		lines = append(lines, hex.EncodeToString(b[i:min(i+4, len(b))]))
	}
	return lines
}

// diffHex fails t with a line-by-line hex diff when got != want.
func diffHex(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	g, w := hexLines(got), hexLines(want)
	var sb strings.Builder
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		mark := " "
		if gl != wl {
			mark = "!"
		}
		fmt.Fprintf(&sb, "%s %4d: got %-8s want %-8s\n", mark, 4*i, gl, wl)
	}
	t.Errorf("%s: bytes differ (%d vs %d bytes):\n%s", what, len(got), len(want), sb.String())
}

// checkGolden compares got with testdata/name, or rewrites the file (with
// header as its first comment line) under -update.
func checkGolden(t testing.TB, name, header string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var sb strings.Builder
		sb.WriteString("# " + header + "\n")
		for _, l := range hexLines(got) {
			sb.WriteString(l + "\n")
		}
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	diffHex(t, path, got, readHex(t, path))
}

// goldenBodies returns the bytes of every testdata file matching pattern:
// fuzz seeds.
func goldenBodies(t testing.TB, pattern string) [][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, p := range paths {
		out = append(out, readHex(t, p))
	}
	return out
}

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
func (f form) rule(t testing.TB) Rule {
	t.Helper()
	for _, r := range mustParseNAT(t, f.words).rules() {
		if r.Chain == f.chain {
			return r
		}
	}
	t.Fatalf("%s: %q has no rule in chain %s", f.name, f.words, f.chain)
	return Rule{}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func removeFile(p string) error { return os.Remove(p) }

// containsName reports whether a table or chain dump body belongs to table
// name (its NFTA_*_TABLE or NFTA_TABLE_NAME is the first attribute).
func containsName(body []byte, name string) bool {
	var t Table
	if t.UnmarshalBinary(body) == nil && t.Name == name {
		return true
	}
	var ch Chain
	return ch.UnmarshalBinary(body) == nil && ch.Table == name
}
