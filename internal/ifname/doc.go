// Package ifname holds the one rule for network interface names: which
// names the kernel takes exactly as given. Every part of nsnet that
// accepts an interface name from a user (the command line, topology
// files, NAT oif/iif, the CNI plugin) checks it with [Check] before
// anything changes, so a name is refused with exit 2 instead of being
// refused half-way through a change, or silently renamed.
//
// # What it owns, what it must not know
//
// The kernel's naming rule and nothing else: it is a leaf below rtnl and
// nft (both of which carry interface names, and neither of which may
// import the other), and knows nothing of netlink, namespaces or the CLI.
//
// # Kernel interfaces
//
// The rule is read from the kernel's net/core/dev.c: dev_valid_name()
// (1 to IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or byte for which
// the kernel's isspace() is true) and __dev_alloc_name() (a '%' makes the
// name a template: "br%d" becomes br0, br1, ...; any other '%' is
// EINVAL). The kernel's isspace() is its own Latin-1 table (lib/ctype.c):
// true for 0x09-0x0d, 0x20 and 0xA0. It tests bytes, so a UTF-8 character
// one of whose bytes is 0xA0 (U+00A0, but also "à", U+00E0 = C3 A0) is
// refused, while U+2003 EM SPACE (E2 80 83) is accepted. Verified on
// kernel 6.18 with `ip link add NAME type bridge`. iproute2 6.1's
// check_ifname (lib/utils.c) refuses a subset of this (no '/', no
// isspace() of the C locale, at most 15 bytes), so nothing the kernel
// accepts is refused here.
//
// # Concurrency
//
// Check is a pure function, safe for concurrent use.
package ifname
