package nsutil

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// RunSpec describes a process that Run starts as PID 1 of new pid, uts,
// ipc and mount namespaces (each can be left out), joined to a network
// namespace: what `nsnet run` does. The zero value of every field is the
// default.
type RunSpec struct {
	NetNS *NetNS   // the network namespace to join; nil: the caller's
	Argv  []string // the command and its arguments; Argv[0] is looked up in Env's PATH
	Env   []string // the command's environment (nil: none)
	Dir   string   // working directory inside (absolute); "": the caller's, or / with Root

	// Hostname is set in the new uts namespace; "" keeps the copied one.
	Hostname string

	NoPID, NoUTS, NoIPC, NoMount bool // share that namespace with the caller

	// User creates a user namespace at clone time with its mappings;
	// nil: no user namespace. (Joining an existing one is impossible for
	// a Go program: setns(CLONE_NEWUSER) needs a single-threaded caller.)
	User *UserNS

	// Root is a directory to make the command's /, with /proc, a minimal
	// /dev and /sys set up inside it; "": keep /.
	Root string

	// Init keeps the helper as PID 1: it reaps every orphan, forwards
	// every catchable signal to the command and exits with its status.
	Init bool

	// Detach starts the process in a session of its own, with /dev/null
	// as stdio unless given, and does not tie it to the caller's life.
	Detach bool

	// PreserveFDs passes the caller's descriptors 3 .. 3+PreserveFDs-1
	// on, at the same numbers. Nothing else beyond 0, 1, 2 is inherited.
	PreserveFDs int

	Stdin          io.Reader
	Stdout, Stderr io.Writer

	viaHelper bool // tests: take the helper's way even where runDirect would do
}

// A Proc is a process Run started. Its methods are safe for concurrent
// use.
type Proc struct {
	cmd  *exec.Cmd
	life *os.File // write end the helper watches; closed when the caller dies
}

// Pid returns the process's PID in the caller's pid namespace (the host
// PID; inside it is 1).
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Signal sends sig to the process (through its pidfd: a PID reused after
// the process died is never hit). A PID 1 that installed no handler for
// sig does not get it (pid_namespaces(7)), except SIGKILL and SIGSTOP.
func (p *Proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Wait waits for the process and returns its exit code: the command's
// status, or 128+N if signal N ended it, as shells report it.
func (p *Proc) Wait() (int, error) {
	err := p.cmd.Wait()
	if p.life != nil {
		p.life.Close()
	}
	return exitCode(err)
}

// Release lets the process live on without the caller (after Detach).
func (p *Proc) Release() error {
	if p.life != nil {
		p.life.Close()
	}
	return p.cmd.Process.Release()
}

func exitCode(err error) (int, error) {
	var xe *exec.ExitError
	if errors.As(err, &xe) {
		if ws, ok := xe.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return xe.ExitCode(), nil
	}
	if err != nil {
		return 0, err
	}
	return 0, nil
}

// A RunError is a failure of the helper inside the new namespaces, before
// the command ran: a mount, pivot_root, sethostname, or the exec itself.
// Code is the exit status a shell would report (127: command not found,
// 126: not executable, 1 otherwise).
type RunError struct {
	Code int
	Msg  string
}

func (e *RunError) Error() string { return e.Msg }

// Run starts spec's command and returns once it runs (its execve is done)
// or failed to (a *RunError for what a shell would report: 127, 126).
//
// Without Init, User or Root, no helper is needed (runDirect): the
// disposable thread that joins spec.NetNS exactly as Start does for `ip
// netns exec` (setns, private mount namespace, /sys of the namespace,
// /etc/netns/NAME) unshares the uts, ipc and pid namespaces itself, and
// the command, forked from it, is PID 1; /proc is mounted for it while the
// kernel holds it stopped after its execve. Where that is impossible
// (ptrace refused, a kernel before 6.15) and otherwise, the helper is
// the calling program re-executed (/proc/self/exe) with argv[0]
// HelperName, so package main must call RunHelper first thing (see
// IsHelper). It is cloned with CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC
// (and CLONE_NEWUSER with its maps, which the kernel takes only at clone
// time) from the same kind of thread, so it is PID 1; it mounts, pivots,
// sets the hostname and execs the command, or stays as its init.
//
// Unless detached, an Init run cannot outlive the caller: the caller
// holds the write end of a pipe whose hang-up the helper watches; Wait
// or the caller's exit close it. PR_SET_PDEATHSIG is not used: it fires
// when the forking thread exits, which here is at once. Without Init the
// command is PID 1 itself and the kernel gives it no way to notice.
func Run(spec *RunSpec) (*Proc, error) {
	const op = "run"
	name := ""
	if spec.NetNS != nil {
		name = spec.NetNS.name
	}
	if err := spec.check(); err != nil {
		return nil, &OpError{Op: op, Name: name, Err: err}
	}
	if spec.direct() && !spec.viaHelper {
		p, err := runDirect(spec)
		if !errors.Is(err, errNoDirect) {
			var re *RunError
			if err != nil && !errors.As(err, &re) {
				err = &OpError{Op: op, Name: name, Err: err}
			}
			return p, err
		}
	}
	args, err := spec.helperArgs()
	if err != nil {
		return nil, &OpError{Op: op, Name: name, Err: err}
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return nil, &OpError{Op: op, Name: name, Err: err}
	}
	defer statusR.Close()
	extra, err := preserved(spec.PreserveFDs)
	if err != nil {
		statusW.Close()
		return nil, &OpError{Op: op, Name: name, Err: err}
	}
	defer closeAll(extra[:spec.PreserveFDs])
	extra = append(extra, statusW)
	var lifeR, lifeW *os.File
	if !spec.Detach {
		if lifeR, lifeW, err = os.Pipe(); err != nil {
			statusW.Close()
			return nil, &OpError{Op: op, Name: name, Err: err}
		}
		extra = append(extra, lifeR)
	}
	cmd := &exec.Cmd{
		Path:        "/proc/self/exe",
		Args:        args,
		Env:         spec.Env,
		Stdin:       spec.Stdin,
		Stdout:      spec.Stdout,
		Stderr:      spec.Stderr,
		ExtraFiles:  extra,
		SysProcAttr: spec.sysProcAttr(),
	}
	switch {
	case spec.NetNS != nil && !spec.NoMount:
		err = spec.NetNS.Start(cmd) // ip netns exec's setns, mounts, /etc/netns
	case spec.NetNS != nil:
		err = spec.NetNS.Do(cmd.Start) // the network only
	default:
		err = cmd.Start()
	}
	statusW.Close()
	if lifeR != nil {
		lifeR.Close()
	}
	if err != nil {
		if lifeW != nil {
			lifeW.Close()
		}
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EINVAL) && spec.User != nil {
			err = fmt.Errorf("%w (new namespaces need CAP_SYS_ADMIN; with --user, also a kernel that allows user namespaces)", err)
		}
		var oe *OpError
		if errors.As(err, &oe) {
			oe.Op = op
			return nil, oe
		}
		return nil, &OpError{Op: op, Name: name, Err: err}
	}
	p := &Proc{cmd: cmd, life: lifeW}
	msg, rerr := io.ReadAll(statusR) // EOF: the helper exec'd the command
	if rerr == nil && len(msg) == 0 {
		return p, nil
	}
	code, _ := p.Wait()
	if rerr != nil {
		return nil, &OpError{Op: op, Name: name, Err: rerr}
	}
	return nil, parseRunError(msg, code)
}

// parseRunError reads the helper's report, "CODE message".
func parseRunError(msg []byte, code int) error {
	c, text, ok := bytes.Cut(msg, []byte(" "))
	n, err := strconv.Atoi(string(c))
	if !ok || err != nil {
		return &RunError{Code: code, Msg: string(msg)}
	}
	return &RunError{Code: n, Msg: string(text)}
}

// sysProcAttr is the clone of the helper.
func (s *RunSpec) sysProcAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setsid: s.Detach}
	if !s.NoPID {
		a.Cloneflags |= unix.CLONE_NEWPID
	}
	if !s.NoUTS {
		a.Cloneflags |= unix.CLONE_NEWUTS
	}
	if !s.NoIPC {
		a.Cloneflags |= unix.CLONE_NEWIPC
	}
	// With a netns, Start's thread has unshared a mount namespace
	// already; the child inherits it. A user namespace needs a mount
	// namespace it owns, so one more copy is made at clone time.
	if !s.NoMount && (s.NetNS == nil || s.User != nil) {
		a.Cloneflags |= unix.CLONE_NEWNS
	}
	if s.User != nil {
		a.Cloneflags |= unix.CLONE_NEWUSER
		uids, gids := s.User.maps()
		a.UidMappings, a.GidMappings = procIDMaps(uids), procIDMaps(gids)
		a.GidMappingsEnableSetgroups = os.Geteuid() == 0
		// Become uid and gid 0 inside before the exec: a process whose
		// ids are unmapped there (root, under 0:100000:65536) would lose
		// every capability at execve and could not mount /proc.
		a.Credential = &syscall.Credential{NoSetGroups: !a.GidMappingsEnableSetgroups}
	}
	return a
}

// check refuses what cannot work, before anything is created.
func (s *RunSpec) check() error {
	switch {
	case len(s.Argv) == 0:
		return errors.New("no command")
	case s.Root != "" && s.NoMount:
		return errors.New("a new root needs a mount namespace")
	case s.Hostname != "" && s.NoUTS:
		return errors.New("setting the hostname needs a uts namespace")
	case len(s.Hostname) > 64:
		return fmt.Errorf("hostname %q is longer than 64 bytes (HOST_NAME_MAX)", s.Hostname)
	case s.Dir != "" && !filepath.IsAbs(s.Dir):
		return fmt.Errorf("working directory %q is not absolute", s.Dir)
	case s.PreserveFDs < 0:
		return errors.New("negative number of descriptors to preserve")
	}
	for _, a := range append(append([]string{s.Root, s.Dir, s.Hostname}, s.Argv...), s.Env...) {
		if strings.ContainsRune(a, 0) {
			return errors.New("an argument contains a NUL byte")
		}
	}
	return nil
}

// CheckFDs reports whether descriptors 3 .. 3+n-1 are open, as
// RunSpec.PreserveFDs needs.
func CheckFDs(n int) error {
	for fd := 3; fd < 3+n; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return fmt.Errorf("descriptor %d is not open (preserving %d descriptors passes 3 to %d)", fd, n, 2+n)
		}
	}
	return nil
}
