package nsutil

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// devNodes are the device files a new root's minimal /dev gets, bound
// from the caller's /dev (mknod is not allowed in a user namespace; a
// bind mount is).
var devNodes = [...]string{"null", "zero", "full", "random", "urandom", "tty"}

// enterRoot makes dir the root: dir bound on itself (pivot_root needs a
// mount point), /proc (a new one for a new pid namespace), a minimal /dev
// (devNodes, a private devpts instance, /dev/shm) and /sys (the caller's,
// which Start already replaced with the joined namespace's, bound
// recursively: a user namespace may not mount sysfs for a network
// namespace it does not own) inside, then pivot_root.
//
// pivot_root refuses (EINVAL) when the current root is the initramfs
// rootfs, which has no parent mount, or is not a mount point at all (a
// chroot). There the new root is moved over / (MS_MOVE) and chrooted
// into, as switch_root(8) does: the old root then stays mounted, hidden
// underneath.
func enterRoot(dir string, newPID bool) error {
	if err := unix.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return &os.PathError{Op: "bind mount on itself", Path: dir, Err: err}
	}
	mounts := []func() error{
		func() error {
			p := filepath.Join(dir, "proc")
			if err := mkdirIn(p); err != nil {
				return err
			}
			if newPID {
				return mountProc(p)
			}
			return bind("/proc", p, unix.MS_REC)
		},
		func() error {
			p := filepath.Join(dir, "sys")
			if err := mkdirIn(p); err != nil {
				return err
			}
			return bind("/sys", p, unix.MS_REC)
		},
		func() error { return minimalDev(filepath.Join(dir, "dev")) },
	}
	for _, m := range mounts {
		if err := m(); err != nil {
			return err
		}
	}
	return pivot(dir)
}

// pivot enters dir, a mount point: pivot_root(".", ".") and a lazy
// unmount of the old root stacked on it (no put_old directory needed), or
// MS_MOVE + chroot where pivot_root refuses.
func pivot(dir string) error {
	if err := unix.Chdir(dir); err != nil {
		return &os.PathError{Op: "chdir", Path: dir, Err: err}
	}
	err := unix.PivotRoot(".", ".")
	switch {
	case err == nil:
		if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
			return &os.PathError{Op: "unmount the old root", Path: "/", Err: err}
		}
	case errors.Is(err, unix.EINVAL):
		if err := unix.Mount(".", "/", "", unix.MS_MOVE, ""); err != nil {
			return &os.PathError{Op: "pivot_root refused (EINVAL), and mount --move to /", Path: dir, Err: err}
		}
		if err := unix.Chroot("."); err != nil {
			return &os.PathError{Op: "chroot", Path: dir, Err: err}
		}
	default:
		return &os.PathError{Op: "pivot_root", Path: dir, Err: err}
	}
	if err := unix.Chdir("/"); err != nil {
		return &os.PathError{Op: "chdir", Path: "/", Err: err}
	}
	return nil
}

// minimalDev mounts a tmpfs on dev with devNodes, pts, shm and the usual
// links.
func minimalDev(dev string) error {
	if err := mkdirIn(dev); err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", dev, "tmpfs", unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536k"); err != nil {
		return &os.PathError{Op: "mount tmpfs on", Path: dev, Err: err}
	}
	for _, n := range devNodes {
		p := filepath.Join(dev, n)
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o666)
		if err != nil {
			return err
		}
		f.Close()
		if err := bind("/dev/"+n, p, 0); err != nil {
			return err
		}
	}
	pts, shm := filepath.Join(dev, "pts"), filepath.Join(dev, "shm")
	for _, d := range []string{pts, shm} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	if err := unix.Mount("devpts", pts, "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620"); err != nil {
		return &os.PathError{Op: "mount devpts on", Path: pts, Err: err}
	}
	if err := unix.Mount("shm", shm, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777,size=65536k"); err != nil {
		return &os.PathError{Op: "mount tmpfs on", Path: shm, Err: err}
	}
	for link, target := range map[string]string{
		"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2",
	} {
		if err := os.Symlink(target, filepath.Join(dev, link)); err != nil {
			return err
		}
	}
	return nil
}

// mkdirIn makes a mount point the new root lacks.
func mkdirIn(p string) error {
	if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}

func bind(src, dst string, flags uintptr) error {
	if err := unix.Mount(src, dst, "", unix.MS_BIND|flags, ""); err != nil {
		return &os.PathError{Op: "bind mount " + src + " on", Path: dst, Err: err}
	}
	return nil
}
