// Package archtest holds no code: its test enforces DESIGN.md's layering
// (arrows point down only: cmd -> topo -> rtnl, nft, nsutil, probe) and
// STYLE.md R16's dependency list, by asking `go list -deps`; it reads
// topo's sources to keep address parsing in its decoder, and checks that
// the CLI knows no kernel format: cmd/nsnet imports neither x/sys/unix,
// mdlayher/netlink nor encoding/binary, and declares no kernel constant
// (rtnl exports them typed, with iproute2's words as their String). It
// also keeps two rules in one place each: the interface-name rule in
// internal/ifname, and namespace names with their name-or-PID resolution
// in nsutil.
package archtest
