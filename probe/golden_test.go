package probe

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// readHex reads a golden file: hex bytes, any spacing, '#' starts a comment.
func readHex(tb testing.TB, path string) []byte {
	tb.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var digits strings.Builder
	for line := range strings.Lines(string(text)) {
		line, _, _ = strings.Cut(line, "#")
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return b
}

// formatHex is b as golden text: the comment, then 4 bytes per line.
func formatHex(comment string, b []byte) []byte {
	var out bytes.Buffer
	for line := range strings.Lines(comment) {
		fmt.Fprintf(&out, "# %s", line)
	}
	out.WriteString("\n")
	for i := 0; i < len(b); i += 4 {
		out.WriteString(hex.EncodeToString(b[i:min(i+4, len(b))]))
		out.WriteString("\n")
	}
	return out.Bytes()
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
// A mismatch is reported line by line (4 bytes per line).
func checkGolden(t *testing.T, name, comment string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, formatHex(comment, got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readHex(t, path)
	if bytes.Equal(got, want) {
		return
	}
	var diff strings.Builder
	for i := 0; i < max(len(got), len(want)); i += 4 {
		g, w := hex.EncodeToString(got[min(i, len(got)):min(i+4, len(got))]), hex.EncodeToString(want[min(i, len(want)):min(i+4, len(want))])
		mark := " "
		if g != w {
			mark = "!"
		}
		fmt.Fprintf(&diff, "%s %04x got %-8s want %-8s\n", mark, i, g, w)
	}
	t.Errorf("%s differs (go test -run %s -update rewrites it):\n%s", path, t.Name(), diff.String())
}

// goldens returns the bytes of the golden files matching pattern.
func goldens(tb testing.TB, pattern string) [][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, p := range paths {
		out = append(out, readHex(tb, p))
	}
	return out
}
