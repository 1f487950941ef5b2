package ifname_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/ifname"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
)

func TestMain(m *testing.M) { os.Exit(sandbox.Main(m)) }

// TestCheck: what is refused, and that the message names the offending
// character (issue 9 M3, L4, L6).
func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		name string
		want string // "" = accepted; else in the message
	}{
		{"veth-red", ""},
		{"eth0.100", ""},
		{strings.Repeat("x", 15), ""},
		{"é", ""},          // C3 A9
		{"em\u2003sp", ""}, // U+2003 EM SPACE: E2 80 83, no byte is isspace
		{"a\x85b", ""},     // NEL in Latin-1, not in the kernel's isspace
		{"a\x01b", ""},     // control bytes other than 9-13 pass dev_valid_name
		{"...", ""},
		{"", "empty"},
		{strings.Repeat("x", 16), "16 bytes long and the kernel allows at most 15"},
		{".", `"."`},
		{"..", "other than . and .."},
		{"a/b", "'/'"},
		{"a:b", "':'"},
		{"br%d", "'%'"},
		{"a%s", "'%'"},
		{"a b", `' '`},
		{"a\tb", `'\t'`},
		{"a\nb", `'\n'`},
		{"a\vb", `'\v'`},
		{"a\fb", `'\f'`},
		{"a\rb", `'\r'`},
		{"a\x00b", "NUL"},
		{"x\u00a0y", "U+00A0 NO-BREAK SPACE"},
		{"là", `'à' (U+00E0, whose UTF-8 encoding contains byte 0xa0)`},
		{"a\xa0", "byte 0xa0 (byte 2)"},
	} {
		err := ifname.Check(tt.name)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check(%q) = %v, want nil", tt.name, err)
		case tt.want != "" && err == nil:
			t.Errorf("Check(%q) = nil, want a refusal containing %q", tt.name, tt.want)
		case err != nil && !strings.Contains(err.Error(), tt.want):
			t.Errorf("Check(%q) = %q, want it to contain %q", tt.name, err, tt.want)
		case err != nil && !errors.Is(err, ifname.ErrInvalid):
			t.Errorf("Check(%q) = %v does not wrap ErrInvalid", tt.name, err)
		}
	}
}

// TestCheckAgreesWithKernel asks the kernel itself: a bridge named
// "t" + b + "x" for every byte b, and two-byte UTF-8 characters. Check
// must accept exactly the names the kernel creates under that very name,
// and refuse the ones it refuses (EINVAL) or renames ('%').
func TestCheckAgreesWithKernel(t *testing.T) {
	sandbox.Require(t)
	f, err := nsutil.NewAnonymous()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := rtnl.Dial(f)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var names []string
	for b := 1; b < 256; b++ {
		names = append(names, "t"+string([]byte{byte(b)})+"x")
	}
	for r := rune(0x80); r < 0x800; r += 0x1f { // lead bytes C2..DF, continuations 80..BF
		names = append(names, "u"+string(r))
	}
	names = append(names, "u\u00e0", "u\u00a0", "t%d", ".", "..", "", strings.Repeat("y", 15), strings.Repeat("y", 16))
	// The names are all different, so every link stays until the
	// namespace goes (deleting each would cost an RCU grace period).
	for _, name := range names {
		kernelOK := false
		err := c.LinkAdd(&rtnl.Link{Name: name, Info: &rtnl.Bridge{}})
		if err == nil {
			l, lerr := c.LinkByName(name)
			kernelOK = lerr == nil && l.Name == name
		}
		if got := ifname.Check(name) == nil; got != kernelOK {
			t.Errorf("Check(%q) accepts=%v, kernel creates it as is=%v (LinkAdd: %v)", name, got, kernelOK, err)
		}
	}
}

// kernelCtype is the kernel's _ctype table (lib/ctype.c), copied as data:
// Check is held to it rather than to a second copy of its own rule.
var kernelCtype = [256]byte{
	_C, _C, _C, _C, _C, _C, _C, _C,
	_C, _C | _S, _C | _S, _C | _S, _C | _S, _C | _S, _C, _C,
	_C, _C, _C, _C, _C, _C, _C, _C,
	_C, _C, _C, _C, _C, _C, _C, _C,
	_S | _SP, _P, _P, _P, _P, _P, _P, _P,
	_P, _P, _P, _P, _P, _P, _P, _P,
	_D, _D, _D, _D, _D, _D, _D, _D,
	_D, _D, _P, _P, _P, _P, _P, _P,
	_P, _U | _X, _U | _X, _U | _X, _U | _X, _U | _X, _U | _X, _U,
	_U, _U, _U, _U, _U, _U, _U, _U,
	_U, _U, _U, _U, _U, _U, _U, _U,
	_U, _U, _U, _P, _P, _P, _P, _P,
	_P, _L | _X, _L | _X, _L | _X, _L | _X, _L | _X, _L | _X, _L,
	_L, _L, _L, _L, _L, _L, _L, _L,
	_L, _L, _L, _L, _L, _L, _L, _L,
	_L, _L, _L, _P, _P, _P, _P, _C,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	_S | _SP, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P,
	_P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P, _P,
	_U, _U, _U, _U, _U, _U, _U, _U, _U, _U, _U, _U, _U, _U, _U, _U,
	_U, _U, _U, _U, _U, _U, _U, _P, _U, _U, _U, _U, _U, _U, _U, _L,
	_L, _L, _L, _L, _L, _L, _L, _L, _L, _L, _L, _L, _L, _L, _L, _L,
	_L, _L, _L, _L, _L, _L, _L, _P, _L, _L, _L, _L, _L, _L, _L, _L,
}

// The kernel's include/linux/ctype.h bits.
const (
	_U  = 0x01
	_L  = 0x02
	_D  = 0x04
	_C  = 0x08
	_P  = 0x10
	_S  = 0x20
	_X  = 0x40
	_SP = 0x80
)

// kernelTakes is dev_valid_name() plus __dev_alloc_name()'s '%' (any '%'
// is a template or EINVAL) on a Go string, whose NUL the kernel would
// take for its end.
func kernelTakes(s string) bool {
	if s == "" || len(s) >= 16 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '/' || c == ':' || c == '%' || c == 0 || kernelCtype[c]&_S != 0 {
			return false
		}
	}
	return true
}

// FuzzCheck: Check accepts exactly what the kernel takes as is, and every
// refusal is a non-empty reason that wraps ErrInvalid.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"veth-red", "br%d", "là", "x\u00a0y", "em\u2003sp", "..", "a:b", "a\x00b", "sixteen-bytes-xx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ifname.Check(s)
		if (err == nil) != kernelTakes(s) {
			t.Fatalf("Check(%q) = %v, kernel takes it: %v", s, err, kernelTakes(s))
		}
		if err != nil && (err.Error() == "" || !errors.Is(err, ifname.ErrInvalid)) {
			t.Fatalf("Check(%q) = %q", s, err)
		}
	})
}
