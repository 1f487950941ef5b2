package nsutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/nsnet/nsnet/internal/sorting"
	"golang.org/x/sys/unix"
)

// etcNetNSDir holds per-namespace files that `ip netns exec` binds over
// /etc (NETNS_ETC_DIR).
const etcNetNSDir = "/etc/netns"

// Start starts cmd inside n the way `ip netns exec NAME CMD` runs a
// program (lib/namespace.c netns_switch), and returns without waiting:
// call cmd.Wait as usual. On a disposable thread it joins n (setns),
// unshares a private mount namespace, makes / recursively a slave so no
// mount propagates back, replaces /sys with a sysfs of n (mounted over
// it; a read-only /sys is unmounted first, as iproute2 unmounts every
// /sys, and shadowed read-only if that fails), bind-mounts every file of /etc/netns/NAME/ over
// /etc/ (named namespaces only), and forks cmd from that thread, so the
// child inherits all of it. The caller's threads and mounts are untouched.
//
// Unlike ip, which warns and runs anyway, a failed /etc bind mount fails
// Start: a program silently running with the host's resolv.conf is worse
// than one that does not run. cmd.SysProcAttr.Pdeathsig is refused: it
// fires when the forking thread exits, which here is at once.
func (n *NetNS) Start(cmd *exec.Cmd) error {
	const op = "netns exec"
	if cmd.SysProcAttr != nil && cmd.SysProcAttr.Pdeathsig != 0 {
		return &OpError{Op: op, Name: n.name, Err: errors.New("Pdeathsig cannot be used: the forking thread exits right after the start")}
	}
	if err := n.startIn(cmd.Start); err != nil {
		return &OpError{Op: op, Name: n.name, Err: err}
	}
	return nil
}

// startIn runs start on a disposable thread that has joined n the way
// `ip netns exec` does (switchTo), so that a process it forks inherits
// it all. Run adds its own namespaces on the same thread before forking.
func (n *NetNS) startIn(start func() error) error {
	err := onDisposableThread(func() error {
		if err := n.switchTo(); err != nil {
			return err
		}
		return start()
	})
	runtime.KeepAlive(n)
	return err
}

// switchTo is netns_switch on the calling (disposable) thread.
func (n *NetNS) switchTo() error {
	if err := unix.Setns(int(n.f.Fd()), unix.CLONE_NEWNET); err != nil {
		return os.NewSyscallError("setns", err)
	}
	// unshare(CLONE_NEWNS) also unshares this thread's fs_struct (root,
	// cwd), which Go threads otherwise share (CLONE_FS).
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return os.NewSyscallError("unshare", err)
	}
	if err := unix.Mount("", "/", "none", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return &os.PathError{Op: "mount --make-rslave", Path: "/", Err: err}
	}
	// ip unmounts /sys (MNT_DETACH) before mounting the namespace's
	// sysfs. A lazy unmount waits for an RCU grace period, 5 ms here,
	// more than everything else ip netns exec does; stacking the new
	// sysfs on the old one shows the same /sys (the old one and its
	// submounts are hidden, as they are gone after the unmount). Only a
	// read-only /sys takes ip's way: unmounted, it gives way to a
	// writable sysfs as it does for ip; a read-only one that stays can
	// only be shadowed with a read-only one.
	var flags uintptr
	var st unix.Statfs_t
	if unix.Statfs("/sys", &st) == nil && st.Flags&unix.ST_RDONLY != 0 && unix.Unmount("/sys", unix.MNT_DETACH) != nil {
		flags = unix.MS_RDONLY
	}
	source := n.name
	if source == "" {
		source = "sysfs"
	}
	if err := unix.Mount(source, "/sys", "sysfs", flags, ""); err != nil {
		return &os.PathError{Op: "mount sysfs", Path: "/sys", Err: err}
	}
	return bindEtc(n.name)
}

// bindEtc bind-mounts each entry of /etc/netns/NAME over /etc/ENTRY
// (bind_etc). A missing directory means nothing to do.
func bindEtc(name string) error {
	if name == "" || len(name) >= nameMax {
		return nil // bind_etc skips names of NAME_MAX bytes or more
	}
	dir := filepath.Join(etcNetNSDir, name)
	ents, err := sorting.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		src, dst := filepath.Join(dir, e.Name()), filepath.Join("/etc", e.Name())
		if err := unix.Mount(src, dst, "none", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind %s -> %s: %w", src, dst, err)
		}
	}
	return nil
}
