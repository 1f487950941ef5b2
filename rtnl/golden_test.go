package rtnl

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the encoder's output")

// cmpOpts lets cmp.Diff compare netip values.
func cmpOpts() cmp.Options {
	return cmp.Options{
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	}
}

// parseHex reads the golden format: hex bytes, any spacing, '#' starts a
// comment that runs to the end of the line.
func parseHex(text string) ([]byte, error) {
	var digits strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	return hex.DecodeString(digits.String())
}

// formatHex writes b 4 bytes per line under a first comment line.
func formatHex(comment string, b []byte) string {
	var s strings.Builder
	fmt.Fprintf(&s, "# %s\n", comment)
	for i := 0; i < len(b); i += 4 {
		chunk := b[i:min(i+4, len(b))]
		parts := make([]string, len(chunk))
		for j, c := range chunk {
			parts[j] = fmt.Sprintf("%02x", c)
		}
		s.WriteString(strings.Join(parts, " ") + "\n")
	}
	return s.String()
}

func readHex(t testing.TB, path string) []byte {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseHex(string(text))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// checkGolden compares got with the golden file, or rewrites it with
// -update. A mismatch prints a line-by-line diff, 4 bytes per line.
func checkGolden(t *testing.T, path, comment string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(formatHex(comment, got)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readHex(t, path)
	if !bytes.Equal(got, want) {
		t.Errorf("%s: encoder output differs from golden (run with -update after review):\n%s",
			path, lineDiff(formatHex("want", want), formatHex("got", got)))
	}
}

// lineDiff marks the lines that differ between two hex dumps.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n")[1:], strings.Split(got, "\n")[1:]
	var s strings.Builder
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		mark := " "
		if a != b {
			mark = "!"
		}
		fmt.Fprintf(&s, "%s %04x  want %-11s  got %s\n", mark, i*4, a, b)
	}
	return s.String()
}

// goldenFiles returns the payloads of every file matching the patterns,
// to seed fuzz targets and decoder tests.
func goldenFiles(t testing.TB, patterns ...string) map[string][]byte {
	t.Helper()
	out := make(map[string][]byte)
	for _, p := range patterns {
		paths, err := filepath.Glob(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			out[path] = readHex(t, path)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no files match %v", patterns)
	}
	return out
}

func TestParseHex(t *testing.T) {
	b, err := parseHex("# first line\n01 02 03 04\n0a0b # comment\n")
	if err != nil || !bytes.Equal(b, []byte{1, 2, 3, 4, 10, 11}) {
		t.Fatalf("parseHex = %x, %v", b, err)
	}
	if _, err := parseHex("0"); err == nil {
		t.Fatal("odd digit count accepted")
	}
	round, err := parseHex(formatHex("x", []byte{1, 2, 3, 4, 5}))
	if err != nil || !bytes.Equal(round, []byte{1, 2, 3, 4, 5}) {
		t.Fatalf("formatHex does not parse back: %x, %v", round, err)
	}
}
