package main

import (
	"bytes"
	"encoding/json"
	"io"
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
	jIPv4    = "ipv4"
	jIPv6    = "ipv6"

	// namespaces (ip -j netns)
	jName = "name"
	jID   = "id"
)

// jobj is a JSON object whose keys keep the order they were added in, as
// iproute2's json_print does.
type jobj []jfield

type jfield struct {
	k string
	v any
}

func (o *jobj) add(k string, v any) { *o = append(*o, jfield{k, v}) }

// MarshalJSON writes the fields in order.
func (o jobj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeJSON(&b, f.k); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := encodeJSON(&b, f.v); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encodeJSON writes v compactly, without HTML escaping and without the
// newline json.Encoder adds.
func encodeJSON(b *bytes.Buffer, v any) error {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Write(bytes.TrimSuffix(tmp.Bytes(), []byte("\n")))
	return nil
}

// writeJSON prints v as `ip -j` does (one line, then a newline), or
// indented with -p.
func writeJSON(w io.Writer, o opts, v any) error {
	var b bytes.Buffer
	if err := encodeJSON(&b, v); err != nil {
		return err
	}
	if o.pretty {
		var ind bytes.Buffer
		if err := json.Indent(&ind, b.Bytes(), "", "    "); err != nil {
			return err
		}
		b = ind
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}
