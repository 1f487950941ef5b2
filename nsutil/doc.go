// Package nsutil handles network namespaces as the kernel sees them:
// anonymous ones held by a file descriptor, and named ones that are
// iproute2-compatible in both directions (a bind mount of the namespace
// on /run/netns/NAME, with the shared mount propagation `ip netns add`
// sets up), plus running code or starting a program inside one, and
// Run: a program as PID 1 of new pid, uts, ipc, mount (and user)
// namespaces joined to a network namespace, through a helper that is the
// calling program re-executed (IsHelper, RunHelper).
//
// # What it owns, what it must not know
//
// Namespaces, mounts and the threads that switch between them. It knows
// nothing of rtnetlink message formats: the only netlink message it sends
// is RTM_GETNSID (one attribute), to print nsids as `ip netns list` does.
//
// # Kernel interfaces
//
// unshare(2), setns(2), mount(2)/umount2(2) (MS_BIND, MS_SHARED, MS_SLAVE,
// MNT_DETACH, MS_MOVE, UMOUNT_NOFOLLOW), clone(2) flags (CLONE_NEWPID,
// CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWUSER with
// uid_map/gid_map), pivot_root(2), chroot(2), sethostname(2),
// close_range(2), wait4(2) and PR_SET_CHILD_SUBREAPER for the init,
// ioctl_ns(2) (NS_GET_NSTYPE), statfs(2) (NSFS_MAGIC), statx(2)
// (STATX_ATTR_MOUNT_ROOT), flock(2), /proc/thread-self/ns/net,
// /proc/sys/net, and RTM_GETNSID from include/uapi/linux/net_namespace.h.
// iproute2's behaviour is followed from ip/ipnetns.c (netns_add,
// on_netns_del, invalid_name, netns_list), lib/namespace.c
// (netns_switch, bind_etc) and ip/iplink.c (the "netns WORD" of a link:
// netns_get_fd, then a PID).
//
// # Which namespace a word means
//
// As in iproute2 6.1, there are two readings, both here and nowhere else:
// Open takes a name only (what -n, netns exec, netns del and topology
// files use: an all-digit name is a name, never a PID), and
// OpenNameOrPID is the "netns WORD" of `ip link add/set`: the named
// namespace first, a process's only when no such name exists.
//
// # What counts as a named namespace
//
// RunDir/NAME is used (Open) and deleted (Delete) only if it is a network
// namespace bind-mounted on that very entry: it is opened with
// O_NOFOLLOW and must be on nsfs (statfs NSFS_MAGIC) and a network
// namespace (NS_GET_NSTYPE), and Delete unmounts with UMOUNT_NOFOLLOW.
// A symbolic link (to another namespace, or to any mount point), a
// directory, a file with content or another mount is ErrNotNamespace,
// and is left as it is. The empty file that a killed creation leaves
// (ours or `ip netns add`'s: nothing mounted on it) is ErrAborted, which
// also matches os.ErrNotExist: Create replaces it, Delete removes it. A
// creation holds an flock on its file until the namespace is mounted,
// so one in progress is never taken for a leftover.
//
// # Threads (STYLE R7)
//
// A network namespace belongs to a thread, not to a process. Everything
// here that changes a thread's namespace (NewAnonymous, Create, Do, Start)
// does it on a fresh goroutine that locks its OS thread and exits without
// unlocking it, so the Go runtime destroys that thread: a thread living in
// another namespace never serves other goroutines, and there is no
// "switch back" that could fail. The main goroutine must own the main
// thread (`func init() { runtime.LockOSThread() }` in package main, and in
// internal/sandbox for tests), because the runtime wedges, rather than
// destroys, a main thread whose locked goroutine exits (golang/go#34031).
// As a second line of defence, a worker that finds itself on the main
// thread does not touch it: it hands the work to another disposable
// thread and unlocks the untouched main thread.
//
// Everything else (sockets in particular) is bound to a namespace by
// creating it there once: see rtnl.Dial(ns.File()). Use Do only for what
// the calling thread's namespace decides: opening /proc/sys/net, creating
// a socket no Dial covers.
//
// # Concurrency
//
// All functions are safe for concurrent use. A *NetNS is safe for
// concurrent use until Close.
package nsutil
