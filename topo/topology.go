package topo

import (
	"fmt"
	"os"
)

// A Topology is one network, as a JSON file describes it. Everything it
// names is nsnet's: `up` creates it, `down` removes it, and nothing else.
//
// The host is the network namespace nsnet runs in. Bridges always live on
// the host; a veth joins a namespace to a bridge (or to the host), or two
// namespaces to each other.
//
// The json tags on Topology and the types it holds are the file format:
// the field names and which fields MarshalIndent leaves out when empty.
// decode.go reads and encode.go writes them by hand (the binary links no
// encoding/json); tests hold both to encoding/json with these tags.
type Topology struct {
	Host       Host        `json:"host"`
	Namespaces []Namespace `json:"namespaces,omitempty"`
	Bridges    []Bridge    `json:"bridges,omitempty"`
	Veths      []Veth      `json:"veths,omitempty"`
	NAT        NAT         `json:"nat"`

	// source is the file name the topology was read from ("" if none),
	// and lines maps a JSON path ("veths[1].peer") to its line, so that
	// validation messages can point into the file.
	source string
	lines  map[string]int
}

// Host is what the file asks of the host's own network namespace.
type Host struct {
	// Forwarding sets net.ipv4.ip_forward (and IPv6's, when the file has
	// IPv6 addresses) to 1, which routing between segments and NAT need.
	Forwarding bool `json:"forwarding,omitempty"`
	// Routes are added to the host's main table.
	Routes []Route `json:"routes,omitempty"`
}

// A Namespace is a named network namespace (iproute2's /run/netns/NAME).
type Namespace struct {
	Name       string  `json:"name"`
	Forwarding bool    `json:"forwarding,omitempty"` // net.ipv4.ip_forward inside it
	Routes     []Route `json:"routes,omitempty"`
}

// A Bridge is a Linux bridge on the host. Its addresses are the host's
// address on that segment (the seed's 192.168.15.5/24 on v-net-0).
type Bridge struct {
	Name      string   `json:"name"`
	Addresses []string `json:"addresses,omitempty"`
	MTU       int      `json:"mtu,omitempty"`
}

// An End is one end of a veth pair.
type End struct {
	Name      string   `json:"name"`                // interface name, at most 15 bytes
	Netns     string   `json:"netns,omitempty"`     // namespace it lives in; "" is the host
	Bridge    string   `json:"bridge,omitempty"`    // host ends only: enslave to this bridge
	Addresses []string `json:"addresses,omitempty"` // CIDRs, e.g. "192.168.15.1/24" or "fd00::1/64"
}

// A Veth is a veth pair: the End fields describe one end, Peer the other.
type Veth struct {
	End
	Peer End `json:"peer"`
}

// A Route is one route. To is a CIDR or "default"; Via is a gateway on a
// subnet the namespace is connected to; Dev names the output interface
// (optional when Via is given).
type Route struct {
	To     string `json:"to"`
	Via    string `json:"via,omitempty"`
	Dev    string `json:"dev,omitempty"`
	Metric uint32 `json:"metric,omitempty"`
}

// NAT is nsnet's own nftables table (inet nsnet) on the host.
type NAT struct {
	Masquerade []Masquerade `json:"masquerade,omitempty"`
	Forward    []Forward    `json:"forward,omitempty"`
}

// A Masquerade rewrites the source of packets from Src leaving through
// OutIface (any interface if empty) to the address they leave with.
type Masquerade struct {
	Src      string `json:"src"`
	OutIface string `json:"oif,omitempty"`
}

// A Forward sends Proto traffic for the host's Port to To ("IP:PORT"),
// from outside, from the host itself and from the namespaces (hairpin).
type Forward struct {
	Proto   string `json:"proto"`
	Port    int    `json:"port"`
	To      string `json:"to"`
	InIface string `json:"iif,omitempty"`
}

// Load reads and decodes the topology file at path, and validates it.
func Load(path string) (*Topology, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Parse decodes a topology strictly (an unknown or repeated field is an
// error naming the field and its line) and validates it. name is used in
// messages ("seed.json:12: ...").
func Parse(name string, data []byte) (*Topology, error) {
	t, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// Source returns the file name the topology was read from.
func (t *Topology) Source() string { return t.source }

// namespace returns the namespace called name, or nil.
func (t *Topology) namespace(name string) *Namespace {
	for i := range t.Namespaces {
		if t.Namespaces[i].Name == name {
			return &t.Namespaces[i]
		}
	}
	return nil
}

// bridge returns the bridge called name, or nil.
func (t *Topology) bridge(name string) *Bridge {
	for i := range t.Bridges {
		if t.Bridges[i].Name == name {
			return &t.Bridges[i]
		}
	}
	return nil
}

// ends returns every veth end, each with the path of its JSON object.
func (t *Topology) ends() []endRef {
	var out []endRef
	for i := range t.Veths {
		v := &t.Veths[i]
		out = append(out,
			endRef{End: &v.End, Peer: &v.Peer, Path: fmt.Sprintf("veths[%d]", i)},
			endRef{End: &v.Peer, Peer: &v.End, Path: fmt.Sprintf("veths[%d].peer", i)})
	}
	return out
}

type endRef struct {
	End, Peer *End
	Path      string
}

// HasIPv6 reports whether the file declares any IPv6 address or route.
// When it does not, `up` creates links without IPv6 (no link-local
// address, no DAD, no multicast listener reports).
func (t *Topology) HasIPv6() bool {
	is6 := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] == ':' {
				return true
			}
		}
		return false
	}
	for _, b := range t.Bridges {
		for _, a := range b.Addresses {
			if is6(a) {
				return true
			}
		}
	}
	for _, e := range t.ends() {
		for _, a := range e.End.Addresses {
			if is6(a) {
				return true
			}
		}
	}
	routes := append([]Route(nil), t.Host.Routes...)
	for _, n := range t.Namespaces {
		routes = append(routes, n.Routes...)
	}
	for _, r := range routes {
		if is6(r.To) || is6(r.Via) {
			return true
		}
	}
	return false
}
