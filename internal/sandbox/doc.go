// Package sandbox runs tests, benchmarks and the demo inside a private
// network + mount namespace, and holds the iproute2/nft oracles that tests
// compare nsnet against.
//
// # What it owns
//
// The test-facing side of DESIGN.md "Tests". The mechanism itself lives in
// internal/isolate, which does not import package testing so that the
// nsnet binary (nsnet demo, nsnet sandbox -- CMD) can use it: a process
// running as root re-executes /proc/self/exe in a fresh network and mount
// namespace (SysProcAttr.Unshareflags = CLONE_NEWNET|CLONE_NEWNS, Pdeathsig
// SIGKILL), and the re-executed child proves it is a sandbox before
// anything runs (the parent passes the inodes of its own network and mount
// namespaces, NSNET_SANDBOX_PARENT_NETNS and NSNET_SANDBOX_PARENT_MNTNS,
// and the child refuses to run unless both of its own differ; comparing
// with /proc/1/ns/net is not enough: it can be unreadable, and a check
// that cannot read it must fail, not pass). Inside, the child makes /
// recursively private, mounts a private tmpfs on /run/netns (and first a
// tmpfs on /run when the host has no /run/netns, so that nothing is ever
// created on the host), mounts a fresh sysfs on /sys so that
// /sys/class/net shows the sandbox's links, and brings lo up with
// SIOCSIFFLAGS (no rtnetlink: these packages sit below every other one).
//
// Entry points:
//
//   - Main, for TestMain: os.Exit(sandbox.Main(m)). It also fails the run
//     when m.Run leaves file descriptors open (STYLE R12).
//   - Require and Inside, for tests and benchmarks that need root.
//   - Run, RunJSON, IPJSON, NFTJSON: the oracles (`ip -j ...`, `nft -j
//     ...`). A missing tool skips the test unless NSNET_REQUIRE_ORACLES=1,
//     which turns the skip into a failure (CI sets it).
//   - Marked, Reexec, EnterChild and Exec: isolate's Marked, Run, Enter
//     and Exec under the names bench/cmd/nsbench uses (the parent calls
//     Reexec(argv, ...); the re-executed program sees Marked() and calls
//     EnterChild() before anything else). The nsnet binary calls isolate
//     directly (cmd/nsnet/sandbox.go, demo.go).
//
// # Threads
//
// This package's init locks the main goroutine to the main thread
// (STYLE §3.2, the one allowed exception to "no init in libraries"): every
// test binary imports it, and without the lock a throwaway goroutine of
// nsutil that unshare(2)s could land on M0, which the runtime then wedges
// instead of killing (golang/go#34031), after which /proc/self/ns/net names
// the wrong namespace. Reexec must be called from the main goroutine:
// Pdeathsig fires when the *thread* that forked the child exits, and only
// the locked main thread is guaranteed to outlive the child.
//
// # What it must not know
//
// Netlink message formats: it imports no other nsnet package.
package sandbox
