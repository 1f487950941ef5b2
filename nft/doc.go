// Package nft speaks the nf_tables netlink protocol (NETLINK_NETFILTER,
// subsystem NFNL_SUBSYS_NFTABLES) without the nft binary.
//
// It owns: batch transactions (NFNL_MSG_BATCH_BEGIN ... END written in one
// sendmsg, applied whole or not at all), tables, chains (base chains with
// type, hook, priority and policy), rules built from one Expr type per
// kernel expression (meta, payload, cmp, bitwise, immediate, nat, masq,
// counter, ct, fib), typed kernel enums with nft's names (MetaKey, CmpOp,
// NatType, Family, Hook, Policy), and decoding of all of them back from
// kernel dumps; attributes it does not model are kept verbatim (RawAttr),
// so a decoded rule re-encodes to what the kernel sent. It knows nothing
// of what nsnet's rules mean (package firewall builds them from these
// pieces), of rtnl, of namespace names or of the CLI.
//
// Kernel interfaces: include/uapi/linux/netfilter/nf_tables.h,
// include/uapi/linux/netfilter/nfnetlink.h, net/netfilter/nfnetlink.c
// (nfnetlink_rcv_batch) and libnftnl's udata format for rule comments.
// nf_tables integers are big-endian on the wire; netlink headers and
// attribute headers are host-endian.
//
// Namespace contract: a Conn is dialled inside one network namespace
// (Dial(ns)) and every request made through it acts there; no request ever
// calls setns(2).
//
// Concurrency: a Conn is safe for concurrent use by several goroutines; a Tx
// is not. Tx.RequireGen (NFNL_BATCH_GENID) lets a caller detect a
// concurrent writer between its read and its commit.
//
// Debugging: NLDEBUG=level=1 (mdlayher/netlink) prints every message sent
// and received.
package nft
