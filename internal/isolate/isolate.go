package isolate

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Environment variables that carry the sandbox marker from parent to child.
const (
	envInside      = "NSNET_SANDBOX"              // "1" in a re-executed child
	envParentNetNS = "NSNET_SANDBOX_PARENT_NETNS" // "dev:ino" of the parent's netns
	envParentMntNS = "NSNET_SANDBOX_PARENT_MNTNS" // "dev:ino" of the parent's mount ns
	envReady       = "NSNET_SANDBOX_READY"        // "dev:ino" of the netns Enter set up
)

// Stdio holds the standard streams of a re-executed program. A nil field
// means /dev/null, as in exec.Cmd. An *os.File is passed to the child
// directly, without a copying goroutine.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Marked reports whether the sandbox marker is set in the environment,
// that is whether this process was started by Run (or by a process
// inside a sandbox). A marked program calls Enter first.
func Marked() bool { return os.Getenv(envInside) == "1" }

// Run runs /proc/self/exe with argv (argv[0] is what the program sees
// as its name) in a fresh network + mount namespace and waits for it. env
// is the child's environment (nil: os.Environ()); the sandbox marker and
// the parent's namespace inodes are added to it, replacing any stale ones.
// The child must call Enter (internal/sandbox.Main does) when it sees Marked().
//
// SIGINT, SIGTERM, SIGHUP and SIGQUIT received meanwhile are forwarded to
// the child. The child gets SIGKILL if the forking thread dies, so call
// Run from the main goroutine, which package main (and the test
// sandbox) lock to the main thread in init. The exit code is the child's, or 128+N if signal N killed
// it; err is set only if the child could not be run or waited for.
func Run(argv, env []string, stdio Stdio) (exitCode int, err error) {
	if len(argv) == 0 {
		return 0, errors.New("reexec: empty argv")
	}
	netns, err := nsInode("net")
	if err != nil {
		return 0, fmt.Errorf("reexec: %w", err)
	}
	mntns, err := nsInode("mnt")
	if err != nil {
		return 0, fmt.Errorf("reexec: %w", err)
	}
	if env == nil {
		env = os.Environ()
	}
	cmd := &exec.Cmd{
		Path:   "/proc/self/exe",
		Args:   argv,
		Env:    append(withoutMarkers(env), envInside+"=1", envParentNetNS+"="+netns, envParentMntNS+"="+mntns),
		Stdin:  stdio.In,
		Stdout: stdio.Out,
		Stderr: stdio.Err,
		SysProcAttr: &syscall.SysProcAttr{
			// Go also makes / MS_REC|MS_PRIVATE in the child when
			// CLONE_NEWNS is among Unshareflags.
			Unshareflags: unix.CLONE_NEWNET | unix.CLONE_NEWNS,
			Pdeathsig:    unix.SIGKILL,
		},
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		if errors.Is(err, unix.EPERM) {
			err = fmt.Errorf("%w (creating namespaces needs CAP_SYS_ADMIN, which this root lacks; in a container, run it privileged)", err)
		}
		return 0, fmt.Errorf("reexec: start %s in a new net+mount namespace: %w", argv[0], err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s) // the child may be gone already
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	if err != nil {
		return 0, fmt.Errorf("reexec: wait for %s: %w", argv[0], err)
	}
	return 0, nil
}

// withoutMarkers returns env without any sandbox variable.
func withoutMarkers(env []string) []string {
	out := make([]string, 0, len(env)+3)
	for _, kv := range env {
		if strings.HasPrefix(kv, "NSNET_SANDBOX") && strings.Contains(kv, "=") {
			k, _, _ := strings.Cut(kv, "=")
			if k == envInside || k == envParentNetNS || k == envParentMntNS || k == envReady {
				continue
			}
		}
		out = append(out, kv)
	}
	return out
}

// Enter is the first thing a re-executed program does when Marked():
// it checks the guard (refusing to run in the parent's namespaces) and
// sets the sandbox up: / recursively private, a private tmpfs on
// /run/netns, a fresh sysfs on /sys, lo up. A process started from inside
// an already set-up sandbox (same network namespace) only checks the guard.
func Enter() error {
	if !Marked() {
		return errors.New("not started by isolate.Run (" + envInside + " is not 1)")
	}
	if err := Guard(); err != nil {
		return err
	}
	if Ready() {
		return nil // a descendant inside the same sandbox: already set up
	}
	netns, err := nsInode("net")
	if err != nil {
		return err
	}
	if err := setup(); err != nil {
		return fmt.Errorf("set up sandbox: %w", err)
	}
	return os.Setenv(envReady, netns)
}

// Ready reports whether Enter already set up the sandbox this
// process is in (an ancestor in the same network namespace did).
func Ready() bool {
	netns, err := nsInode("net")
	return err == nil && os.Getenv(envReady) == netns
}

// Exec replaces the process with argv[0] (looked up in PATH), run with
// argv and env (nil: os.Environ()). It is for `nsnet sandbox -- CMD...`:
// the re-executed nsnet calls Enter, then Exec. It returns only on
// error.
func Exec(argv, env []string) error {
	if len(argv) == 0 {
		return errors.New("exec: no command")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return err
	}
	if env == nil {
		env = os.Environ()
	}
	if err := unix.Exec(path, argv, env); err != nil {
		return &os.PathError{Op: "exec", Path: path, Err: err}
	}
	return nil
}

// Guard proves that the process is not in its parent's network or
// mount namespace. Anything it cannot read makes it fail.
func Guard() error {
	for _, g := range []struct{ kind, env string }{{"net", envParentNetNS}, {"mnt", envParentMntNS}} {
		if err := guardOne(g.kind, os.Getenv(g.env)); err != nil {
			return err
		}
	}
	return nil
}

// guardOne refuses unless the calling process's namespace of kind differs
// from parent (a "dev:ino" string).
func guardOne(kind, parent string) error {
	if parent == "" {
		return fmt.Errorf("refusing to run: the parent's %s namespace inode is unknown (%s is empty)", kind, envName(kind))
	}
	own, err := nsInode(kind)
	if err != nil {
		return fmt.Errorf("refusing to run: %w", err)
	}
	if own == parent {
		return fmt.Errorf("refusing to run: still in the parent's %s namespace (inode %s); this is not a sandbox", kind, own)
	}
	return nil
}

func envName(kind string) string {
	if kind == "net" {
		return envParentNetNS
	}
	return envParentMntNS
}

// nsInode returns "dev:ino" of the process's namespace of kind ("net",
// "mnt"). /proc/self is the thread-group leader, which the main goroutine
// keeps (init locks it), so it names the process's namespace.
func nsInode(kind string) (string, error) {
	var st unix.Stat_t
	p := "/proc/self/ns/" + kind
	if err := unix.Stat(p, &st); err != nil {
		return "", &os.PathError{Op: "stat", Path: p, Err: err}
	}
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino), nil
}

// setup prepares the mount and network namespaces the child runs in.
func setup() error {
	// Go already did this for Run's child; an explicit, idempotent
	// repeat keeps every later mount from propagating to the host.
	if err := unix.Mount("none", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return &os.PathError{Op: "make / rprivate", Path: "/", Err: err}
	}
	if _, err := os.Stat("/run/netns"); errors.Is(err, os.ErrNotExist) {
		// Creating /run/netns here would create it on the host: cover
		// /run with a tmpfs that only this mount namespace sees.
		if err := unix.Mount("tmpfs", "/run", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
			return &os.PathError{Op: "mount tmpfs", Path: "/run", Err: err}
		}
		if err := os.Mkdir("/run/netns", 0o755); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", "/run/netns", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0755"); err != nil {
		return &os.PathError{Op: "mount tmpfs", Path: "/run/netns", Err: err}
	}
	// A sysfs mounted now belongs to the sandbox's netns, so
	// /sys/class/net lists the sandbox's links (as `ip netns exec` does).
	if err := unix.Unmount("/sys", unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return &os.PathError{Op: "umount", Path: "/sys", Err: err}
	}
	if err := unix.Mount("sysfs", "/sys", "sysfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return &os.PathError{Op: "mount sysfs", Path: "/sys", Err: err}
	}
	return loopbackUp()
}

// loopbackUp sets IFF_UP on lo with SIOCGIFFLAGS/SIOCSIFFLAGS.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return os.NewSyscallError("ioctl SIOCGIFFLAGS lo", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return os.NewSyscallError("ioctl SIOCSIFFLAGS lo", err)
	}
	return nil
}
