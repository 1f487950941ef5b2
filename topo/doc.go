// Package topo is nsnet's declarative topology: a JSON file describing
// namespaces, bridges, veth pairs, addresses, routes, forwarding and NAT is
// parsed strictly, validated before anything changes, compared with the
// live system (plan), applied (up), compared again (status), torn down
// (down), checked against the seed's troubleshooting list (doctor) and
// drawn (DOT).
//
// # What it owns, what it must not know
//
// The file format and everything above single kernel requests: ordering,
// parallelism, the journal that undoes a failed `up`, and teardown. It
// knows nothing of byte layouts: links, addresses and routes go through
// rtnl, NAT through nft, namespaces and sysctls through nsutil. It never
// prints; the CLI (cmd/nsnet) formats what it returns.
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
// bounded pool of workers. Teardown deletes namespaces (the kernel frees
// their devices together) instead of links one by one.
//
// # Concurrency
//
// A *Topology is read-only after Parse and safe for concurrent use. Up,
// Down, Plan and Status may run concurrently with each other only on
// different topologies.
package topo
