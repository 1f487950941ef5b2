// Package rtnl speaks rtnetlink (rtnetlink(7)): links, addresses, routes
// and neighbours, encoded and decoded by hand on top of
// github.com/mdlayher/netlink's framing and attribute coders.
//
// What it owns: the message bodies of RTM_{NEW,DEL,GET,SET}LINK,
// RTM_{NEW,DEL,GET}ADDR, RTM_{NEW,DEL,GET}ROUTE, RTM_{NEW,DEL,GET}NEIGH
// and RTM_{NEW,DEL}QDISC (struct ifinfomsg, ifaddrmsg, rtmsg, ndmsg, tcmsg
// and their IFLA_*, IFA_*, RTA_*, NDA_*, TCA_KIND attributes:
// include/uapi/linux/rtnetlink.h, if_link.h, if_addr.h, neighbour.h,
// veth.h), a Conn bound to one network namespace, and batches of requests,
// whose results can be read per request (Batch.FlushEach: what an undo
// journal needs to record only what the kernel confirmed). Link kinds are one file each (link_veth.go,
// link_bridge.go); any other kind decodes into *UnknownInfo without loss,
// and attributes this package does not decode are kept in the Unknown
// fields, so that decode → encode → decode gives the same value.
// Kernel enums and flag words are typed (LinkFlags, LinkMode,
// HardwareType, Family, Scope, AddrFlags, RouteType, RouteProtocol,
// RouteFlags, RoutePref, NeighState, NeighFlags), their constants are the
// kernel's, and their String (or Words) methods print iproute2 6.1's
// words, so that no caller re-declares a kernel number or decodes bytes.
//
// What it must not know: namespaces' names (/run/netns is nsutil's),
// nftables, the command line. It never prints or exits.
//
// Namespace contract: a Conn acts in the namespace it was dialled in
// (Dial(ns)); the socket stays there, so no request needs setns(2) and
// no goroutine's thread is ever moved. IFLA_NET_NS_FD (Link.NetNS)
// creates or moves a link into another namespace from that same socket.
//
// Concurrency contract: a Conn is safe for concurrent use (requests are
// serialized on its socket); a Batch is not.
//
// Errors: every failure of a request is an *OpError naming the request
// ("link add veth-red: file exists"); the kernel's errno is underneath
// (errors.Is(err, unix.EEXIST)) and its extended-ACK message is in Hint.
// A dump the kernel keeps marking interrupted (NLM_F_DUMP_INTR) fails
// with ErrDumpInterrupted instead of returning a partial answer.
//
// Socket: package netlink dials the socket (on a thread in the target
// namespace, with the strict options) and owns its descriptor; the Conn
// writes and reads it itself (socket.go), so that it sees every message
// of an answer, NLMSG_DONE and its NLM_F_DUMP_INTR included. Tests put a
// fake kernel under the same code at the unexported transport seam.
//
// Debugging: with NLDEBUG set in the environment (any value, e.g.
// NLDEBUG=level=1), a Conn prints every message it sends and receives to
// standard error, one line each ("nl: send: {Header:... Data:...}").
//
// Test data: testdata/link_*.hex, addr_*.hex, route_*.hex, neigh_*.hex
// are this package's own encoder output, frozen (go test ./rtnl -run
// Golden -update rewrites them); ip_*.hex are iproute2 6.1's requests and
// kernel_*.hex the kernel's dump replies, both recorded by
// testdata/capture/capture.sh with strace, which seed the decoders and
// the fuzz targets.
package rtnl
