// Package filefmt is the topology file's format as plain Go strings with
// encoding/json tags: the shape topo.Topology had before it held typed
// values. Only topo's tests import it: they decode a file into these
// types with encoding/json and reflect (and encode them) as the
// reference that topo's hand-written decoder and encoder must agree with.
// The json tags are the file's field names and which fields an encoder
// leaves out when empty.
package filefmt

// A Topology is one topology file.
type Topology struct {
	Host       Host        `json:"host"`
	Namespaces []Namespace `json:"namespaces,omitempty"`
	Bridges    []Bridge    `json:"bridges,omitempty"`
	Veths      []Veth      `json:"veths,omitempty"`
	NAT        NAT         `json:"nat"`
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
