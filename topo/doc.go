// Package topo is nsnet's declarative topology: a JSON file describing
// namespaces, bridges, veth pairs, addresses, routes, forwarding and NAT is
// parsed strictly, validated before anything changes, compared with the
// live system (plan), applied (up), compared again (status), torn down
// (down), checked against the seed's troubleshooting list (doctor) and
// drawn (DOT).
//
// # The file format
//
// A topology is one JSON object of at most MaxFileSize (16 MiB); every
// field is optional except names. Unknown or repeated fields are errors
// that name the field and its line (field names are matched exactly,
// case included); a file that is null is refused.
//
//	{
//	  "host":       {"forwarding": true, "routes": [ROUTE...]},
//	  "namespaces": [{"name": "red", "forwarding": false, "routes": [ROUTE...]}],
//	  "bridges":    [{"name": "v-net-0", "addresses": ["192.168.15.5/24"], "mtu": 1500}],
//	  "veths":      [{"name": "veth-red", "netns": "red", "addresses": ["192.168.15.1/24"],
//	                  "peer": {"name": "veth-red-br", "bridge": "v-net-0"}}],
//	  "nat": {"masquerade": [{"src": "192.168.15.0/24", "oif": "eth0"}],
//	          "forward":    [{"proto": "tcp", "port": 8080, "to": "192.168.15.2:80", "iif": "eth0"}]}
//	}
//	ROUTE = {"to": "default" | "CIDR", "via": "GATEWAY", "dev": "IFNAME", "metric": N}
//
// The host is the namespace nsnet runs in. Bridges are on the host. A veth
// has two ends, each with a name, a namespace ("netns"; none means the
// host) and addresses; a host end may join a bridge instead of having
// addresses. Pairs go namespace <-> bridge, namespace <-> host, or
// namespace <-> namespace. Addresses are CIDRs, IPv4 or IPv6; a file with
// no IPv6 at all gets links without IPv6 (no link-local address, no DAD,
// no MLD). "forwarding" sets net.ipv4.ip_forward (and IPv6 forwarding when
// the file has IPv6). NAT rules live in nftables table inet nsnet.
// testdata/seed.json is the seed's whole picture; topo/seed.json is the
// copy `nsnet demo` embeds.
//
// Validate refuses, before anything changes: interface names the kernel
// refuses (longer than 15 bytes, '/', ':', whitespace, "." or ".."),
// namespace names iproute2 refuses, duplicates (namespaces, interfaces per
// namespace, addresses anywhere, routes, NAT rules), malformed CIDRs and
// host bits in destinations, overlapping subnets on different segments,
// gateways not on a subnet the namespace is connected to (or the
// namespace's own address), forwards to an address no namespace has, a
// port forwarded twice, undeclared namespaces and bridges.
//
// # What it owns, what it must not know
//
// The file format and everything above single changes: what to do about
// each object (diff: one function and one small operation type per kind,
// ops.go), ordering and parallelism (apply.go, configure.go), status,
// doctor and teardown. The changes themselves, and the journal that undoes
// exactly what a failed `up` made, are the operations layer's (package
// netops), which the CNI plugin uses too: topo never creates, deletes or
// undoes a link, address, route or NAT rule by itself. It knows nothing of
// byte layouts. It never prints, and its errors carry typed steps and
// objects (*StepError, *ConflictError, *SharedBridgeError, netops's
// errors underneath); the CLI (cmd/nsnet) puts them into words.
//
// What up takes as it finds it: an object that is there exactly as the
// file says is "already there", whoever made it (two ups sharing a bridge
// do not collide). Anything else with a name the file uses, a veth paired
// with something the file does not describe included, is a conflict
// before any change; up never deletes what it did not create.
//
// # Kernel interfaces (through the layers below)
//
// rtnetlink(7) (RTM_NEWLINK with IFLA_NET_NS_FD on the veth peer and
// IFLA_MASTER on the host end, RTM_NEWADDR, RTM_NEWROUTE), nf_tables
// (table inet nsnet), /run/netns and /proc/sys/net.
//
// # Speed
//
// One rtnetlink socket per namespace, dialled inside it once. A veth is
// born with its peer already in its namespace and its host end up and
// enslaved, in one message; the namespace's own batch brings lo and the
// peer up and adds addresses and routes. Links of a topology without IPv6
// get no IPv6 (IFLA_INET6_ADDR_GEN_MODE none). Namespaces are set up by a
// bounded pool of workers (errgroup.SetLimit). Teardown deletes namespaces (the kernel frees
// their devices together) instead of links one by one.
//
// # Concurrency
//
// A *Topology is read-only after Parse and safe for concurrent use. Up,
// Down, Plan and Status may run concurrently with each other only on
// different topologies.
package topo
