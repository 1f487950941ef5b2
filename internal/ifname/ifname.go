package ifname

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MaxLen is the longest interface name the kernel accepts, in bytes:
// IFNAMSIZ (16) including the terminating NUL.
const MaxLen = 15

// ErrInvalid is matched by every error Check returns:
// errors.Is(err, ifname.ErrInvalid).
var ErrInvalid = errors.New("invalid interface name")

// invalidError is a refusal by Check. Its text is the reason alone: the
// caller says which argument the name was ("peer name", "oif").
type invalidError struct{ reason string }

func (e *invalidError) Error() string        { return e.reason }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func refuse(format string, args ...any) error {
	return &invalidError{reason: fmt.Sprintf(format, args...)}
}

// Check reports whether the kernel would create a link with exactly this
// name: it refuses what dev_valid_name() refuses (empty, longer than
// MaxLen bytes, "." or "..", '/', ':', a byte for which the kernel's
// isspace() is true: 0x09-0x0d, 0x20, 0xA0), a '%' (a template the kernel
// fills in, so the link would get another name) and a NUL byte (which
// ends the name for the kernel). The error names the offending character
// and wraps ErrInvalid; it does not repeat the name.
func Check(name string) error {
	switch {
	case name == "":
		return refuse("the name is empty: give it 1 to %d bytes", MaxLen)
	case len(name) > MaxLen:
		return refuse("name is %d bytes long and the kernel allows at most %d: shorten it", len(name), MaxLen)
	case name == "." || name == "..":
		return refuse("the kernel refuses %q as an interface name: choose a name other than . and ..", name)
	}
	for i := 0; i < len(name); i++ {
		switch b := name[i]; {
		case b == '/' || b == ':':
			return refuse("the kernel refuses '%c' in interface names: remove it", b)
		case b == '%':
			return refuse("the kernel takes '%%' in an interface name as a template and picks the name itself (br%%d becomes br0, br1, ...): remove it")
		case b == 0:
			return refuse("the name contains a NUL byte (byte %d), which ends it for the kernel: remove it", i+1)
		case b < utf8.RuneSelf && isSpace(b):
			return refuse("the kernel refuses white space in interface names, here %q (byte %d): remove it", rune(b), i+1)
		case isSpace(b): // 0xA0
			return refuse("the kernel refuses %s in interface names, because its isspace() counts byte 0xa0 as white space: remove it", charAt(name, i))
		}
	}
	return nil
}

// isSpace is the kernel's isspace() (lib/ctype.c, _S in the _ctype
// table), which differs from C's and Go's: 0xA0 counts, 0x85 does not.
func isSpace(b byte) bool { return b >= '\t' && b <= '\r' || b == ' ' || b == 0xa0 }

// charAt describes the character that holds byte i of s (a 0xA0 byte):
// U+00A0 itself, another UTF-8 character one of whose bytes it is, or a
// lone byte.
func charAt(s string, i int) string {
	for start := i; start >= 0 && start > i-utf8.UTFMax; start-- {
		r, n := utf8.DecodeRuneInString(s[start:])
		if r == utf8.RuneError || start+n <= i {
			continue
		}
		if r == '\u00a0' {
			return fmt.Sprintf("U+00A0 NO-BREAK SPACE (byte %d)", i+1)
		}
		return fmt.Sprintf("%q (U+%04X, whose UTF-8 encoding contains byte 0xa0)", r, r)
	}
	return fmt.Sprintf("byte 0xa0 (byte %d)", i+1)
}
