package topo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"reflect"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/topo/internal/filefmt"
)

// decodeRef is decode as it was written with encoding/json and reflect,
// kept as the reference that the hand-written decode is checked against.
// It parses data into a Topology without validating it. It first walks
// the JSON tokens against the Go types, which finds unknown and repeated
// fields with their line (json.Decoder.DisallowUnknownFields reports
// neither) and returns the line of every value, by JSON path, which
// fileLines must find again.
func decodeRef(name string, data []byte) (*Topology, map[string]int, error) {
	t := &Topology{source: name, bad: map[string]badValue{}}
	w := refWalker{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data)), lines: map[string]int{}}
	w.dec.UseNumber()
	if err := w.value(reflect.TypeFor[filefmt.Topology](), ""); err != nil {
		return nil, nil, err
	}
	if _, err := w.dec.Token(); err != io.EOF {
		return nil, nil, invalid(name, w.line(w.dec.InputOffset()), "unexpected data after the topology object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f filefmt.Topology
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, nil, invalid(name, w.line(te.Offset), "%s: expected %s, found a JSON %s", te.Field, refTypeWord(te.Type), te.Value)
		}
		return nil, nil, invalid(name, 0, "%s", err.Error())
	}
	refTyped(t, &f)
	return t, w.lines, nil
}

// refTyped fills t with the typed values of f, as decode types the
// strings of the file: "" is the zero value, a text that does not parse
// is zero and kept in t.bad under its path, and so is a port out of
// range (0 is as if missing).
func refTyped(t *Topology, f *filefmt.Topology) {
	prefixes := func(path string, in []string) []netip.Prefix {
		if in == nil {
			return nil
		}
		out := make([]netip.Prefix, len(in))
		for i, s := range in {
			refParse(t, fmt.Sprintf("%s.addresses[%d]", path, i), s, &out[i], parseIfAddr)
		}
		return out
	}
	routes := func(path string, in []filefmt.Route) []Route {
		if in == nil {
			return nil
		}
		out := make([]Route, len(in))
		for i, r := range in {
			p := fmt.Sprintf("%s.routes[%d]", path, i)
			out[i] = Route{Dev: r.Dev, Metric: r.Metric}
			refParse(t, p+".to", r.To, &out[i].To, parseRouteDst)
			refParse(t, p+".via", r.Via, &out[i].Via, parseGateway)
		}
		return out
	}
	end := func(path string, e filefmt.End) End {
		return End{Name: e.Name, Netns: e.Netns, Bridge: e.Bridge, Addresses: prefixes(path, e.Addresses)}
	}
	t.Host = Host{Forwarding: f.Host.Forwarding, Routes: routes("host", f.Host.Routes)}
	t.Namespaces = refMap(f.Namespaces, func(i int, n filefmt.Namespace) Namespace {
		return Namespace{Name: n.Name, Forwarding: n.Forwarding, Routes: routes(fmt.Sprintf("namespaces[%d]", i), n.Routes)}
	})
	t.Bridges = refMap(f.Bridges, func(i int, b filefmt.Bridge) Bridge {
		return Bridge{Name: b.Name, MTU: b.MTU, Addresses: prefixes(fmt.Sprintf("bridges[%d]", i), b.Addresses)}
	})
	t.Veths = refMap(f.Veths, func(i int, v filefmt.Veth) Veth {
		p := fmt.Sprintf("veths[%d]", i)
		return Veth{End: end(p, v.End), Peer: end(p+".peer", v.Peer)}
	})
	t.NAT.Masquerade = refMap(f.NAT.Masquerade, func(i int, m filefmt.Masquerade) firewall.Masquerade {
		q := firewall.Masquerade{OutIface: m.OutIface}
		refParse(t, fmt.Sprintf("nat.masquerade[%d].src", i), m.Src, &q.Src, parseMasqSrc)
		return q
	})
	t.NAT.Forward = refMap(f.NAT.Forward, func(i int, fw filefmt.Forward) firewall.Forward {
		p := fmt.Sprintf("nat.forward[%d]", i)
		x := firewall.Forward{Proto: fw.Proto, InIface: fw.InIface}
		switch {
		case fw.Port >= 1 && fw.Port <= 65535:
			x.Port = uint16(fw.Port)
		case fw.Port != 0:
			t.bad[p+".port"] = badValue{text: strconv.Itoa(fw.Port)}
		}
		refParse(t, p+".to", fw.To, &x.To, parseForwardTo)
		return x
	})
}

func refParse[T any](t *Topology, path, s string, dst *T, parse func(string) (T, error)) {
	if s == "" {
		return
	}
	x, err := parse(s)
	if err != nil {
		t.bad[path] = badValue{text: s, err: err}
		return
	}
	*dst = x
}

// refMap maps a list, keeping nil nil and empty empty.
func refMap[A, B any](in []A, f func(int, A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, x := range in {
		out[i] = f(i, x)
	}
	return out
}

// refTypeWord names a Go type the way a JSON author thinks of it.
func refTypeWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Uint32, reflect.Uint16:
		return "a non-negative integer"
	case reflect.Slice:
		return "a list [...]"
	case reflect.Struct:
		return "an object {...}"
	}
	return t.String()
}

// refWalker checks a JSON document's structure against Go types.
type refWalker struct {
	name  string
	data  []byte
	dec   *json.Decoder
	lines map[string]int
}

// line returns the 1-based line of byte offset off.
func (w *refWalker) line(off int64) int {
	if off > int64(len(w.data)) {
		off = int64(len(w.data))
	}
	return bytes.Count(w.data[:off], []byte{'\n'}) + 1
}

// tokenLine returns the line of the token that ends at the decoder's
// current offset (the offset after a token points just past it; the token
// itself starts on the last non-space byte before, or earlier).
func (w *refWalker) tokenLine() int {
	off := w.dec.InputOffset()
	for off > 0 && off <= int64(len(w.data)) && strings.ContainsRune(" \t\r\n", rune(w.data[off-1])) {
		off--
	}
	if off > 0 {
		off--
	}
	return w.line(off)
}

func (w *refWalker) token() (json.Token, error) {
	tok, err := w.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, invalid(w.name, w.line(se.Offset), "invalid JSON: %s", se.Error())
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, invalid(w.name, w.line(int64(len(w.data))), "invalid JSON: unexpected end of file")
		}
		return nil, invalid(w.name, w.line(w.dec.InputOffset()), "invalid JSON: %s", err.Error())
	}
	return tok, nil
}

// value reads one JSON value that should decode into typ; path is its
// JSON path ("veths[0].peer").
func (w *refWalker) value(typ reflect.Type, path string) error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	if _, ok := w.lines[path]; !ok {
		w.lines[path] = w.tokenLine()
	}
	if tok == nil && path == "" {
		return w.skipMismatch(tok, typ, path) // a file that is null: refused, unlike encoding/json
	}
	if tok == nil && (typ.Kind() == reflect.Struct || typ.Kind() == reflect.Slice) {
		return nil // null: empty, as encoding/json decodes it
	}
	switch typ.Kind() {
	case reflect.Struct:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return w.skipMismatch(tok, typ, path)
		}
		return w.object(typ, path)
	case reflect.Slice:
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return w.skipMismatch(tok, typ, path)
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(typ.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err := w.token() // ']'
		return err
	default:
		if d, ok := tok.(json.Delim); ok {
			return w.skipMismatch(d, typ, path)
		}
		return nil // scalar kinds are checked by encoding/json, with offsets
	}
}

// skipMismatch reports a value whose JSON kind cannot be typ.
func (w *refWalker) skipMismatch(tok json.Token, typ reflect.Type, path string) error {
	found := "a JSON value"
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			found = "an object"
		} else {
			found = "a list"
		}
	case string:
		found = strconv.Quote(v)
	case json.Number:
		found = "the number " + v.String()
	case bool:
		found = strconv.FormatBool(v)
	case nil:
		found = "null"
	}
	return invalid(w.name, w.tokenLine(), "%s: expected %s, found %s", describe(path), refTypeWord(typ), found)
}

// object reads the members of an object (after its '{') into struct typ.
func (w *refWalker) object(typ reflect.Type, path string) error {
	fields := refJSONFields(typ)
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		line := w.tokenLine()
		ft, ok := fields[key]
		if !ok {
			return invalid(w.name, line, "unknown field %q in %s (known fields: %s)", key, describe(path), strings.Join(refSortedKeys(fields), ", "))
		}
		if seen[key] {
			return invalid(w.name, line, "field %q appears twice in %s: keep one", key, describe(path))
		}
		seen[key] = true
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		w.lines[sub] = line
		if err := w.value(ft, sub); err != nil {
			return err
		}
	}
	_, err := w.token() // '}'
	return err
}

// refJSONFields maps the exact JSON names of typ's fields (embedded structs
// flattened, as encoding/json does) to their types.
func refJSONFields(typ reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k, v := range refJSONFields(f.Type) {
				m[k] = v
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

func refSortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ { // tiny lists: insertion sort
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
