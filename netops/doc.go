// Package netops is nsnet's operations layer: one change to a network
// namespace's network at a time, each as a call that makes it and records
// its exact undo in a Journal. topo (`nsnet up`) plans and orders these
// changes for a whole topology file; the CNI plugin makes them for one
// container per ADD; multi-node will make them per node. None of them
// creates, undoes or tears down links, addresses, routes or NAT rules any
// other way.
//
// The changes:
//
//   - CreateNetns: a named namespace (/run/netns/NAME), its socket dialled
//     inside by the thread that created it.
//   - EnsureBridge: a bridge, up, with its MTU, a fixed MAC and no IPv6 if
//     asked; one that is already there is used as it is.
//   - CreateVeth and Attach: a veth whose peer is born inside the target
//     namespace (IFLA_NET_NS_FD: never moved), the host end up and on the
//     bridge in the same RTM_NEWLINK, 1 TX and 1 RX queue, both indexes
//     from the kernel's NLM_F_ECHO report; then the namespace's end up,
//     its addresses and routes in one write on its own socket. Attach
//     takes what the CNI bridge plugin takes: interface names, MTU, MACs,
//     addresses, routes, no-IPv6, hairpin.
//   - Batch: links up (lo too), addresses, routes (added, or replacing one
//     in their place) in one rtnetlink write per namespace socket.
//   - SetLink: up, MTU, master, hairpin of an existing link, undone to the
//     values read just before.
//   - AddNAT: a masquerade or port forward in table inet nsnet, one
//     nf_tables transaction.
//   - Sysctl: a per-namespace sysctl, undone to its old value.
//   - DeleteLink, DeleteNAT: teardown by name, for what a caller made in
//     an earlier run (no journal).
//
// # What is undone
//
// A Journal undoes exactly what this run created or changed, and never an
// object that existed before or that a concurrent writer made: an undo is
// recorded only once the kernel confirmed the change (per request of a
// batch: rtnl.Batch.FlushEach), so a request that failed with EEXIST
// (the object is someone else's) has none. An object that is already
// there exactly as declared (a bridge, an address, a route, a NAT rule) is
// "already there", whoever made it first: two `up`s or CNI ADDs sharing a
// bridge do not collide. Anything else in the way (a link of another kind,
// a veth name taken) is a *ConflictError and nothing is made for it.
// Deleting a namespace the journal created takes everything in it, and the
// host ends of its veths, which Undo waits for; lo brought up in an
// existing namespace is put back exactly (down, without 127.0.0.1/8 and
// its local routes, with the noop qdisc).
//
// # What it owns, what it must not know
//
// The changes, their order within one namespace's write, their undo, and
// the kernel facts that decide them (which requests may share a write,
// what EEXIST means for each object). It knows nothing of files, of CNI,
// of the command line: it never prints, and its errors are typed
// (*Error with a Verb and an Object, *ConflictError, *GoneError) with the
// lower layer's error underneath, for the CLI to put into words. Byte
// layouts are rtnl's and nft's; namespaces as the kernel sees them are
// nsutil's.
//
// # Namespaces
//
// Every change takes an *NS: an open namespace handle (nsutil.NetNS, from
// a name, a path such as /proc/PID/ns/net, or the process's own with
// OpenCurrent) and the rtnetlink sockets dialled inside it. No request
// needs setns(2); sysctls of a namespace other than the process's own are
// read and written from a disposable thread (nsutil.NetNS.Do).
//
// # Concurrency
//
// An NS and a Journal are safe for concurrent use: workers making changes
// in different namespaces share the host's NS (which lends each its own
// socket) and one journal. A Batch is not safe for concurrent use.
//
// # Kernel interfaces (through the layers below)
//
// rtnetlink(7): RTM_NEWLINK (IFLA_NET_NS_FD on the veth peer, IFLA_MASTER
// on the host end, IFLA_INET6_ADDR_GEN_MODE, IFLA_BRPORT_MODE),
// RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWQDISC; nf_tables (table inet nsnet);
// /proc/sys/net; /run/netns.
package netops
