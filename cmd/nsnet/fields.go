package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/nsnet/nsnet/internal/jsonlite"
)

// iproute2's JSON field names (`ip -j`), all in one place, so that
// scripts written against `ip -j` read nsnet's output unchanged.
const (
	// links (ip -j link, and the link part of ip -j addr)
	jIfindex     = "ifindex"
	jLink        = "link"       // the peer's name, same namespace
	jLinkIndex   = "link_index" // the peer's index, other namespace
	jIfname      = "ifname"
	jFlags       = "flags"
	jMTU         = "mtu"
	jQdisc       = "qdisc"
	jMaster      = "master"
	jOperstate   = "operstate"
	jLinkmode    = "linkmode"
	jGroup       = "group"
	jTxqlen      = "txqlen"
	jLinkType    = "link_type"
	jAddress     = "address"
	jBroadcast   = "broadcast"
	jLinkNetnsid = "link_netnsid"
	jLinkPtp     = "link_pointtopoint"
	jAddrInfo    = "addr_info"

	// addresses (addr_info[])
	jFamily       = "family"
	jLocal        = "local"
	jPrefixlen    = "prefixlen"
	jScope        = "scope"
	jDynamic      = "dynamic"
	jTemporary    = "temporary"
	jLabel        = "label"
	jValidLife    = "valid_life_time"
	jPreferredLft = "preferred_life_time"

	// routes
	jType     = "type"
	jDst      = "dst"
	jGateway  = "gateway"
	jDev      = "dev"
	jProtocol = "protocol"
	jPrefsrc  = "prefsrc"
	jMetric   = "metric"
	jPref     = "pref"
	jTable    = "table"

	// rules (ip -j rule)
	jPriority = "priority"

	// neighbours
	jLladdr = "lladdr"
	jRouter = "router"
	jProxy  = "proxy"
	jState  = "state"

	// nsnet's own objects (no iproute2 equivalent): nat show, forward show
	jRule    = "rule"
	jPackets = "packets"
	jBytes   = "bytes"
	jChains  = "chains"
	jChain   = "chain"
	jHandle  = "handle"
	jForeign = "foreign"
	jIPv4    = "ipv4"
	jIPv6    = "ipv6"

	// namespaces (ip -j netns)
	jName = "name"
	jID   = "id"
)

// jobj is a JSON object whose keys keep the order they were added in, as
// iproute2's json_print does. A value is a string, a bool, an integer, nil
// (null), a []string, a jobj, a []jobj, or a jsonAppender (topo's
// results); appendJSON says how each is written.
type jobj []jfield

type jfield struct {
	k string
	v any
}

func (o *jobj) add(k string, v any) { *o = append(*o, jfield{k, v}) }

// A jsonAppender writes itself as JSON: topo.PlanResult, topo.Step, ...
type jsonAppender interface{ AppendJSON([]byte) []byte }

// jlist is a JSON list of values that write themselves. A nil jlist is
// null, as encoding/json wrote a nil slice.
type jlist[T jsonAppender] []T

// AppendJSON writes the list.
func (l jlist[T]) AppendJSON(b []byte) []byte {
	return jsonlite.AppendArray(b, l, func(b []byte, x T) []byte { return x.AppendJSON(b) })
}

// appendJSON writes v compactly, as encoding/json's Encoder with
// SetEscapeHTML(false) wrote it before nsnet dropped encoding/json for
// the binary's size: strings escaped by jsonlite.AppendString, nil
// slices as null.
func appendJSON(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return jsonlite.AppendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case []string:
		return jsonlite.AppendArray(b, v, jsonlite.AppendString), nil
	case []int:
		return jsonlite.AppendArray(b, v, func(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }), nil
	case jobj:
		b = append(b, '{')
		for _, f := range v {
			var err error
			if b, err = appendJSON(jsonlite.AppendKey(b, f.k), f.v); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []jobj:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, o := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, o); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case jsonAppender:
		return v.AppendJSON(b), nil
	}
	return nil, fmt.Errorf("json: unsupported type %T", v)
}

// writeJSON prints v as `ip -j` does (one line, then a newline), or
// indented with -p.
func writeJSON(w io.Writer, o opts, v any) error {
	b, err := appendJSON(nil, v)
	if err != nil {
		return err
	}
	if o.pretty {
		if b, err = jsonlite.Indent(nil, b, "", "    "); err != nil {
			return err
		}
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
