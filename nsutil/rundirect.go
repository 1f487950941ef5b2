package nsutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// errNoDirect says that the direct start is impossible here (ptrace
// refused, or a kernel whose proc has no pidns option) and nothing ran:
// Run takes the helper's way instead.
var errNoDirect = errors.New("direct start unavailable")

// direct reports whether spec can start without the helper: no user
// namespace (created only at clone time), no new root, no init.
func (s *RunSpec) direct() bool { return s.User == nil && s.Root == "" && !s.Init }

// runDirect starts the command with no helper process: the disposable
// thread that joins the network namespace (as Start does) also unshares
// the uts, ipc and pid namespaces (a thread may: only a user namespace
// needs a single-threaded caller), makes / private, sets the hostname,
// and forks the command, which is therefore PID 1 of the new pid
// namespace. The one thing that must wait for the child is /proc: a pid
// namespace can be named (/proc/PID/ns/pid) only once its PID 1 exists.
// The child is started traced (PTRACE_TRACEME), so the kernel stops it
// right after execve, before any of its code runs; the thread mounts a
// proc of the child's pid namespace (fsconfig "pidns", Linux 6.15) on
// /proc of the child's mount namespace, and detaches. This saves a whole
// Go process start, the larger part of the helper's cost.
func runDirect(s *RunSpec) (*Proc, error) {
	path, err := lookPathIn(s.Argv[0], s.Env)
	if err != nil {
		return nil, &RunError{Code: 127, Msg: err.Error()}
	}
	// Go's first process start forks a throwaway child to check pidfd
	// support (os.checkPidfd). From the thread below it would be PID 1
	// of the new pid namespace and, by exiting, end it: do it here.
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Release()
	}
	// Only 0, 1, 2 and the preserved descriptors reach the command; the
	// helper does this for itself, here the caller's own inherited
	// descriptors are marked.
	if err := unix.CloseRange(uint(3+s.PreserveFDs), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return nil, os.NewSyscallError("close_range", err)
	}
	extra, err := preserved(s.PreserveFDs)
	if err != nil {
		return nil, err
	}
	defer closeAll(extra)
	traced := !s.NoPID && !s.NoMount
	cmd := &exec.Cmd{
		Path: path, Args: s.Argv, Env: s.Env, Dir: s.Dir,
		Stdin: s.Stdin, Stdout: s.Stdout, Stderr: s.Stderr,
		ExtraFiles:  extra,
		SysProcAttr: &syscall.SysProcAttr{Setsid: s.Detach, Ptrace: traced},
	}
	noDirect := false
	start := func() error {
		if !s.NoMount {
			if s.NetNS == nil {
				if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
					return os.NewSyscallError("unshare", err)
				}
			}
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
				return &os.PathError{Op: "mount --make-rprivate", Path: "/", Err: err}
			}
		}
		var flags int
		for _, f := range []struct {
			no   bool
			flag int
		}{{s.NoUTS, unix.CLONE_NEWUTS}, {s.NoIPC, unix.CLONE_NEWIPC}, {s.NoPID, unix.CLONE_NEWPID}} {
			if !f.no {
				flags |= f.flag
			}
		}
		if err := unix.Unshare(flags); err != nil {
			return os.NewSyscallError("unshare", err)
		}
		if s.Hostname != "" {
			if err := unix.Sethostname([]byte(s.Hostname)); err != nil {
				return os.NewSyscallError("sethostname "+s.Hostname, err)
			}
		}
		if err := cmd.Start(); err != nil {
			// PTRACE_TRACEME refused (seccomp, Yama, or nsnet itself
			// traced): the child failed before its exec.
			noDirect = traced && errors.Is(err, unix.EPERM)
			return err
		}
		if !traced {
			return nil
		}
		if err := mountProcOf(cmd.Process.Pid); err != nil {
			noDirect = errors.Is(err, unix.EINVAL)
			_ = cmd.Process.Kill() // stopped before its first instruction
			_ = cmd.Wait()
			return err
		}
		return nil
	}
	switch {
	case s.NetNS != nil && !s.NoMount:
		err = s.NetNS.startIn(start)
	case s.NetNS != nil:
		err = s.NetNS.Do(start)
	default:
		err = onDisposableThread(start)
	}
	if noDirect {
		return nil, errNoDirect
	}
	if err != nil {
		return nil, err
	}
	return &Proc{cmd: cmd}, nil
}

// mountProcOf waits for the traced child pid to stop after its execve,
// mounts a proc of its pid namespace on /proc (in this thread's mount
// namespace, which the child shares) and lets it go. It runs on the
// thread that forked the child, the tracer: ptrace requests come from
// no other.
func mountProcOf(pid int) error {
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		return os.NewSyscallError("wait4", err)
	}
	if !ws.Stopped() || ws.StopSignal() != unix.SIGTRAP {
		return fmt.Errorf("the command did not stop at its exec (wait status %#x)", uint32(ws))
	}
	err := mountProcFor(pid)
	if derr := unix.PtraceDetach(pid); err == nil && derr != nil {
		err = os.NewSyscallError("ptrace detach", derr)
	}
	return err
}

// mountProcFor mounts on /proc a proc instance of pid's pid namespace
// (the new mount API: fsopen, fsconfig pidns, fsmount, move_mount).
func mountProcFor(pid int) error {
	ns, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/ns/pid", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: "/proc/" + strconv.Itoa(pid) + "/ns/pid", Err: err}
	}
	defer unix.Close(ns)
	fs, err := unix.Fsopen("proc", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return os.NewSyscallError("fsopen proc", err)
	}
	defer unix.Close(fs)
	if err := unix.FsconfigSetFd(fs, "pidns", ns); err != nil {
		return os.NewSyscallError("fsconfig proc pidns", err)
	}
	if err := unix.FsconfigCreate(fs); err != nil {
		return os.NewSyscallError("fsconfig proc create", err)
	}
	m, err := unix.Fsmount(fs, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC)
	if err != nil {
		return os.NewSyscallError("fsmount proc", err)
	}
	defer unix.Close(m)
	if err := unix.MoveMount(m, "", unix.AT_FDCWD, "/proc", unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return &os.PathError{Op: "mount proc on", Path: "/proc", Err: err}
	}
	return nil
}

// preserved returns copies (F_DUPFD_CLOEXEC) of descriptors 3 .. 2+n
// for exec.Cmd.ExtraFiles, which puts them at 3 .. 2+n in the child:
// closing the copies (closeAll, or a finalizer) leaves the caller's own
// descriptors alone.
func preserved(n int) ([]*os.File, error) {
	files := make([]*os.File, 0, n+2)
	for fd := 3; fd < 3+n; fd++ {
		d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			closeAll(files)
			return nil, fmt.Errorf("descriptor %d: %w", fd, err)
		}
		files = append(files, os.NewFile(uintptr(d), "fd "+strconv.Itoa(fd)))
	}
	return files, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// lookPathIn finds name as execvp would with the PATH of env (the
// command's environment, not the caller's).
func lookPathIn(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		if err := executable(name); err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		return name, nil
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: command not found (PATH=%s)", name, path)
}

func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("%s: permission denied", p)
	}
	return nil
}
