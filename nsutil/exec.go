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
// mount propagates back, replaces /sys with a sysfs of n (umount2
// MNT_DETACH, then mount; read-only when an un-unmountable /sys was
// read-only, as iproute2), bind-mounts every file of /etc/netns/NAME/ over
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
	err := onDisposableThread(func() error {
		if err := n.switchTo(); err != nil {
			return err
		}
		return cmd.Start()
	})
	runtime.KeepAlive(n)
	if err != nil {
		return &OpError{Op: op, Name: n.name, Err: err}
	}
	return nil
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
	var flags uintptr
	if unix.Unmount("/sys", unix.MNT_DETACH) != nil {
		// Perhaps no sysfs was mounted; if one stays, a read-only
		// instance can only be shadowed with a read-only one.
		var st unix.Statfs_t
		if unix.Statfs("/sys", &st) == nil && st.Flags&unix.ST_RDONLY != 0 {
			flags = unix.MS_RDONLY
		}
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
