// Package bench measures nsnet against the tools users would otherwise use,
// side by side, in one private sandbox (internal/sandbox): per-namespace
// setup and teardown (iproute2 one process per step, ip -batch,
// vishvananda/netlink as Docker uses it and at its best, a hand-written
// raw-syscall floor, nsnet's library, topo.Up and `nsnet up`), nf_tables NAT
// loading (nft per command, nft -f, google/nftables, nsnet's nft package),
// CLI cold start and binary size (next to three Go floors: cmd/gohello, the
// runtime alone; cmd/golinks, a `link show` from raw system calls; and
// cmd/gostd, the standard library nsnet uses). cmd/nsbench runs everything, prints the
// tables and writes RESULTS.md and setup.svg; the go test benchmarks are the
// CI smoke of the same code.
//
// # What it owns
//
// bench/ only. It is a module of its own (go.mod replaces
// github.com/nsnet/nsnet with ../) so that comparison-only dependencies
// (vishvananda/netlink, vishvananda/netns, google/nftables) never enter the
// product's go.mod. Product packages are measured, never changed, here.
//
// # Kernel interfaces
//
// The floor (nl.go, netns.go, way_raw.go) speaks rtnetlink(7) directly with
// golang.org/x/sys/unix: include/uapi/linux/if_link.h, veth.h, rtnetlink.h.
// Everything else goes through the tools and libraries being compared.
//
// # Namespaces and threads
//
// Every measurement must run inside the sandbox: cmd/nsbench re-executes
// itself there (sandbox.Reexec, the inode guard), the test binary through
// sandbox.Main. Run executes each way on a goroutine of its own, so that a
// way that switches its thread's namespace (the Docker-style row) never
// does it on the caller's thread; the floor creates namespaces on one locked
// thread that is discarded, never switched back.
//
// # Concurrency
//
// Nothing here is safe for concurrent use: measurements run one at a time,
// because running two would measure their interference.
package bench
