package cni

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/internal/jsonlite"
)

// A DecodeError is JSON of the wrong shape: a value of the wrong type at
// Path, or a string that does not parse as what Path holds. It is the
// spec's code 6 (decoding failure).
type DecodeError struct {
	Path string // JSON path: "ipam.ranges[0][1].subnet"
	Msg  string // "want a string, have a number"
}

func (e *DecodeError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

func kindName(k jsonlite.Kind) string {
	switch k {
	case jsonlite.Null:
		return "null"
	case jsonlite.Bool:
		return "a boolean"
	case jsonlite.Number:
		return "a number"
	case jsonlite.String:
		return "a string"
	case jsonlite.Array:
		return "a list"
	case jsonlite.Object:
		return "an object"
	}
	return "nothing"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func mistyped(v *jsonlite.Value, path, want string) error {
	return &DecodeError{Path: path, Msg: "want " + want + ", have " + kindName(v.Kind)}
}

// object calls fn for every member of v, an object, in file order; null
// is an empty object, as encoding/json decodes it. A repeated key is
// seen twice, the last one winning as in encoding/json.
func object(v *jsonlite.Value, path string, fn func(key string, v *jsonlite.Value, path string) error) error {
	switch v.Kind {
	case jsonlite.Null:
		return nil
	case jsonlite.Object:
	default:
		return mistyped(v, path, "an object")
	}
	for i := range v.Members {
		m := &v.Members[i]
		if err := fn(m.Key, &m.Value, join(path, m.Key)); err != nil {
			return err
		}
	}
	return nil
}

// list calls fn for every element of v, a list; null is an empty list.
func list(v *jsonlite.Value, path string, fn func(i int, v *jsonlite.Value, path string) error) error {
	switch v.Kind {
	case jsonlite.Null:
		return nil
	case jsonlite.Array:
	default:
		return mistyped(v, path, "a list")
	}
	for i := range v.Elems {
		if err := fn(i, &v.Elems[i], index(path, i)); err != nil {
			return err
		}
	}
	return nil
}

func str(v *jsonlite.Value, path string, dst *string) error {
	switch v.Kind {
	case jsonlite.Null:
		return nil
	case jsonlite.String:
		*dst = v.Text
		return nil
	}
	return mistyped(v, path, "a string")
}

func boolean(v *jsonlite.Value, path string, dst *bool) error {
	switch v.Kind {
	case jsonlite.Null:
		return nil
	case jsonlite.Bool:
		*dst = v.Bool
		return nil
	}
	return mistyped(v, path, "true or false")
}

// integer reads a JSON integer into dst as encoding/json reads one into
// an int: no fraction, no exponent, within range.
func integer(v *jsonlite.Value, path string, dst *int) error {
	switch v.Kind {
	case jsonlite.Null:
		return nil
	case jsonlite.Number:
		n, err := strconv.ParseInt(v.Text, 10, 0)
		if err != nil {
			return &DecodeError{Path: path, Msg: "want an integer, have " + v.Text}
		}
		*dst = int(n)
		return nil
	}
	return mistyped(v, path, "an integer")
}

// optInteger is integer for a field whose absence matters (route table
// and scope).
func optInteger(v *jsonlite.Value, path string, dst **int) error {
	if v.Kind == jsonlite.Null {
		*dst = nil
		return nil
	}
	var n int
	if err := integer(v, path, &n); err != nil {
		return err
	}
	*dst = &n
	return nil
}

func stringList(v *jsonlite.Value, path string, dst *[]string) error {
	if v.Kind == jsonlite.Null {
		*dst = nil
		return nil
	}
	out := []string{}
	err := list(v, path, func(_ int, v *jsonlite.Value, path string) error {
		var s string
		if err := str(v, path, &s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	*dst = out
	return err
}

// ParseAddr reads an IP address as Go's net.ParseIP does (no zone, no
// brackets); an IPv4-mapped IPv6 address becomes IPv4, as net.IP.To4
// makes it in the reference plugins.
func ParseAddr(s string) (netip.Addr, error) {
	if strings.ContainsAny(s, "%[]") {
		return netip.Addr{}, &DecodeError{Msg: "invalid IP address " + strconv.Quote(s)}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, &DecodeError{Msg: "invalid IP address " + strconv.Quote(s)}
	}
	return a.Unmap(), nil
}

// ParseCIDR reads "ADDR/LEN" keeping the address's host bits, as the
// CNI types' IPNet does ("10.1.0.5/16" is an address in its subnet).
func ParseCIDR(s string) (netip.Prefix, error) {
	a, l, ok := strings.Cut(s, "/")
	if !ok || strings.ContainsAny(s, "%[]") {
		return netip.Prefix{}, &DecodeError{Msg: "invalid CIDR address " + strconv.Quote(s)}
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, &DecodeError{Msg: "invalid CIDR address " + strconv.Quote(s)}
	}
	if addr, _ := netip.ParseAddr(a); addr.Is4In6() {
		bits, _ := strconv.Atoi(l)
		if bits < 96 {
			return netip.Prefix{}, &DecodeError{Msg: "invalid CIDR address " + strconv.Quote(s)}
		}
		return netip.PrefixFrom(addr.Unmap(), bits-96), nil
	}
	return p, nil
}

func addrField(v *jsonlite.Value, path string, dst *netip.Addr) error {
	var s string
	if err := str(v, path, &s); err != nil || s == "" {
		return err
	}
	a, err := ParseAddr(s)
	if err != nil {
		return &DecodeError{Path: path, Msg: err.(*DecodeError).Msg}
	}
	*dst = a
	return nil
}

func cidrField(v *jsonlite.Value, path string, dst *netip.Prefix) error {
	var s string
	if err := str(v, path, &s); err != nil {
		return err
	}
	if s == "" && v.Kind == jsonlite.Null {
		return nil
	}
	p, err := ParseCIDR(s)
	if err != nil {
		return &DecodeError{Path: path, Msg: err.(*DecodeError).Msg}
	}
	*dst = p
	return nil
}

// appendAddr, appendCIDR, appendInt: small writers for results.
func appendStr(b []byte, key, s string) []byte {
	b = jsonlite.AppendKey(b, key)
	return jsonlite.AppendString(b, s)
}

func appendInt(b []byte, key string, n int) []byte {
	b = jsonlite.AppendKey(b, key)
	return strconv.AppendInt(b, int64(n), 10)
}

func appendStrings(b []byte, key string, s []string) []byte {
	b = jsonlite.AppendKey(b, key)
	return jsonlite.AppendArray(b, s, jsonlite.AppendString)
}

func quote(s string) string { return strconv.Quote(s) }

// Members calls fn for each member of the object v. Members, Elems and
// Str are the decoding helpers for packages that read parts of a
// configuration (cni/hostlocal reads the ipam object).
func Members(v *jsonlite.Value, path string, fn func(key string, v *jsonlite.Value, path string) error) error {
	return object(v, path, fn)
}

// Elems calls fn for each element of the list v (null is empty).
func Elems(v *jsonlite.Value, path string, fn func(v *jsonlite.Value, path string) error) error {
	return list(v, path, func(_ int, v *jsonlite.Value, path string) error { return fn(v, path) })
}

// Str reads a string (null leaves dst unchanged).
func Str(v *jsonlite.Value, path string, dst *string) error { return str(v, path, dst) }
