package topo

import (
	"fmt"
	"io"
	"net/netip"
	"os"

	"github.com/nsnet/nsnet/firewall"
)

// A Topology is one network, as a JSON file describes it. Everything it
// names is nsnet's: `up` creates it, `down` removes it, and nothing else.
//
// The host is the network namespace nsnet runs in. Bridges always live on
// the host; a veth joins a namespace to a bridge (or to the host), or two
// namespaces to each other.
//
// Addresses, destinations, gateways and NAT rules are typed values
// (net/netip, nft's rules): decode.go parses the file's text once, and
// nothing after it parses again. decode.go reads and encode.go writes the
// file format by hand (the binary links no encoding/json); the package
// doc lists its fields, and tests hold both to encoding/json with a
// mirror of these types that has the file's strings.
type Topology struct {
	Host       Host
	Namespaces []Namespace
	Bridges    []Bridge
	Veths      []Veth
	NAT        NAT

	// source is the file name the topology was read from ("" if none).
	// Lines are not kept: Parse finds those its messages need in the
	// file again (fileLines), so a topology holds its values only.
	source string
	// bad maps the JSON path of a value that did not decode into its type
	// ("veths[0].addresses[1]", "nat.forward[0].port") to its text and
	// why; the typed field holds the zero value, and Validate reports it.
	bad map[string]badValue
}

// Host is what the file asks of the host's own network namespace.
type Host struct {
	// Forwarding sets net.ipv4.ip_forward (and IPv6's, when the file has
	// IPv6 addresses) to 1, which routing between segments and NAT need.
	Forwarding bool
	// Routes are added to the host's main table.
	Routes []Route
}

// A Namespace is a named network namespace (iproute2's /run/netns/NAME).
type Namespace struct {
	Name       string
	Forwarding bool // net.ipv4.ip_forward inside it
	Routes     []Route
}

// A Bridge is a Linux bridge on the host. Its addresses are the host's
// address on that segment (the seed's 192.168.15.5/24 on v-net-0).
type Bridge struct {
	Name      string
	Addresses []netip.Prefix // interface addresses: 192.168.15.5/24
	MTU       int
}

// An End is one end of a veth pair.
type End struct {
	Name      string         // interface name, at most 15 bytes
	Netns     string         // namespace it lives in; "" is the host
	Bridge    string         // host ends only: enslave to this bridge
	Addresses []netip.Prefix // interface addresses: 192.168.15.1/24 or fd00::1/64
}

// A Veth is a veth pair: the End fields describe one end, Peer the other.
type Veth struct {
	End
	Peer End
}

// A Route is one route. To is its destination, 0.0.0.0/0 for the file's
// "default"; Via is a gateway on a subnet the namespace is connected to
// (the zero Addr if none); Dev names the output interface (optional when
// Via is given).
type Route struct {
	To     netip.Prefix
	Via    netip.Addr
	Dev    string
	Metric uint32
}

// NAT is nsnet's own nftables table (inet nsnet) on the host: the file's
// masquerades and port forwards, as the rules nft adds. A Forward of a
// file has no Hairpin.
type NAT struct {
	Masquerade []firewall.Masquerade
	Forward    []firewall.Forward
}

// MaxFileSize is the largest topology file Load and Parse accept, 16 MiB.
// A file of 10,000 namespaces (each with a default route and a veth to
// one bridge, one address), indented as MarshalIndent writes it, is 3.2
// MiB; 16 MiB holds about 50,000, more than a host's kernel lets `up`
// build in reasonable time. The bound keeps what a file costs to read
// bounded too: decoding keeps the typed values only (about the file's
// size) and peaks at seven to eight times it.
const MaxFileSize = 16 << 20

// Load reads and decodes the topology file at path, and validates it. It
// reads at most MaxFileSize bytes: a larger file (or one that does not
// end, /dev/zero) is refused with an *InvalidError naming the limit.
func Load(path string) (*Topology, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxFileSize {
		return nil, tooLarge(path)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// tooLarge is the error for a file over MaxFileSize.
func tooLarge(name string) error {
	return invalid(name, 0, "the file is larger than %d MiB, the limit for a topology file (10,000 namespaces take about 3 MiB): split it into several files", MaxFileSize>>20)
}

// Parse decodes a topology strictly (an unknown or repeated field is an
// error naming the field and its line) and validates it. name is used in
// messages ("seed.json:12: ..."). Data over MaxFileSize is refused.
func Parse(name string, data []byte) (*Topology, error) {
	if len(data) > MaxFileSize {
		return nil, tooLarge(name)
	}
	t, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	if err := t.validate(data); err != nil {
		return nil, err
	}
	return t, nil
}

// Source returns the file name the topology was read from.
func (t *Topology) Source() string { return t.source }

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
	for _, b := range t.Bridges {
		for _, a := range b.Addresses {
			if a.Addr().Is6() {
				return true
			}
		}
	}
	for _, e := range t.ends() {
		for _, a := range e.End.Addresses {
			if a.Addr().Is6() {
				return true
			}
		}
	}
	routes := append([]Route(nil), t.Host.Routes...)
	for _, n := range t.Namespaces {
		routes = append(routes, n.Routes...)
	}
	for _, r := range routes {
		if r.To.Addr().Is6() || r.Via.Is6() {
			return true
		}
	}
	return false
}
