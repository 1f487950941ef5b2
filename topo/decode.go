package topo

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/internal/jsonlite"
)

// decode parses data into a Topology without validating it. It reads the
// file with a jsonlite.Scanner, one function per type of the file, in
// file order, and builds no tree: what it keeps is the typed values (and
// the texts that did not parse). An unknown field is refused at its key,
// before its value is read. Lines are not kept either: the messages of
// decode carry theirs, and Validate's are looked up again (fileLines).
//
// Its problems and their order are those of the encoding/json decoder it
// replaces (which streamed the file once to check its structure, then
// decoded it): first an unknown or repeated field, or a value where an
// object or a list belongs (or one of those where a string, a number or
// true/false belongs), whichever comes first in the file; then a syntax
// error, or data after the topology object; then the first string,
// number or boolean of the wrong type. A null leaves its field at the
// zero value; a file that is only null is refused.
//
// decode is where the file's texts become typed values, once: addresses,
// destinations and gateways become net/netip values, NAT rules nft's.
// A text that does not parse (an address without /LEN, a port out of
// range) is not an error here: the field stays zero and the text and the
// reason go in t.bad, so that Validate reports it, with its line, among
// every other problem of the file. Nothing after decode parses again
// (internal/archtest checks that topo calls netip's parsers only here).
func decode(name string, data []byte) (*Topology, error) {
	t := &Topology{source: name, bad: map[string]badValue{}}
	d := decoder{name: name, s: jsonlite.NewScanner(data), bad: t.bad}
	err := d.topology(t)
	if err == nil {
		err = d.s.End()
	}
	if se := (*jsonlite.SyntaxError)(nil); errors.As(err, &se) {
		switch {
		case se.EOF:
			return nil, invalid(name, se.Line, "invalid JSON: unexpected end of file")
		case se.Trailing:
			return nil, invalid(name, se.Line, "unexpected data after the topology object")
		}
		return nil, invalid(name, se.Line, "invalid JSON: %s", se.Msg)
	}
	if err != nil {
		return nil, err
	}
	if d.mistyped != nil {
		return nil, d.mistyped
	}
	return t, nil
}

// The fields of each object of the file, sorted, as the message about an
// unknown field lists them.
var (
	topologyFields   = []string{"bridges", "host", "namespaces", "nat", "veths"}
	hostFields       = []string{"forwarding", "routes"}
	namespaceFields  = []string{"forwarding", "name", "routes"}
	routeFields      = []string{"dev", "metric", "to", "via"}
	bridgeFields     = []string{"addresses", "mtu", "name"}
	vethFields       = []string{"addresses", "bridge", "name", "netns", "peer"}
	endFields        = []string{"addresses", "bridge", "name", "netns"}
	natFields        = []string{"forward", "masquerade"}
	masqueradeFields = []string{"oif", "src"}
	forwardFields    = []string{"iif", "port", "proto", "to"}
)

// decoder holds what decode learns on its walk. Each function reads the
// next value of the file, with its path (the JSON path of messages,
// "veths[0].addresses[1]") and its field (the path without list indices
// that messages about a wrong type use, "veths.End.addresses": End is
// embedded in Veth, and encoding/json named it so).
type decoder struct {
	name     string
	s        *jsonlite.Scanner
	bad      map[string]badValue // texts that do not parse into their type
	mistyped error               // the first string, number or boolean of the wrong type
}

func (d *decoder) topology(t *Topology) error {
	// A file that is null is no topology (encoding/json would decode it
	// as an empty one, and up would do nothing and say so with exit 0).
	if kind, line := d.s.Peek(); kind == jsonlite.Null {
		if err := d.s.Null(); err != nil {
			return err
		}
		return d.mismatch(value{kind, line}, "", "an object {...}")
	}
	return d.object("", topologyFields, func(key, path string) error {
		switch key {
		case "host":
			return d.host(path, key, &t.Host)
		case "namespaces":
			return list(d, path, key, &t.Namespaces, d.namespace)
		case "bridges":
			return list(d, path, key, &t.Bridges, d.bridge)
		case "veths":
			return list(d, path, key, &t.Veths, d.veth)
		case "nat":
			return d.nat(path, key, &t.NAT)
		}
		return nil
	})
}

func (d *decoder) host(path, field string, h *Host) error {
	return d.object(path, hostFields, func(key, path string) error {
		switch f := field + "." + key; key {
		case "forwarding":
			return d.boolean(path, f, &h.Forwarding)
		case "routes":
			return list(d, path, f, &h.Routes, d.route)
		}
		return nil
	})
}

func (d *decoder) namespace(path, field string, n *Namespace) error {
	return d.object(path, namespaceFields, func(key, path string) error {
		switch f := field + "." + key; key {
		case "name":
			return d.str(path, f, &n.Name)
		case "forwarding":
			return d.boolean(path, f, &n.Forwarding)
		case "routes":
			return list(d, path, f, &n.Routes, d.route)
		}
		return nil
	})
}

func (d *decoder) route(path, field string, r *Route) error {
	return d.object(path, routeFields, func(key, path string) error {
		switch f := field + "." + key; key {
		case "to":
			return typed(d, path, f, &r.To, parseRouteDst)
		case "via":
			return typed(d, path, f, &r.Via, parseGateway)
		case "dev":
			return d.str(path, f, &r.Dev)
		case "metric":
			return d.uint32(path, f, &r.Metric)
		}
		return nil
	})
}

func (d *decoder) bridge(path, field string, b *Bridge) error {
	return d.object(path, bridgeFields, func(key, path string) error {
		switch f := field + "." + key; key {
		case "name":
			return d.str(path, f, &b.Name)
		case "addresses":
			return list(d, path, f, &b.Addresses, d.ifAddr)
		case "mtu":
			return d.integer(path, f, &b.MTU)
		}
		return nil
	})
}

func (d *decoder) veth(path, field string, x *Veth) error {
	return d.object(path, vethFields, func(key, path string) error {
		if key == "peer" {
			return d.end(path, field+".peer", &x.Peer)
		}
		return d.endField(key, path, field+".End", &x.End) // embedded: its fields are the veth's
	})
}

func (d *decoder) end(path, field string, e *End) error {
	return d.object(path, endFields, func(key, path string) error {
		return d.endField(key, path, field, e)
	})
}

// endField decodes the member key of an End; field is the End's own.
func (d *decoder) endField(key string, path, field string, e *End) error {
	switch f := field + "." + key; key {
	case "name":
		return d.str(path, f, &e.Name)
	case "netns":
		return d.str(path, f, &e.Netns)
	case "bridge":
		return d.str(path, f, &e.Bridge)
	case "addresses":
		return list(d, path, f, &e.Addresses, d.ifAddr)
	}
	return nil
}

func (d *decoder) nat(path, field string, n *NAT) error {
	return d.object(path, natFields, func(key, path string) error {
		switch f := field + "." + key; key {
		case "masquerade":
			return list(d, path, f, &n.Masquerade, d.masquerade)
		case "forward":
			return list(d, path, f, &n.Forward, d.forward)
		}
		return nil
	})
}

func (d *decoder) masquerade(path, field string, m *firewall.Masquerade) error {
	return d.object(path, masqueradeFields, func(key, path string) error {
		switch f := field + "." + key; key {
		case "src":
			return typed(d, path, f, &m.Src, parseMasqSrc)
		case "oif":
			return d.str(path, f, &m.OutIface)
		}
		return nil
	})
}

func (d *decoder) forward(path, field string, fw *firewall.Forward) error {
	return d.object(path, forwardFields, func(key, path string) error {
		switch f := field + "." + key; key {
		case "proto":
			return d.str(path, f, &fw.Proto)
		case "port":
			return d.port(path, f, &fw.Port)
		case "to":
			return typed(d, path, f, &fw.To, parseForwardTo)
		case "iif":
			return d.str(path, f, &fw.InIface)
		}
		return nil
	})
}

// start returns the kind and line of the value at path. A syntax error
// stops decoding (its error is returned); null is read and leaves the
// field as it is (zero): for both, ok is false.
func (d *decoder) start(path string) (v value, ok bool, err error) {
	v.kind, v.line = d.s.Peek()
	switch v.kind {
	case jsonlite.Invalid:
		return v, false, d.s.Err()
	case jsonlite.Null:
		return v, false, d.s.Null()
	}
	return v, true, nil
}

// A value is the kind of the next value and the line it starts on.
type value struct {
	kind jsonlite.Kind
	line int
}

// object decodes an object whose fields are in known, calling set for
// each member with the member's path; set reads the member's value. An
// unknown field is refused at its key, before its value is read.
func (d *decoder) object(path string, known []string, set func(key, path string) error) error {
	v, ok, err := d.start(path)
	if !ok {
		return err
	}
	if v.kind != jsonlite.Object {
		return d.mismatch(v, path, "an object {...}")
	}
	var seen []string // known keys only: a few
	return d.s.Object(func(key string, keyLine int) error {
		if !slices.Contains(known, key) {
			return invalid(d.name, keyLine, "unknown field %q in %s (known fields: %s)", key, describe(path), strings.Join(known, ", "))
		}
		if slices.Contains(seen, key) {
			return invalid(d.name, keyLine, "field %q appears twice in %s: keep one", key, describe(path))
		}
		seen = append(seen, key)
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		return set(key, sub)
	})
}

// list decodes a list into *dst, each element with elem. An empty list
// is an empty slice, not nil, as encoding/json decodes it.
func list[T any](d *decoder, path, field string, dst *[]T, elem func(path, field string, x *T) error) error {
	v, ok, err := d.start(path)
	if !ok {
		return err
	}
	if v.kind != jsonlite.Array {
		return d.mismatch(v, path, "a list [...]")
	}
	*dst = []T{}
	return d.s.Array(func(i int) error {
		var x T
		err := elem(path+"["+strconv.Itoa(i)+"]", field, &x)
		*dst = append(*dst, x)
		return err
	})
}

// scalar starts a string, a number or a boolean, where want belongs; an
// object or a list is an error.
func (d *decoder) scalar(path, want string) (value, bool, error) {
	v, ok, err := d.start(path)
	if ok && (v.kind == jsonlite.Object || v.kind == jsonlite.Array) {
		return v, false, d.mismatch(v, path, want)
	}
	return v, ok, err
}

func (d *decoder) str(path, field string, dst *string) error {
	const want = "a string"
	v, ok, err := d.scalar(path, want)
	if !ok {
		return err
	}
	if v.kind != jsonlite.String {
		return d.mistype(v, field, want)
	}
	*dst, err = d.s.String()
	return err
}

func (d *decoder) boolean(path, field string, dst *bool) error {
	const want = "true or false"
	v, ok, err := d.scalar(path, want)
	if !ok {
		return err
	}
	if v.kind != jsonlite.Bool {
		return d.mistype(v, field, want)
	}
	*dst, err = d.s.Bool()
	return err
}

// integer decodes an int: any integer that fits, negative ones too, as
// encoding/json does (validation checks the ranges).
func (d *decoder) integer(path, field string, dst *int) error {
	return d.number(path, field, func(text string) bool {
		n, err := strconv.ParseInt(text, 10, strconv.IntSize)
		if err == nil {
			*dst = int(n)
		}
		return err == nil
	})
}

func (d *decoder) uint32(path, field string, dst *uint32) error {
	return d.number(path, field, func(text string) bool {
		n, err := strconv.ParseUint(text, 10, 32)
		if err == nil {
			*dst = uint32(n)
		}
		return err == nil
	})
}

// number decodes an integer field with set, which stores the literal and
// reports whether it fits the field's type; one that does not (negative
// for an unsigned field, a fraction, an exponent, too large) is reported
// as encoding/json named it: "number 1.5".
func (d *decoder) number(path, field string, set func(text string) bool) error {
	const want = "a non-negative integer"
	v, ok, err := d.scalar(path, want)
	if !ok {
		return err
	}
	if v.kind != jsonlite.Number {
		return d.mistype(v, field, want)
	}
	text, err := d.s.Number()
	if err == nil && !set(text) && d.mistyped == nil {
		d.mistyped = invalid(d.name, v.line, "%s: expected %s, found a JSON number %s", field, want, text)
	}
	return err
}

// port decodes a port: an integer in 1..65535. Another integer leaves
// the port 0 and is kept in bad (except 0 itself) for Validate, which
// says it is out of range.
func (d *decoder) port(path, field string, dst *uint16) error {
	return d.number(path, field, func(text string) bool {
		n, err := strconv.ParseInt(text, 10, strconv.IntSize)
		switch {
		case err != nil:
			return false
		case n == 0: // as if missing
		case n < 0 || n > 65535:
			d.bad[path] = badValue{text: strconv.FormatInt(n, 10)}
		default:
			*dst = uint16(n)
		}
		return true
	})
}

// ifAddr decodes an interface address (parseIfAddr).
func (d *decoder) ifAddr(path, field string, dst *netip.Prefix) error {
	return typed(d, path, field, dst, parseIfAddr)
}

// typed decodes a string that parse turns into the field's type. A text
// that parse refuses is kept in bad with parse's reason, for Validate to
// report with every other problem; the field stays zero. "" is the zero
// value, as a missing or null field is, and Validate treats it so.
func typed[T any](d *decoder, path, field string, dst *T, parse func(string) (T, error)) error {
	var s string
	if err := d.str(path, field, &s); err != nil || s == "" {
		return err // "", null, not a string (d.mistyped), or not read: zero
	}
	x, err := parse(s)
	if err != nil {
		d.bad[path] = badValue{text: s, err: err}
		return nil
	}
	*dst = x
	return nil
}

// A badValue is a value of the file that does not parse into its type:
// its text as written and why (nil for a port out of range).
type badValue struct {
	text string
	err  error
}

// The reasons a text is not what its field holds, as Validate reports
// them after the object and the text; a field that is missing or null
// gets the reason for "".
var (
	errNoPrefixLen = errors.New("missing prefix length: write it as ADDRESS/LEN, e.g. 192.168.15.1/24")
	errNotIfAddr   = errors.New("not an address in CIDR form: write ADDRESS/LEN, e.g. 192.168.15.1/24 or fd00::1/64")
	errNoDst       = errors.New("has no destination: set \"to\" to a CIDR or \"default\"")
	errNotSrc      = errors.New("source is not a CIDR: write e.g. 192.168.15.0/24")
)

// parseIfAddr parses an interface address in CIDR form, e.g.
// 192.168.15.1/24; Validate checks that it can be assigned.
func parseIfAddr(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		if _, aerr := netip.ParseAddr(s); aerr == nil {
			return p, errNoPrefixLen
		}
		return p, errNotIfAddr
	}
	return p, nil
}

// defaultRoute is the destination "default" stands for.
var defaultRoute = netip.PrefixFrom(netip.IPv4Unspecified(), 0)

// parseRouteDst parses a route destination: "default" (IPv4's, as
// iproute2 reads it), a CIDR, or an address (a host route). Validate
// checks that the host bits are zero (the kernel refuses others).
func parseRouteDst(s string) (netip.Prefix, error) {
	switch s {
	case "default":
		return defaultRoute, nil
	case "":
		return netip.Prefix{}, errNoDst
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		if a, aerr := netip.ParseAddr(s); aerr == nil {
			return netip.PrefixFrom(a, a.BitLen()), nil
		}
		return p, fmt.Errorf("destination %q is not a CIDR: write e.g. 192.168.1.0/24 or default", s)
	}
	return p, nil
}

// parseGateway parses a route's gateway; "" is none.
func parseGateway(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, notGateway(s)
	}
	return a, nil
}

func notGateway(s string) error {
	return fmt.Errorf("gateway %q is not an IP address: write e.g. 192.168.15.5", s)
}

func notAddrPort(s string) error {
	return fmt.Errorf("destination %q is not IP:PORT: write e.g. 192.168.15.2:80", s)
}

// parseMasqSrc parses a masquerade's source network; Validate checks
// that its host bits are zero.
func parseMasqSrc(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, errNotSrc
	}
	return p, nil
}

// parseForwardTo parses a port forward's destination, IP:PORT; Validate
// checks that the port is not 0.
func parseForwardTo(s string) (netip.AddrPort, error) {
	a, err := netip.ParseAddrPort(s)
	if err != nil {
		return a, notAddrPort(s)
	}
	return a, nil
}

// mismatch reports an object or a list where want belongs, or a string,
// number or boolean where an object or a list (want) belongs, at the
// value of kind at path, which it reads to quote it.
func (d *decoder) mismatch(v value, path, want string) error {
	var found string
	var err error
	switch v.kind {
	case jsonlite.Object:
		found = "an object"
	case jsonlite.Array:
		found = "a list"
	case jsonlite.String:
		found, err = d.s.String()
		found = strconv.Quote(found)
	case jsonlite.Number:
		found, err = d.s.Number()
		found = "the number " + found
	case jsonlite.Bool:
		var b bool
		b, err = d.s.Bool()
		found = strconv.FormatBool(b)
	default:
		found = "null"
	}
	if err != nil {
		return err // the syntax error comes first
	}
	return invalid(d.name, v.line, "%s: expected %s, found %s", describe(path), want, found)
}

// mistype keeps the first string, number or boolean of the wrong type
// (v, at field), found as encoding/json named it: "string", "bool",
// "number"; it skips the value.
func (d *decoder) mistype(v value, field, want string) error {
	if err := d.s.Skip(); err != nil {
		return err
	}
	if d.mistyped == nil {
		found := "number"
		switch v.kind {
		case jsonlite.String:
			found = "string"
		case jsonlite.Bool:
			found = "bool"
		}
		d.mistyped = invalid(d.name, v.line, "%s: expected %s, found a JSON %s", field, want, found)
	}
	return nil
}

// fileLines returns the line of each JSON path of data that is in want,
// as messages place them: a member's is the line of its key, a list
// element's the line where it starts. want must hold every path's
// ancestors ("veths[0].peer" needs "veths[0]", "veths" and ""): the
// walk only enters what leads to a wanted path and skips the rest. data
// must be a file that decode read without error.
func fileLines(data []byte, want map[string]bool) map[string]int {
	lines := map[string]int{}
	s := jsonlite.NewScanner(data)
	var walk func(path string) error
	walk = func(path string) error {
		kind, line := s.Peek()
		if _, ok := lines[path]; !ok {
			lines[path] = line
		}
		switch kind {
		case jsonlite.Object:
			return s.Object(func(key string, keyLine int) error {
				sub := key
				if path != "" {
					sub = path + "." + key
				}
				if !want[sub] {
					return nil // skipped
				}
				lines[sub] = keyLine
				return walk(sub)
			})
		case jsonlite.Array:
			return s.Array(func(i int) error {
				if sub := path + "[" + strconv.Itoa(i) + "]"; want[sub] {
					return walk(sub)
				}
				return nil
			})
		}
		return s.Skip()
	}
	if want[""] {
		walk("") // a file decode read has no syntax error to return
	}
	return lines
}

// describe names the value at path for a message.
func describe(path string) string {
	if path == "" {
		return "the topology"
	}
	return path
}

// invalid returns an *InvalidError with one problem.
func invalid(source string, line int, format string, args ...any) error {
	return &InvalidError{Source: source, Problems: []Problem{{Line: line, Msg: fmt.Sprintf(format, args...)}}}
}
