package topo

import (
	"net/netip"
	"strconv"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/internal/jsonlite"
)

// JSON encodings of topo's types, written by hand to keep reflection out
// of the binary (see internal/jsonlite). The json tags on the types name
// the fields and say which are left out when empty; tests check these
// functions against encoding/json with those tags.

// MarshalIndent encodes the topology in the file format, indented by two
// spaces, as json.MarshalIndent(t, "", "  ") does: <, > and & in strings
// are escaped, and empty fields are left out except host, nat and the
// names, destinations, sources, protocols and ports.
func (t *Topology) MarshalIndent() ([]byte, error) {
	b := []byte{'{'}
	b = jsonlite.AppendKey(b, "host")
	b = appendHost(b, t.Host)
	b = fileList(b, "namespaces", t.Namespaces, appendNamespace)
	b = fileList(b, "bridges", t.Bridges, appendBridge)
	b = fileList(b, "veths", t.Veths, appendVeth)
	b = jsonlite.AppendKey(b, "nat")
	b = appendNAT(b, t.NAT)
	return jsonlite.Indent(nil, append(b, '}'), "", "  ")
}

func appendHost(b []byte, h Host) []byte {
	b = append(b, '{')
	if h.Forwarding {
		b = jsonlite.AppendKey(b, "forwarding")
		b = append(b, "true"...)
	}
	b = fileList(b, "routes", h.Routes, appendRoute)
	return append(b, '}')
}

func appendNamespace(b []byte, n Namespace) []byte {
	b = append(b, '{')
	b = fileString(b, "name", n.Name, false)
	if n.Forwarding {
		b = jsonlite.AppendKey(b, "forwarding")
		b = append(b, "true"...)
	}
	b = fileList(b, "routes", n.Routes, appendRoute)
	return append(b, '}')
}

func appendRoute(b []byte, r Route) []byte {
	b = append(b, '{')
	b = fileString(b, "to", dstString(r.To), false)
	b = fileString(b, "via", addrString(r.Via), true)
	b = fileString(b, "dev", r.Dev, true)
	if r.Metric != 0 {
		b = jsonlite.AppendKey(b, "metric")
		b = strconv.AppendUint(b, uint64(r.Metric), 10)
	}
	return append(b, '}')
}

func appendBridge(b []byte, br Bridge) []byte {
	b = append(b, '{')
	b = fileString(b, "name", br.Name, false)
	b = fileList(b, "addresses", br.Addresses, appendPrefix)
	if br.MTU != 0 {
		b = jsonlite.AppendKey(b, "mtu")
		b = strconv.AppendInt(b, int64(br.MTU), 10)
	}
	return append(b, '}')
}

// appendVeth writes the embedded End's fields first, as encoding/json
// flattens it.
func appendVeth(b []byte, v Veth) []byte {
	b = appendEndFields(append(b, '{'), v.End)
	b = jsonlite.AppendKey(b, "peer")
	b = appendEnd(b, v.Peer)
	return append(b, '}')
}

func appendEnd(b []byte, e End) []byte {
	return append(appendEndFields(append(b, '{'), e), '}')
}

func appendEndFields(b []byte, e End) []byte {
	b = fileString(b, "name", e.Name, false)
	b = fileString(b, "netns", e.Netns, true)
	b = fileString(b, "bridge", e.Bridge, true)
	return fileList(b, "addresses", e.Addresses, appendPrefix)
}

// appendPrefix writes an address ("" for the zero Prefix).
func appendPrefix(b []byte, p netip.Prefix) []byte {
	if !p.IsValid() {
		return jsonlite.AppendString(b, "")
	}
	return jsonlite.AppendString(b, p.String())
}

func appendNAT(b []byte, n NAT) []byte {
	b = append(b, '{')
	b = fileList(b, "masquerade", n.Masquerade, appendMasquerade)
	b = fileList(b, "forward", n.Forward, appendForward)
	return append(b, '}')
}

func appendMasquerade(b []byte, m firewall.Masquerade) []byte {
	b = append(b, '{')
	src := ""
	if m.Src.IsValid() {
		src = m.Src.String()
	}
	b = fileString(b, "src", src, false)
	b = fileString(b, "oif", m.OutIface, true)
	return append(b, '}')
}

func appendForward(b []byte, f firewall.Forward) []byte {
	b = append(b, '{')
	b = fileString(b, "proto", f.Proto, false)
	b = jsonlite.AppendKey(b, "port")
	b = strconv.AppendUint(b, uint64(f.Port), 10)
	to := ""
	if f.To.IsValid() {
		to = f.To.String()
	}
	b = fileString(b, "to", to, false)
	b = fileString(b, "iif", f.InIface, true)
	return append(b, '}')
}

// fileString writes a string member of the file format, unless it is
// empty and omitEmpty.
func fileString(b []byte, key, s string, omitEmpty bool) []byte {
	if omitEmpty && s == "" {
		return b
	}
	return jsonlite.AppendStringHTML(jsonlite.AppendKey(b, key), s)
}

// fileList writes a list member of the file format, unless it is empty.
func fileList[T any](b []byte, key string, s []T, elem func([]byte, T) []byte) []byte {
	if len(s) == 0 {
		return b
	}
	return jsonlite.AppendArray(jsonlite.AppendKey(b, key), s, elem)
}

// outString writes a string member of a result, as `nsnet -j` prints it
// (no HTML escaping), unless it is empty and omitEmpty.
func outString(b []byte, key, s string, omitEmpty bool) []byte {
	if omitEmpty && s == "" {
		return b
	}
	return jsonlite.AppendString(jsonlite.AppendKey(b, key), s)
}

// AppendJSON appends the plan as `nsnet -j plan` prints it:
// {"steps": [STEP...]}, where no steps at all is null.
func (p *PlanResult) AppendJSON(b []byte) []byte {
	b = jsonlite.AppendKey(append(b, '{'), "steps")
	b = jsonlite.AppendArray(b, p.Steps, func(b []byte, s Step) []byte { return s.AppendJSON(b) })
	return append(b, '}')
}

// AppendJSON appends the step as `nsnet -j plan` prints it: action (its
// words), kind, netns, object, detail and commands; netns, detail and
// commands only when they are not empty.
func (s Step) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = outString(b, "action", s.Action.String(), false)
	b = outString(b, "kind", string(s.Kind), false)
	b = outString(b, "netns", s.NS, true)
	b = outString(b, "object", s.Object, false)
	b = outString(b, "detail", s.Detail, true)
	if len(s.Commands) > 0 {
		b = jsonlite.AppendArray(jsonlite.AppendKey(b, "commands"), s.Commands, jsonlite.AppendString)
	}
	return append(b, '}')
}

// AppendJSON appends the item as `nsnet -j doctor` prints it: check,
// object, status, and detail and fix when they are not empty.
func (it Item) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = outString(b, "check", it.Check, false)
	b = outString(b, "object", it.Object, false)
	b = outString(b, "status", it.Status, false)
	b = outString(b, "detail", it.Detail, true)
	b = outString(b, "fix", it.Fix, true)
	return append(b, '}')
}

// AppendJSON appends r as `nsnet -j down` prints it: {"kind", "object"}.
func (r Removed) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = outString(b, "kind", string(r.Kind), false)
	b = outString(b, "object", r.Object, false)
	return append(b, '}')
}
