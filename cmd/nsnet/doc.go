// Command nsnet does the network-namespace workflow of iproute2's `ip`
// (netns, link, addr, route, neigh) by speaking to the kernel directly,
// plus nsnet's own objects (nat, forward, ping, arping, and the topology
// commands of topo.go). Installed or linked as `ip`, it is nsnet; linked as
// `ping` or `arping`, it is `nsnet ping` / `nsnet arping`, so that
// `ip netns exec red ping 192.168.15.2` works on a host without iputils.
//
// What it owns (DESIGN.md): argument parsing, output formatting (text and
// `-j` JSON with iproute2's field names, all in fields.go), exit codes, and
// the sentences that explain a refusal (explain.go, the only place where
// an errno becomes words). It knows nothing of byte layouts and makes no
// system calls of its own: it never imports golang.org/x/sys/unix,
// mdlayher/netlink or encoding/binary (STYLE.md R15) and declares no
// kernel constant (internal/archtest checks both); the kernel values it
// prints come typed from rtnl (rtnl.LinkFlags, Scope, AddrFlags,
// RouteType, RouteProtocol, NeighState...), whose String methods give
// iproute2's words.
//
// Shape (R15): run(argv, stdout, stderr) is main without the process.
// parse is pure (no syscalls, no files) and returns a typed request; every
// word is validated there, so bad input exits 2 before anything changes.
// request.run acts through rtnl, nsutil, nft, probe and topo; a refusal
// exits 1 with a sentence such as
//
//	nsnet: link add veth-red: file exists (a link named veth-red is already in namespace red)
//
// Grammar: iproute2's, with its abbreviation rule (matches(): the first
// object or command in iproute2's own order that the word is a prefix of),
// so `ip a`, `ip r`, `ip l`, `ip n`, `ip addr sh`, `ip link ls` mean what
// they mean to ip. nsnet's own objects are never abbreviated. To add an
// object, write cmd/nsnet/OBJECT.go with its parse function, usage text and
// request types, and add one line to the table in objects() (parse.go).
//
// Namespaces: a request dials one rtnetlink (or nf_tables) socket inside
// the namespace of -n and uses it for everything; the only thread switches
// are nsutil's (netns exec, sysctls, nsid lookups), on disposable threads.
// main's init locks the main goroutine to the main thread so that those
// never land on it (STYLE.md §3.2).
//
// Tests: parse and formatting tests need no privileges; the rest run as
// root inside internal/sandbox and compare nsnet with the real iproute2
// (by absolute path, never via PATH) and with traffic. TestSeed runs the
// seed's command lists (testdata/seed_quick.sh, seed_bridge.sh) verbatim
// with the built binary linked as ip and ping first on PATH.
package main
