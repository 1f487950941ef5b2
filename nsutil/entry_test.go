package nsutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// entry makes RunDir/name with mk and removes it (and whatever is
// mounted on it) at the end of the test.
func entry(t *testing.T, name string, mk func(path string) error) string {
	t.Helper()
	p := filepath.Join(RunDir, name)
	if err := mk(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		unix.Unmount(p, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
		os.Remove(p)
	})
	return p
}

func bindOnto(src string) func(string) error {
	return func(p string) error {
		if err := os.WriteFile(p, nil, 0); err != nil {
			return err
		}
		return unix.Mount(src, p, "none", unix.MS_BIND, "")
	}
}

// TestSymlinkEntries is issue 9 M5: an entry of RunDir that is a symbolic
// link (to another namespace, or to any mount point) is neither opened
// nor deleted through, and the target stays mounted.
func TestSymlinkEntries(t *testing.T) {
	sandbox.Require(t)
	red := create(t, "m5-red")
	redIno := inode(t, red.File())
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
	entry(t, "m5-ln", func(p string) error { return os.Symlink(filepath.Join(RunDir, "m5-red"), p) })
	entry(t, "m5-rel", func(p string) error { return os.Symlink("m5-red", p) })
	entry(t, "m5-mnt", func(p string) error { return os.Symlink(mnt, p) })
	for _, name := range []string{"m5-ln", "m5-rel", "m5-mnt"} {
		if ns, err := Open(name); !errors.Is(err, ErrNotNamespace) {
			if ns != nil {
				ns.Close()
			}
			t.Errorf("Open(%s) = %v, want ErrNotNamespace", name, err)
		}
		if ns, err := OpenNameOrPID(name); !errors.Is(err, ErrNotNamespace) {
			if ns != nil {
				ns.Close()
			}
			t.Errorf("OpenNameOrPID(%s) = %v, want ErrNotNamespace", name, err)
		}
		if err := Delete(name); !errors.Is(err, ErrNotNamespace) {
			t.Errorf("Delete(%s) = %v, want ErrNotNamespace", name, err)
		}
		if _, err := os.Lstat(filepath.Join(RunDir, name)); err != nil {
			t.Errorf("Delete(%s) removed the link: %v", name, err)
		}
	}
	if got := pathInode(t, filepath.Join(RunDir, "m5-red")); got != redIno {
		t.Fatalf("m5-red is %s now, want the namespace %s: a delete through a link unmounted it", got, redIno)
	}
	if _, ok := mountinfo(t)[mnt]; !ok {
		t.Errorf("%s is no longer mounted: a delete through a link unmounted it", mnt)
	}
	ns, err := Open("m5-red")
	if err != nil {
		t.Fatal(err)
	}
	ns.Close()
}

// TestForeignEntries: an entry with something other than a network
// namespace mounted on it, or a non-empty file, or a directory, is not
// a namespace: refused by Open and Delete, left as it is.
func TestForeignEntries(t *testing.T) {
	sandbox.Require(t)
	data := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(data, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, mk := range map[string]func(string) error{
		"m5-uts":   bindOnto("/proc/self/ns/uts"),
		"m5-file":  bindOnto(data),
		"m5-empty": bindOnto(empty), // an empty file, but a mount: not a leftover
		"m5-data":  func(p string) error { return os.WriteFile(p, []byte("x"), 0) },
		"m5-dir":   func(p string) error { return os.Mkdir(p, 0o755) },
	} {
		p := entry(t, name, mk)
		before := mountinfo(t)[p]
		if _, err := Open(name); !errors.Is(err, ErrNotNamespace) {
			t.Errorf("Open(%s) = %v, want ErrNotNamespace", name, err)
		}
		if err := Delete(name); !errors.Is(err, ErrNotNamespace) {
			t.Errorf("Delete(%s) = %v, want ErrNotNamespace", name, err)
		}
		if _, err := Create(name); !errors.Is(err, unix.EEXIST) {
			t.Errorf("Create(%s) = %v, want EEXIST", name, err)
		}
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s is gone: %v", name, err)
		}
		if after := mountinfo(t)[p]; after != before {
			t.Errorf("%s: mount changed from %q to %q", name, before, after)
		}
	}
}

// TestAbortedCreation is issue 9 L1: the empty file a killed creation
// leaves (no namespace mounted on it) reads as "no such namespace" with
// ErrAborted, Create replaces it and Delete removes it; while a Create is
// still holding it, it is neither.
func TestAbortedCreation(t *testing.T) {
	sandbox.Require(t)
	leftover := func(name string) string {
		return entry(t, name, func(p string) error { return os.WriteFile(p, nil, 0) })
	}
	leftover("l1-a")
	_, err := Open("l1-a")
	if !errors.Is(err, ErrAborted) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(leftover) = %v, want ErrAborted and os.ErrNotExist", err)
	}
	ns, err := Create("l1-a")
	if err != nil {
		t.Fatalf("Create over a leftover = %v, want it replaced", err)
	}
	if got, want := pathInode(t, filepath.Join(RunDir, "l1-a")), inode(t, ns.File()); got != want {
		t.Errorf("l1-a is %s, want the new namespace %s", got, want)
	}
	ns.Close()
	if err := Delete("l1-a"); err != nil {
		t.Fatal(err)
	}

	p := leftover("l1-b")
	if err := Delete("l1-b"); err != nil {
		t.Fatalf("Delete(leftover) = %v, want it removed", err)
	}
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("leftover still there: %v", err)
	}

	// A creation in progress holds the lock: not a leftover.
	p = leftover("l1-c")
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if _, err := Create("l1-c"); !errors.Is(err, unix.EEXIST) {
		t.Errorf("Create during another creation = %v, want EEXIST", err)
	}
	if err := Delete("l1-c"); !errors.Is(err, unix.EBUSY) {
		t.Errorf("Delete during a creation = %v, want EBUSY", err)
	}
	if _, err := os.Lstat(p); err != nil {
		t.Errorf("the file being created was removed: %v", err)
	}
}

// TestSysctlErrorNamesNamespaceOnce is issue 10 item 7: a sysctl error
// names the key, not the namespace its caller already names (topo printed
// "... in red failed: sysctl set red: open /proc/sys/...").
func TestSysctlErrorNamesNamespaceOnce(t *testing.T) {
	sandbox.Require(t)
	ns := create(t, "sys-once")
	_, err := ns.SysctlGet("net.ipv4.no_such_key")
	if want := "sysctl get net.ipv4.no_such_key: no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	var op *OpError
	if !errors.As(err, &op) || op.Name != "sys-once" || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %#v does not carry the namespace and the errno", err)
	}
	if err := ns.SysctlSet("kernel.hostname", "x"); err == nil || err.Error() != "sysctl set kernel.hostname: only keys under net (per network namespace) are allowed" {
		t.Errorf("outside net: %v", err)
	}
}
