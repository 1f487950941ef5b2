package nsutil

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// RunDir is where named network namespaces live, as in iproute2
// (NETNS_RUN_DIR; /var/run/netns is a symlink to it on current systems).
const RunDir = "/run/netns"

// nameMax is NAME_MAX: iproute2's invalid_name rejects longer names.
const nameMax = 255

// NetNS is an open network namespace: a file descriptor that keeps it
// alive, and its name under RunDir if it has one.
type NetNS struct {
	f    *os.File
	name string
}

// Name returns the namespace's name under RunDir, or "" for one opened by
// path or created anonymously.
func (n *NetNS) Name() string { return n.name }

// File returns the namespace's file (for rtnl.Dial, IFLA_NET_NS_FD,
// nft.Dial). It stays owned by n: do not close it, and call
// runtime.KeepAlive(n) after passing its Fd on.
func (n *NetNS) File() *os.File { return n.f }

// Close releases the file descriptor. A named namespace lives on (its
// bind mount holds it) until Delete.
func (n *NetNS) Close() error { return n.f.Close() }

// ValidName reports whether name is acceptable as a namespace name. The
// rules are iproute2's invalid_name (ip/ipnetns.c): not empty, at most 255
// bytes (NAME_MAX), no '/', not "." or "..". A NUL byte, which no argv
// can carry, is refused too. The error wraps ErrInvalidName and names
// the offending character; it does not repeat the name, which the caller
// already shows.
func ValidName(name string) error {
	switch {
	case name == "":
		return invalidName("a namespace name cannot be empty")
	case len(name) > nameMax:
		return invalidName(fmt.Sprintf("a namespace name is a file name of at most %d bytes, and this one is %d", nameMax, len(name)))
	case name == "." || name == "..":
		return invalidName(fmt.Sprintf("%q cannot name a namespace: choose another name", name))
	}
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '/':
			return invalidName("a namespace name cannot contain '/'")
		case 0:
			return invalidName(fmt.Sprintf("a namespace name cannot contain a NUL byte (byte %d)", i+1))
		}
	}
	return nil
}

// Create creates a network namespace named name, the way `ip netns add
// NAME` does (ip/ipnetns.c netns_add), so that iproute2 sees and uses it:
// RunDir is created with mode 0755 and made a shared mount point (bound on
// itself first if it is not a mount point yet, under an flock of the
// directory as iproute2 takes it), the file RunDir/NAME is created with
// O_RDONLY|O_CREAT|O_EXCL and mode 0, and the namespace, created by
// unshare(CLONE_NEWNET) on a disposable thread, is bind-mounted onto it
// from /proc/thread-self/ns/net. On any failure the file is removed again.
// An existing name fails with an error that wraps unix.EEXIST, except the
// empty file an interrupted creation left (ErrAborted), which is replaced.
func Create(name string) (*NetNS, error) { return CreateWith(name, nil) }

// CreateWith is Create, and also runs inside, when it is not nil, on the
// thread that created the namespace while that thread is still in it: a
// socket that inside opens (rtnl.Dial(nil), nft.Dial(nil)) is born in the
// new namespace without another thread having to setns(2) into it. The
// thread is discarded afterwards, so goroutines that inside starts run
// elsewhere and are not in the namespace. If inside fails, the namespace
// is removed again and its error returned; whatever inside opened before
// failing is its own to close.
//
// The file stays open and flock(2)ed from its creation until the
// namespace is mounted on it, so that a concurrent Create or Delete does
// not take it for a leftover; the mount is made through that descriptor
// (/proc/thread-self/fd/N), so a symbolic link put in its place cannot
// redirect it.
func CreateWith(name string, inside func() error) (*NetNS, error) {
	const op = "netns add"
	if err := ValidName(name); err != nil {
		return nil, &OpError{Op: op, Name: name, Err: err}
	}
	if err := prepareRunDir(); err != nil {
		return nil, &OpError{Op: op, Name: name, Err: err}
	}
	path := filepath.Join(RunDir, name)
	fd, err := createEntry(path)
	if err != nil {
		return nil, &OpError{Op: op, Name: name, Err: err}
	}
	defer unix.Close(fd) // and so unlock
	mounted := false
	var ino uint64 // of the new namespace, seen from inside
	err = onDisposableThread(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return os.NewSyscallError("unshare", err)
		}
		var st unix.Stat_t
		if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
			return err
		}
		ino = st.Ino
		// The bind mount is the last step, so that whoever watches
		// RunDir (ip netns monitor) sees a complete namespace.
		if err := unix.Mount("/proc/thread-self/ns/net", "/proc/thread-self/fd/"+strconv.Itoa(fd), "none", unix.MS_BIND, ""); err != nil {
			return &os.PathError{Op: "bind mount /proc/thread-self/ns/net on", Path: path, Err: err}
		}
		mounted = true
		if inside != nil {
			return inside()
		}
		return nil
	})
	var f *os.File
	if err == nil {
		f, err = openEntry(path)
	}
	if err == nil {
		var st unix.Stat_t
		if err = unix.Fstat(int(f.Fd()), &st); err == nil && st.Ino != ino {
			err = &os.PathError{Op: "bind mount", Path: path, Err: unix.EEXIST} // another namespace got there first
		}
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		// Undo exactly this creation: our mount, and our file.
		if mounted {
			_ = unix.Unmount(path, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
		}
		if sameFile(fd, path) {
			_ = unix.Unlink(path)
		}
		return nil, &OpError{Op: op, Name: name, Err: err}
	}
	return &NetNS{f: f, name: name}, nil
}

// createEntry creates the empty file RunDir/NAME (replacing the leftover
// of an interrupted creation) and returns it open and flock(2)ed.
func createEntry(path string) (int, error) {
	for retried := false; ; retried = true {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0)
		if err == unix.EEXIST && !retried {
			// A leftover is replaced; a creation in progress (busy) is
			// an existing name.
			if removed, _ := removeAborted(path); removed {
				continue
			}
		}
		if err != nil {
			return -1, &os.PathError{Op: "create", Path: path, Err: err}
		}
		// Between O_CREAT and the lock, a removeAborted may have taken
		// the file for a leftover: then it is no longer ours.
		if err := unix.Flock(fd, unix.LOCK_EX); err != nil || !sameFile(fd, path) {
			unix.Close(fd)
			return -1, &os.PathError{Op: "create", Path: path, Err: unix.EEXIST}
		}
		return fd, nil
	}
}

// prepareRunDir makes RunDir exist and be a shared mount point, exactly as
// netns_add does: a bind mount of the directory on itself upgrades it to
// a mount point when MS_SHARED fails with EINVAL. The flock serialises
// this step against concurrent `ip netns add` runs (Debian bug 949235);
// like iproute2, it proceeds without the lock if flock fails.
func prepareRunDir() error {
	if err := os.Mkdir(RunDir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	lock, err := unix.Open(RunDir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: RunDir, Err: err}
	}
	defer unix.Close(lock)
	if unix.Flock(lock, unix.LOCK_EX) == nil {
		defer unix.Flock(lock, unix.LOCK_UN)
	}
	for madeMountPoint := false; ; madeMountPoint = true {
		err := unix.Mount("", RunDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		if err == nil {
			return nil
		}
		if err != unix.EINVAL || madeMountPoint {
			return &os.PathError{Op: "mount --make-shared", Path: RunDir, Err: err}
		}
		if err := unix.Mount(RunDir, RunDir, "none", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return &os.PathError{Op: "mount --bind", Path: RunDir, Err: err}
		}
	}
}

// Open opens the namespace RunDir/NAME (made by Create or by `ip netns
// add`), by name only. A missing one fails with an error that wraps
// os.ErrNotExist; so does the empty file of an interrupted creation
// (ErrAborted). An entry that is not a network namespace bind-mounted
// there (a symbolic link, which is never followed, or anything else) is
// refused with ErrNotNamespace.
func Open(name string) (*NetNS, error) {
	if err := ValidName(name); err != nil {
		return nil, &OpError{Op: "netns open", Name: name, Err: err}
	}
	f, err := openEntry(filepath.Join(RunDir, name))
	if err != nil {
		return nil, &OpError{Op: "netns open", Name: name, Err: err}
	}
	return &NetNS{f: f, name: name}, nil
}

// OpenNameOrPID opens the namespace that `ip link set DEV netns WORD`
// (and `ip link add ... netns WORD`) puts a link in, resolved as iproute2
// 6.1 resolves WORD (ip/iplink.c iplink_parse: netns_get_fd, then
// get_integer): the namespace named WORD under RunDir when there is one,
// and only when no such name exists and WORD is a number, the namespace
// of the process with that PID (/proc/PID/ns/net, the namespace iproute2's
// IFLA_NET_NS_PID names). A named namespace always wins: after `ip netns
// add 42`, WORD 42 is that namespace, never process 42's. Every other
// command (-n, netns exec, netns del, topology files) takes names only:
// use Open. A word that names nothing fails with an error that wraps
// os.ErrNotExist; a number that is no process's PID, one that wraps
// unix.ESRCH (the kernel's answer to IFLA_NET_NS_PID).
func OpenNameOrPID(word string) (*NetNS, error) {
	ns, err := Open(word)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return ns, err
	}
	pid, ok := parseCInt(word)
	if !ok {
		return nil, err
	}
	if pid > 0 {
		ns, perr := OpenPath("/proc/" + strconv.FormatInt(pid, 10) + "/ns/net")
		if perr == nil || !errors.Is(perr, os.ErrNotExist) {
			return ns, perr
		}
	}
	return nil, &OpError{Op: "netns open", Name: word, Err: fmt.Errorf("no namespace named %s in %s and no process %d: %w", word, RunDir, pid, unix.ESRCH)}
}

// parseCInt reads s as iproute2's get_integer(&v, s, 0) does: strtol
// with base 0 (leading white space, a sign, 0x for hex, 0 for octal), the
// whole string, within the range of a C int.
func parseCInt(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	v, err := strconv.ParseInt(s, base, 64)
	if neg {
		v = -v
	}
	if err != nil || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, false
	}
	return v, true
}

// OpenPath opens the network namespace at path, e.g. /proc/PID/ns/net or
// a bind mount of one anywhere. Name() is "" for it.
func OpenPath(path string) (*NetNS, error) {
	f, err := openNetNS(path)
	if err != nil {
		return nil, &OpError{Op: "netns open", Err: err}
	}
	return &NetNS{f: f}, nil
}

// Current opens the calling process's network namespace: the one of its
// thread-group leader (/proc/self/ns/net), which package main keeps on the
// main thread.
func Current() (*NetNS, error) { return OpenPath("/proc/self/ns/net") }

// openNetNS opens path and checks with NS_GET_NSTYPE that it is a network
// namespace, so that a stale file under RunDir (no bind mount on it) or a
// wrong path is reported here and not as EINVAL from a later setns.
func openNetNS(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	t, err := unix.IoctlRetInt(int(f.Fd()), unix.NS_GET_NSTYPE)
	if err != nil || t != unix.CLONE_NEWNET {
		f.Close()
		if err == nil || err == unix.ENOTTY {
			err = unix.EINVAL
		}
		return nil, fmt.Errorf("%s is not a network namespace: %w", path, err)
	}
	return f, nil
}

// Delete deletes the named namespace as `ip netns del NAME` does
// (on_netns_del): umount2(MNT_DETACH), then unlink. Like ip, it succeeds
// (ip prints nothing and exits 0) while processes still run inside: the
// namespace then lives on, nameless, until the last of them exits. A
// missing name fails with an error that wraps os.ErrNotExist (ip:
// `Cannot remove namespace file "/run/netns/NAME": No such file or
// directory`, exit 1). Unlike ip, it never follows a symbolic link
// (UMOUNT_NOFOLLOW: a link to /run/netns/red, or to any mount point, is
// not unmounted through) and refuses, changing nothing, an entry that is
// not a network namespace (ErrNotNamespace); the empty file of an
// interrupted creation (ErrAborted) is removed.
func Delete(name string) error {
	if err := ValidName(name); err != nil {
		return &OpError{Op: "netns del", Name: name, Err: err}
	}
	if err := deleteEntry(filepath.Join(RunDir, name)); err != nil {
		return &OpError{Op: "netns del", Name: name, Err: err}
	}
	return nil
}

func deleteEntry(path string) error {
	f, err := openEntry(path)
	for again := true; errors.Is(err, ErrAborted) && again; again = false {
		removed, rerr := removeAborted(path)
		if rerr != nil || removed {
			return rerr
		}
		f, err = openEntry(path) // it changed under us: look once more
	}
	switch {
	case errors.Is(err, ErrAborted):
		return &os.PathError{Op: "remove", Path: path, Err: unix.EBUSY}
	case errors.Is(err, os.ErrNotExist):
		return &os.PathError{Op: "remove", Path: path, Err: unix.ENOENT}
	case err != nil:
		return err
	}
	f.Close()
	if err := unix.Unmount(path, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW); err != nil && err != unix.EINVAL {
		return &os.PathError{Op: "unmount", Path: path, Err: err}
	}
	if err := unix.Unlink(path); err != nil {
		return &os.PathError{Op: "remove", Path: path, Err: err}
	}
	return nil
}
