package golden

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       []byte
	}{
		{"spaced", "# first line\n01 02 03 04\n0a 0b # comment\n", []byte{1, 2, 3, 4, 10, 11}},
		{"packed", "# x\n01020304\n0a0b\n", []byte{1, 2, 3, 4, 10, 11}},
		{"comments only", "# nothing\n#\n", []byte{}},
		{"no final newline", "ff", []byte{0xff}},
		{"digits in comment ignored", "# 0102\n03", []byte{3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.text))
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Errorf("Parse(%q) = %x, %v; want %x", tt.text, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"0", "0g", "01 0", "zz"} {
		if b, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) = %x, want an error", bad, b)
		}
	}
}

func TestFormat(t *testing.T) {
	got := string(Format("made by a test\nsecond line", []byte{1, 2, 3, 4, 5, 0xab}))
	want := "# made by a test\n# second line\n01 02 03 04\n05 ab\n"
	if got != want {
		t.Fatalf("Format:\n%s\nwant:\n%s", got, want)
	}
	for _, b := range [][]byte{{}, {0}, {1, 2, 3, 4}, bytes.Repeat([]byte{0xfe}, 13)} {
		text := Format("c", b)
		back, err := Parse(text)
		if err != nil || !bytes.Equal(back, b) {
			t.Errorf("Format(%x) parses back as %x, %v", b, back, err)
		}
		if c := comment(text); c != "c" {
			t.Errorf("comment of Format(%q) = %q", "c", c)
		}
	}
}

func TestDiff(t *testing.T) {
	if d := Diff([]byte{1, 2, 3, 4, 5}, []byte{1, 2, 3, 4, 5}); d != "" {
		t.Errorf("equal inputs: %q", d)
	}
	d := Diff([]byte{1, 2, 3, 4, 5, 6}, []byte{1, 2, 3, 4, 5, 7, 8, 9, 10})
	want := "got 6 bytes, want 9\n" +
		"  0000  got 01 02 03 04  want 01 02 03 04\n" +
		"! 0004  got 05 06        want 05 07 08 09\n" +
		"! 0008  got              want 0a\n"
	if d != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", d, want)
	}
	if Diff(nil, []byte{}) != "" {
		t.Error("nil and empty differ")
	}
}

// recorder is a testing.TB that records failures instead of stopping the
// test, so that Check's failure path can be tested.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.hex")
	if err := os.WriteFile(path, []byte("# test\n01 02 03 04\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	Check(r, path, "test", []byte{1, 2, 3, 4})
	if len(r.errors) != 0 {
		t.Errorf("equal bytes reported: %v", r.errors)
	}
	Check(r, path, "test", []byte{1, 2, 3, 5})
	if len(r.errors) != 1 {
		t.Errorf("different bytes reported %d times, want 1", len(r.errors))
	}
}

func TestWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.hex")
	packed := "# note\n01020304\n" // same bytes and comment as Format would write, other spacing
	for _, tt := range []struct {
		name, note string
		b          []byte
		want       string
	}{
		{"new file", "note", []byte{1, 2, 3, 4}, "# note\n01 02 03 04\n"},
		{"same bytes and comment left alone", "note", []byte{1, 2, 3, 4}, packed},
		{"other bytes rewritten", "note", []byte{1, 2, 3, 5}, "# note\n01 02 03 05\n"},
		{"other comment rewritten", "new note", []byte{1, 2, 3, 4}, "# new note\n01 02 03 04\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "new file" {
				if err := os.WriteFile(path, []byte(packed), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := write(path, tt.note, tt.b); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("file is\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"b_1.hex": "# b\n02", "a_1.hex": "# a\n01", "a_2.hex": "# a\n0102"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, f := range Glob(t, filepath.Join(dir, "b_*.hex"), filepath.Join(dir, "a_*.hex")) {
		got = append(got, filepath.Base(f.Path)+"="+string(Format("", f.Bytes)))
	}
	if s := strings.Join(got, " "); s != "b_1.hex=02\n a_1.hex=01\n a_2.hex=01 02\n" {
		t.Errorf("Glob read %q", s)
	}
}

// pair is a two-byte codec for FuzzRoundTripPair.
type pair struct{ A, B byte }

func (p *pair) MarshalBinary() ([]byte, error) { return []byte{p.A, p.B}, nil }

func (p *pair) UnmarshalBinary(b []byte) error {
	if len(b) != 2 {
		return fmt.Errorf("pair: %d bytes, want 2", len(b))
	}
	p.A, p.B = b[0], b[1]
	return nil
}

// FuzzRoundTripPair runs FuzzRoundTrip on a codec that keeps its
// property, seeded from testdata/pair_*.hex.
func FuzzRoundTripPair(f *testing.F) {
	FuzzRoundTrip[pair](f, "testdata/pair_*.hex")
}
