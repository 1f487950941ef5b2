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

// decode parses data into a Topology without validating it. It walks the
// jsonlite tree with one function per type of the file, in file order,
// and records the line of every object and field for later messages.
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
	t := &Topology{source: name, lines: map[string]int{}, bad: map[string]badValue{}}
	root, err := jsonlite.Parse(data)
	d := decoder{name: name, lines: t.lines, bad: t.bad}
	// A file that is null is no topology (encoding/json would decode it
	// as an empty one, and up would do nothing and say so with exit 0).
	if root.Kind == jsonlite.Null {
		return nil, d.mismatch(&root, "", "an object {...}")
	}
	// On a syntax error root is the part read before it, so a problem
	// there is reported first.
	if derr := d.topology(&root, t); derr != nil {
		return nil, derr
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

// decoder holds what decode learns on its walk. Each function takes the
// value, its path (the JSON path of messages and lines,
// "veths[0].addresses[1]") and its field (the path without list indices
// that messages about a wrong type use, "veths.End.addresses": End is
// embedded in Veth, and encoding/json named it so).
type decoder struct {
	name     string
	lines    map[string]int
	bad      map[string]badValue // texts that do not parse into their type
	mistyped error               // the first string, number or boolean of the wrong type
}

func (d *decoder) topology(v *jsonlite.Value, t *Topology) error {
	return d.object(v, "", topologyFields, func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "host":
			return d.host(v, path, key, &t.Host)
		case "namespaces":
			return list(d, v, path, key, &t.Namespaces, d.namespace)
		case "bridges":
			return list(d, v, path, key, &t.Bridges, d.bridge)
		case "veths":
			return list(d, v, path, key, &t.Veths, d.veth)
		case "nat":
			return d.nat(v, path, key, &t.NAT)
		}
		return nil
	})
}

func (d *decoder) host(v *jsonlite.Value, path, field string, h *Host) error {
	return d.object(v, path, hostFields, func(key string, v *jsonlite.Value, path string) error {
		switch f := field + "." + key; key {
		case "forwarding":
			return d.boolean(v, path, f, &h.Forwarding)
		case "routes":
			return list(d, v, path, f, &h.Routes, d.route)
		}
		return nil
	})
}

func (d *decoder) namespace(v *jsonlite.Value, path, field string, n *Namespace) error {
	return d.object(v, path, namespaceFields, func(key string, v *jsonlite.Value, path string) error {
		switch f := field + "." + key; key {
		case "name":
			return d.str(v, path, f, &n.Name)
		case "forwarding":
			return d.boolean(v, path, f, &n.Forwarding)
		case "routes":
			return list(d, v, path, f, &n.Routes, d.route)
		}
		return nil
	})
}

func (d *decoder) route(v *jsonlite.Value, path, field string, r *Route) error {
	return d.object(v, path, routeFields, func(key string, v *jsonlite.Value, path string) error {
		switch f := field + "." + key; key {
		case "to":
			return typed(d, v, path, f, &r.To, parseRouteDst)
		case "via":
			return typed(d, v, path, f, &r.Via, parseGateway)
		case "dev":
			return d.str(v, path, f, &r.Dev)
		case "metric":
			return d.uint32(v, path, f, &r.Metric)
		}
		return nil
	})
}

func (d *decoder) bridge(v *jsonlite.Value, path, field string, b *Bridge) error {
	return d.object(v, path, bridgeFields, func(key string, v *jsonlite.Value, path string) error {
		switch f := field + "." + key; key {
		case "name":
			return d.str(v, path, f, &b.Name)
		case "addresses":
			return list(d, v, path, f, &b.Addresses, d.ifAddr)
		case "mtu":
			return d.integer(v, path, f, &b.MTU)
		}
		return nil
	})
}

func (d *decoder) veth(v *jsonlite.Value, path, field string, x *Veth) error {
	return d.object(v, path, vethFields, func(key string, v *jsonlite.Value, path string) error {
		if key == "peer" {
			return d.end(v, path, field+".peer", &x.Peer)
		}
		return d.endField(key, v, path, field+".End", &x.End) // embedded: its fields are the veth's
	})
}

func (d *decoder) end(v *jsonlite.Value, path, field string, e *End) error {
	return d.object(v, path, endFields, func(key string, v *jsonlite.Value, path string) error {
		return d.endField(key, v, path, field, e)
	})
}

// endField decodes the member key of an End; field is the End's own.
func (d *decoder) endField(key string, v *jsonlite.Value, path, field string, e *End) error {
	switch f := field + "." + key; key {
	case "name":
		return d.str(v, path, f, &e.Name)
	case "netns":
		return d.str(v, path, f, &e.Netns)
	case "bridge":
		return d.str(v, path, f, &e.Bridge)
	case "addresses":
		return list(d, v, path, f, &e.Addresses, d.ifAddr)
	}
	return nil
}

func (d *decoder) nat(v *jsonlite.Value, path, field string, n *NAT) error {
	return d.object(v, path, natFields, func(key string, v *jsonlite.Value, path string) error {
		switch f := field + "." + key; key {
		case "masquerade":
			return list(d, v, path, f, &n.Masquerade, d.masquerade)
		case "forward":
			return list(d, v, path, f, &n.Forward, d.forward)
		}
		return nil
	})
}

func (d *decoder) masquerade(v *jsonlite.Value, path, field string, m *firewall.Masquerade) error {
	return d.object(v, path, masqueradeFields, func(key string, v *jsonlite.Value, path string) error {
		switch f := field + "." + key; key {
		case "src":
			return typed(d, v, path, f, &m.Src, parseMasqSrc)
		case "oif":
			return d.str(v, path, f, &m.OutIface)
		}
		return nil
	})
}

func (d *decoder) forward(v *jsonlite.Value, path, field string, fw *firewall.Forward) error {
	return d.object(v, path, forwardFields, func(key string, v *jsonlite.Value, path string) error {
		switch f := field + "." + key; key {
		case "proto":
			return d.str(v, path, f, &fw.Proto)
		case "port":
			return d.port(v, path, f, &fw.Port)
		case "to":
			return typed(d, v, path, f, &fw.To, parseForwardTo)
		case "iif":
			return d.str(v, path, f, &fw.InIface)
		}
		return nil
	})
}

// start records the line of the value at path and reports whether there
// is a value to decode: not for one the parse did not reach (a syntax
// error follows) nor for null, which leaves the field as it is (zero).
func (d *decoder) start(v *jsonlite.Value, path string) bool {
	if v.Kind == jsonlite.Invalid {
		return false
	}
	if _, ok := d.lines[path]; !ok {
		d.lines[path] = v.Line
	}
	return v.Kind != jsonlite.Null
}

// object decodes v, which must be an object whose fields are in known,
// calling set for each member with the member's path.
func (d *decoder) object(v *jsonlite.Value, path string, known []string, set func(key string, v *jsonlite.Value, path string) error) error {
	if !d.start(v, path) {
		return nil
	}
	if v.Kind != jsonlite.Object {
		return d.mismatch(v, path, "an object {...}")
	}
	for i := range v.Members {
		m := &v.Members[i]
		if !slices.Contains(known, m.Key) {
			return invalid(d.name, m.KeyLine, "unknown field %q in %s (known fields: %s)", m.Key, describe(path), strings.Join(known, ", "))
		}
		for j := range i {
			if v.Members[j].Key == m.Key {
				return invalid(d.name, m.KeyLine, "field %q appears twice in %s: keep one", m.Key, describe(path))
			}
		}
		sub := m.Key
		if path != "" {
			sub = path + "." + m.Key
		}
		d.lines[sub] = m.KeyLine
		if err := set(m.Key, &m.Value, sub); err != nil {
			return err
		}
	}
	return nil
}

// list decodes v, which must be a list, into *dst, each element with elem.
// An empty list is an empty slice, not nil, as encoding/json decodes it.
func list[T any](d *decoder, v *jsonlite.Value, path, field string, dst *[]T, elem func(v *jsonlite.Value, path, field string, x *T) error) error {
	if ok, err := d.isList(v, path); !ok {
		return err
	}
	*dst = make([]T, len(v.Elems))
	for i := range v.Elems {
		if err := elem(&v.Elems[i], path+"["+strconv.Itoa(i)+"]", field, &(*dst)[i]); err != nil {
			return err
		}
	}
	return nil
}

// isList reports whether v is a list to decode (list's part that does not
// depend on the element type).
func (d *decoder) isList(v *jsonlite.Value, path string) (bool, error) {
	if !d.start(v, path) {
		return false, nil
	}
	if v.Kind != jsonlite.Array {
		return false, d.mismatch(v, path, "a list [...]")
	}
	return true, nil
}

// scalar reports whether v, where want belongs, is a string, a number or
// a boolean to decode; an object or a list is an error.
func (d *decoder) scalar(v *jsonlite.Value, path, want string) (bool, error) {
	if !d.start(v, path) {
		return false, nil
	}
	if v.Kind == jsonlite.Object || v.Kind == jsonlite.Array {
		return false, d.mismatch(v, path, want)
	}
	return true, nil
}

func (d *decoder) str(v *jsonlite.Value, path, field string, dst *string) error {
	const want = "a string"
	if ok, err := d.scalar(v, path, want); !ok {
		return err
	}
	if v.Kind != jsonlite.String {
		d.mistype(v, field, want, jsonType(v))
		return nil
	}
	*dst = v.Text
	return nil
}

func (d *decoder) boolean(v *jsonlite.Value, path, field string, dst *bool) error {
	const want = "true or false"
	if ok, err := d.scalar(v, path, want); !ok {
		return err
	}
	if v.Kind != jsonlite.Bool {
		d.mistype(v, field, want, jsonType(v))
		return nil
	}
	*dst = v.Bool
	return nil
}

// integer decodes an int: any integer that fits, negative ones too, as
// encoding/json does (validation checks the ranges).
func (d *decoder) integer(v *jsonlite.Value, path, field string, dst *int) error {
	return d.number(v, path, field, func(text string) bool {
		n, err := strconv.ParseInt(text, 10, strconv.IntSize)
		if err == nil {
			*dst = int(n)
		}
		return err == nil
	})
}

func (d *decoder) uint32(v *jsonlite.Value, path, field string, dst *uint32) error {
	return d.number(v, path, field, func(text string) bool {
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
func (d *decoder) number(v *jsonlite.Value, path, field string, set func(text string) bool) error {
	const want = "a non-negative integer"
	if ok, err := d.scalar(v, path, want); !ok {
		return err
	}
	switch {
	case v.Kind != jsonlite.Number:
		d.mistype(v, field, want, jsonType(v))
	case !set(v.Text):
		d.mistype(v, field, want, "number "+v.Text)
	}
	return nil
}

// port decodes a port: an integer in 1..65535. Another integer leaves
// the port 0 and is kept in bad (except 0 itself) for Validate, which
// says it is out of range.
func (d *decoder) port(v *jsonlite.Value, path, field string, dst *uint16) error {
	return d.number(v, path, field, func(text string) bool {
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
func (d *decoder) ifAddr(v *jsonlite.Value, path, field string, dst *netip.Prefix) error {
	return typed(d, v, path, field, dst, parseIfAddr)
}

// typed decodes a string that parse turns into the field's type. A text
// that parse refuses is kept in bad with parse's reason, for Validate to
// report with every other problem; the field stays zero. "" is the zero
// value, as a missing or null field is, and Validate treats it so.
func typed[T any](d *decoder, v *jsonlite.Value, path, field string, dst *T, parse func(string) (T, error)) error {
	var s string
	if err := d.str(v, path, field, &s); err != nil || s == "" {
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
// number or boolean where an object or a list (want) belongs.
func (d *decoder) mismatch(v *jsonlite.Value, path, want string) error {
	var found string
	switch v.Kind {
	case jsonlite.Object:
		found = "an object"
	case jsonlite.Array:
		found = "a list"
	case jsonlite.String:
		found = strconv.Quote(v.Text)
	case jsonlite.Number:
		found = "the number " + v.Text
	case jsonlite.Bool:
		found = strconv.FormatBool(v.Bool)
	default:
		found = "null"
	}
	return invalid(d.name, v.Line, "%s: expected %s, found %s", describe(path), want, found)
}

// mistype keeps the first string, number or boolean of the wrong type,
// found as encoding/json named it: "string", "bool", "number", or
// "number 1.5" for a number that is not the integer wanted.
func (d *decoder) mistype(v *jsonlite.Value, field, want, found string) {
	if d.mistyped == nil {
		d.mistyped = invalid(d.name, v.Line, "%s: expected %s, found a JSON %s", field, want, found)
	}
}

// jsonType names the type of a string, number or boolean.
func jsonType(v *jsonlite.Value) string {
	switch v.Kind {
	case jsonlite.String:
		return "string"
	case jsonlite.Bool:
		return "bool"
	}
	return "number"
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
