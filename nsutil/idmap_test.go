package nsutil

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseIDMaps(t *testing.T) {
	got, err := ParseIDMaps("0:100000:65536,65536:0:1")
	want := []IDMap{{0, 100000, 65536}, {65536, 0, 1}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseIDMaps = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"", "0:1", "0:1:2:3", "a:1:1", "0:1:0", "-1:0:1", "4294967295:0:2",
		"0:4294967295:2", "0:10:5,4:20:5", "0:10:5,10:12:5", "0:1:1,", strings.Repeat("0:0:1,", 340) + "0:0:1"} {
		if _, err := ParseIDMaps(bad); err == nil {
			t.Errorf("ParseIDMaps(%.40q) = nil error", bad)
		}
	}
	if _, err := ParseIDMaps("4294967295:0:1"); err != nil {
		t.Errorf("the last id alone: %v", err)
	}
}

// FuzzParseIDMaps: whatever parses formats back to a string that parses
// to the same maps, and every range it accepts is one the kernel takes.
func FuzzParseIDMaps(f *testing.F) {
	for _, s := range []string{"0:100000:65536", "0:1000:1,1:100000:65536", "4294967295:0:1", "0:0:4294967296"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseIDMaps(s)
		if err != nil {
			return
		}
		m2, err := ParseIDMaps(FormatIDMaps(m))
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip of %q: %v, %v != %v", s, err, m, m2)
		}
		if len(m) == 0 || len(m) > maxIDMapLines {
			t.Fatalf("%q: %d ranges accepted", s, len(m))
		}
		for i, a := range m {
			if a.Count == 0 || uint64(a.Inside)+uint64(a.Count) > 1<<32 || uint64(a.Outside)+uint64(a.Count) > 1<<32 {
				t.Fatalf("%q: range %v accepted", s, a)
			}
			for _, b := range m[:i] {
				if overlap(a.Inside, a.Count, b.Inside, b.Count) || overlap(a.Outside, a.Count, b.Outside, b.Count) {
					t.Fatalf("%q: overlapping %v and %v accepted", s, a, b)
				}
			}
		}
	})
}
