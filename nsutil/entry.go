package nsutil

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// ErrNotNamespace is wrapped when RunDir/NAME exists but is not a network
// namespace bind-mounted there: a symbolic link (never followed, so that
// `netns del X` with X a link to /run/netns/red cannot destroy red), a
// directory, a file with content, another file system or another kind
// of namespace mounted on it. nsnet neither uses nor removes such an
// entry.
var ErrNotNamespace = errors.New("not a network namespace")

// ErrAborted is wrapped when RunDir/NAME is an empty regular file with
// nothing mounted on it: what a creation (Create, or `ip netns add`)
// leaves behind when it is killed between creating the file and
// bind-mounting the namespace on it. Such an error also matches
// os.ErrNotExist, since there is no namespace of that name: Create
// replaces the file, Delete removes it, and callers that treat a missing
// namespace as "to be created" (topo's plan and up) repair it unchanged.
var ErrAborted = errors.New("an interrupted namespace creation left an empty file")

// entryError says what RunDir/NAME is instead of a namespace.
type entryError struct {
	path string
	is   string // "is a symbolic link", ...
	kind error  // ErrNotNamespace or ErrAborted
}

func (e *entryError) Error() string {
	if e.kind == ErrAborted {
		return e.path + " " + e.is + ", left by an interrupted creation"
	}
	return e.path + " " + e.is + ", not a network namespace"
}

func (e *entryError) Is(target error) bool {
	return target == e.kind || e.kind == ErrAborted && target == os.ErrNotExist
}

// openEntry opens RunDir/NAME for use as a namespace, refusing anything
// but a network namespace bind-mounted on that very entry: the last
// component is opened with O_NOFOLLOW (a symbolic link fails with
// ELOOP), and the file must be on nsfs (fstatfs NSFS_MAGIC: an nsfs
// inode can appear under a directory only as the root of a bind mount)
// and a network namespace (NS_GET_NSTYPE). O_NONBLOCK keeps a FIFO from
// blocking the open.
func openEntry(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	switch {
	case err == unix.ELOOP:
		return nil, &entryError{path: path, is: "is a symbolic link", kind: ErrNotNamespace}
	case err != nil:
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	if err := checkEntry(fd, path); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}

// checkEntry returns nil if fd (opened from path without following it)
// is a network namespace on nsfs, and otherwise an error that says what
// it is instead.
func checkEntry(fd int, path string) error {
	var fs unix.Statfs_t
	if err := unix.Fstatfs(fd, &fs); err != nil {
		return &os.PathError{Op: "statfs", Path: path, Err: err}
	}
	if fs.Type == unix.NSFS_MAGIC {
		t, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
		if err != nil {
			return &os.PathError{Op: "ioctl NS_GET_NSTYPE", Path: path, Err: err}
		}
		if t != unix.CLONE_NEWNET {
			return &entryError{path: path, is: "is another kind of namespace", kind: ErrNotNamespace}
		}
		return nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &os.PathError{Op: "stat", Path: path, Err: err}
	}
	switch {
	case st.Mode&unix.S_IFMT == unix.S_IFDIR:
		return &entryError{path: path, is: "is a directory", kind: ErrNotNamespace}
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return &entryError{path: path, is: "is a special file", kind: ErrNotNamespace}
	case isMountRoot(fd):
		return &entryError{path: path, is: "has a file system mounted on it (statfs type 0x" + strconv.FormatInt(int64(fs.Type), 16) + ")", kind: ErrNotNamespace}
	case st.Size != 0:
		return &entryError{path: path, is: "is a file with content", kind: ErrNotNamespace}
	}
	return &entryError{path: path, is: "is an empty file with no namespace mounted on it", kind: ErrAborted}
}

// isMountRoot reports whether fd is the root of a mount
// (STATX_ATTR_MOUNT_ROOT, Linux 5.8). If the kernel cannot say, it
// answers true, so that the file is not taken for a leftover and removed.
func isMountRoot(fd int) bool {
	var stx unix.Statx_t
	if err := unix.Statx(fd, "", unix.AT_EMPTY_PATH, 0, &stx); err != nil || stx.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT == 0 {
		return true
	}
	return stx.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0
}

// sameFile reports whether path (not followed) is still the file fd is
// open on.
func sameFile(fd int, path string) bool {
	var a, b unix.Stat_t
	return unix.Fstat(fd, &a) == nil && unix.Lstat(path, &b) == nil && a.Dev == b.Dev && a.Ino == b.Ino
}

// removeAborted removes the leftover of an interrupted creation at path,
// and reports whether it did. It removes nothing else: the entry must
// still be an empty regular file with nothing mounted on it, and no
// Create may hold its lock (Create locks the file from its creation until
// the namespace is mounted on it, so a creation in progress is not a
// leftover; an `ip netns add` in progress takes no lock, but its window
// between creating the file and mounting is a few microseconds).
func removeAborted(path string) (bool, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, nil // gone, or not a leftover: the caller's own step reports it
	}
	defer unix.Close(fd)
	if !errors.Is(checkEntry(fd, path), ErrAborted) {
		return false, nil
	}
	if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) != nil {
		return false, &os.PathError{Op: "remove", Path: path, Err: unix.EBUSY} // being created right now
	}
	if !sameFile(fd, path) {
		return false, nil
	}
	if err := unix.Unlink(path); err != nil {
		return false, &os.PathError{Op: "remove", Path: path, Err: err}
	}
	return true, nil
}
