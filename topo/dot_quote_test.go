package topo

import "testing"

// TestDotID: a DOT string escapes each double quote, as before
// strings.ReplaceAll replaced a strings.Replacer here.
func TestDotID(t *testing.T) {
	for in, want := range map[string]string{
		``:        `""`,
		`ns:blue`: `"ns:blue"`,
		`a"b""c"`: `"a\"b\"\"c\""`,
		`back\sl`: `"back\sl"`,
		`ünï "x"`: `"ünï \"x\""`,
	} {
		if got := dotID(in); got != want {
			t.Errorf("dotID(%q) = %s, want %s", in, got, want)
		}
	}
}
