package nsutil

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// ForwardedSignals lists every signal a program can catch and pass on to
// a command it runs: 1 to 31 without SIGKILL and SIGSTOP (uncatchable),
// SIGCHLD (about the forwarder's own children) and SIGURG (the Go
// runtime's preemption signal, which a Go forwarder also receives from
// itself), then the real-time signals 34 to 64.
func ForwardedSignals() []os.Signal {
	var s []os.Signal
	for n := syscall.Signal(1); n <= 64; n++ {
		switch n {
		case unix.SIGKILL, unix.SIGSTOP, unix.SIGCHLD, unix.SIGURG, 32, 33:
			continue
		}
		s = append(s, n)
	}
	return s
}

// runInit is the helper as init (RunSpec.Init): it starts the command as
// its child, forwards every catchable signal to it, reaps every process
// that dies in the namespace (orphans are reparented to PID 1), and
// returns the command's status (128+N for signal N) once the command is
// gone. Returning ends PID 1, and the kernel then kills whatever is left
// in the pid namespace. If the caller of Run dies (the life pipe hangs
// up), everything in the namespace is killed.
func (c *helperConf) runInit(path string, status, life *os.File) int {
	sigs := make(chan os.Signal, 128)
	signal.Notify(sigs, append(ForwardedSignals(), unix.SIGCHLD)...)
	if !c.pid {
		// Not PID 1: become the reaper of orphans all the same.
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			fmt.Fprintf(status, "1 %v", os.NewSyscallError("prctl PR_SET_CHILD_SUBREAPER", err))
			return 1
		}
	}
	files := make([]uintptr, 3+c.fds)
	for i := range files {
		files[i] = uintptr(i)
	}
	pid, err := syscall.ForkExec(path, c.argv, &syscall.ProcAttr{Env: os.Environ(), Files: files})
	if err != nil {
		code := 126
		if err == syscall.ENOENT {
			code = 127
		}
		fmt.Fprintf(status, "%d %v", code, &os.PathError{Op: "exec", Path: path, Err: err})
		return code
	}
	for fd := 3; fd < 3+c.fds; fd++ {
		unix.Close(fd) // the command's now; a pipe must see EOF when it closes them
	}
	status.Close()
	dead := make(chan struct{})
	if life != nil {
		go func() {
			var b [1]byte
			_, _ = life.Read(b[:]) // returns at EOF: the caller is gone
			close(dead)
		}()
	}
	for {
		select {
		case s := <-sigs:
			if s != unix.SIGCHLD {
				_ = unix.Kill(pid, s.(syscall.Signal)) // it may be gone already
				continue
			}
			if code, done := reap(pid); done {
				return code
			}
		case <-dead:
			if os.Getpid() == 1 {
				_ = unix.Kill(-1, unix.SIGKILL) // in a pid namespace: all of it
			} else {
				_ = unix.Kill(pid, unix.SIGKILL)
			}
			return 128 + int(unix.SIGKILL)
		}
	}
}

// reap collects every child that has exited, and reports whether the
// command (pid) is among them, with its status.
func reap(pid int) (code int, done bool) {
	for {
		var ws unix.WaitStatus
		got, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || got <= 0 {
			return code, done
		}
		if got == pid {
			done = true
			switch {
			case ws.Signaled():
				code = 128 + int(ws.Signal())
			default:
				code = ws.ExitStatus()
			}
		}
	}
}
