// Package probe sends ICMP echo requests (ping, IPv4 and IPv6) and ARP
// requests (arping) from inside a network namespace, with no external
// binary, and formats their results as iputils ping and arping print them.
//
// What it owns: the ICMP echo encoding and decoding (RFC 792, RFC 4443),
// the error-queue entries ping reads (struct sock_extended_err,
// include/uapi/linux/errqueue.h, via IP_RECVERR/IPV6_RECVERR), and the
// probing loops. ARP packets are encoded and decoded by
// github.com/mdlayher/arp. It knows nothing of rtnl, nft, topo or the CLI.
//
// Namespace contract: every function takes the namespace as an *os.File (nil
// means the calling thread's). Each probe creates its socket inside that
// namespace through mdlayher/socket's Config.NetNS, which does the thread
// switch once per socket (STYLE R6); a socket keeps the namespace it was
// created in, so everything after, including the interface lookups done by
// ioctl on that socket, happens in ns without switching threads again.
//
// Ping uses an unprivileged ping socket (SOCK_DGRAM + IPPROTO_ICMP/ICMPV6,
// allowed by net.ipv4.ping_group_range, which is "1 0", nobody, in a new
// namespace) and falls back to a raw ICMP socket (CAP_NET_RAW). Arping uses
// a packet socket (packet(7), SOCK_DGRAM, bound to ETH_P_ARP on the
// interface), which needs CAP_NET_RAW. ResolveAt (and ArpingOptions.To)
// sends its requests to one MAC address instead of broadcasting them: a
// unicast probe, which on a bridge of a thousand ports reaches one station
// instead of all of them.
//
// Concurrency: Ping, Arping and Resolve may run concurrently, each with
// its own socket. An ARPConn is for one goroutine at a time. Callbacks
// (onReply) run on the calling goroutine, never concurrently.
package probe
