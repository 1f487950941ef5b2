package golden

import (
	"bytes"
	"encoding"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// update is the -update test flag. The flag package needs a package-level
// variable; it is set once by flag.Parse and only read afterwards.
var update = flag.Bool("update", false, "rewrite golden files in testdata/ with what the code produces now (review with git diff)")

// Update reports whether the test binary runs with -update: tests that
// record goldens from the kernel use it to decide whether to record.
func Update() bool { return *update }

// Parse reads the golden format: hex digits with any spacing, '#' starts a
// comment that runs to the end of the line.
func Parse(text []byte) ([]byte, error) {
	var digits strings.Builder
	for line := range strings.Lines(string(text)) {
		line, _, _ = strings.Cut(line, "#")
		for _, f := range strings.Fields(line) {
			digits.WriteString(f)
		}
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	return b, nil
}

// Format renders b as golden text: every line of comment prefixed with
// "# ", then b, 4 bytes per line ("0a 00 01 00").
func Format(comment string, b []byte) []byte {
	var out bytes.Buffer
	for line := range strings.Lines(comment) {
		out.WriteString(strings.TrimRight("# "+strings.TrimSuffix(line, "\n"), " "))
		out.WriteByte('\n')
	}
	for _, l := range lines(b) {
		out.WriteString(l)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// lines splits b into Format's lines of 4 bytes.
func lines(b []byte) []string {
	var out []string
	for chunk := range slices.Chunk(b, 4) {
		s := make([]string, len(chunk))
		for i, c := range chunk {
			s[i] = fmt.Sprintf("%02x", c)
		}
		out = append(out, strings.Join(s, " "))
	}
	return out
}

// comment returns the comment lines at the top of golden text, without
// their "#" and the space after it, joined by newlines.
func comment(text []byte) string {
	var out []string
	for line := range strings.Lines(string(text)) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "#") {
			break
		}
		out = append(out, strings.TrimPrefix(strings.TrimPrefix(line, "#"), " "))
	}
	return strings.Join(out, "\n")
}

// Read returns the bytes of the golden file at path; a missing or
// malformed file fails tb.
func Read(tb testing.TB, path string) []byte {
	tb.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := Parse(text)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return b
}

// Check compares got with the golden file at path and fails tb with a
// line-by-line hex diff when they differ. With -update it writes got to
// path instead, under comment (what produced the bytes), unless the file
// already holds these bytes under this comment.
func Check(tb testing.TB, path, comment string, got []byte) {
	tb.Helper()
	if *update {
		if err := write(path, comment, got); err != nil {
			tb.Fatal(err)
		}
		return
	}
	if d := Diff(got, Read(tb, path)); d != "" {
		tb.Errorf("%s differs from what the code produces (go test -run '%s' -update rewrites it; review with git diff):\n%s", path, tb.Name(), d)
	}
}

// write is Check's -update: it leaves a file that already has the bytes
// and the comment alone, so that only real changes show in git diff.
func write(path, note string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil {
		if prev, err := Parse(old); err == nil && bytes.Equal(prev, b) &&
			comment(old) == comment(Format(note, nil)) {
			return nil
		}
	}
	return os.WriteFile(path, Format(note, b), 0o644)
}

// Diff returns "" when got and want are equal, and otherwise both side by
// side, 4 bytes per line, with '!' marking the lines that differ and the
// byte offset of each line.
func Diff(got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	g, w := lines(got), lines(want)
	var s strings.Builder
	fmt.Fprintf(&s, "got %d bytes, want %d\n", len(got), len(want))
	for i := range max(len(g), len(w)) {
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
		fmt.Fprintf(&s, "%s %04x  got %-11s  want %s\n", mark, 4*i, gl, wl)
	}
	return s.String()
}

// A File is one golden file read by Glob.
type File struct {
	Path  string
	Bytes []byte
}

// Glob reads every golden file that matches one of the patterns, in
// pattern order and by path within a pattern: seeds for fuzz targets and
// inputs of decoder tests. A pattern that matches nothing fails tb, since
// it is a typo or a lost file, and a fuzz target would quietly lose its
// seeds.
func Glob(tb testing.TB, patterns ...string) []File {
	tb.Helper()
	var out []File
	for _, p := range patterns {
		paths, err := filepath.Glob(p)
		if err != nil {
			tb.Fatal(err)
		}
		if len(paths) == 0 {
			tb.Fatalf("no golden file matches %s", p)
		}
		for _, path := range paths { // sorted by filepath.Glob
			out = append(out, File{Path: path, Bytes: Read(tb, path)})
		}
	}
	return out
}

// Codec is a message type whose pointer encodes and decodes itself.
type Codec[T any] interface {
	*T
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// FuzzRoundTrip seeds f with the golden files matching patterns and fuzzes
// the property every decoder must have (STYLE R11): whatever decodes must
// encode, and decode again to the same value (reflect.DeepEqual).
func FuzzRoundTrip[T any, P Codec[T]](f *testing.F, patterns ...string) {
	for _, g := range Glob(f, patterns...) {
		f.Add(g.Bytes)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v1, v2 T
		if P(&v1).UnmarshalBinary(b) != nil {
			return
		}
		b2, err := P(&v1).MarshalBinary()
		if err != nil {
			t.Fatalf("decoded %T does not encode: %v\n%+v", v1, err, v1)
		}
		if err := P(&v2).UnmarshalBinary(b2); err != nil || !reflect.DeepEqual(v1, v2) {
			t.Fatalf("round trip changed the %T: %v\n%+v\n%+v", v1, err, v1, v2)
		}
	})
}
