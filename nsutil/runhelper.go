package nsutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// HelperName is argv[0] of the helper that Run re-executes: the name PID 1
// has inside the namespaces while it sets them up (and for good with
// Init).
const HelperName = "nsnet-init"

// IsHelper reports whether a program started with argv0 is Run's helper.
// Package main checks it before anything else and then calls RunHelper:
//
//	if nsutil.IsHelper(os.Args[0]) {
//		os.Exit(nsutil.RunHelper(os.Args[1:]))
//	}
func IsHelper(argv0 string) bool { return argv0 == HelperName }

// helperConf is what Run tells its helper, on the command line.
type helperConf struct {
	pid, mnt, init, detach bool
	hostname, root, dir    string
	fds                    int    // preserved descriptors 3 .. 2+fds
	parentMnt              string // "dev:ino" of the caller's mount namespace
	argv                   []string
}

func (s *RunSpec) helperArgs() ([]string, error) {
	c := helperConf{
		pid: !s.NoPID, mnt: !s.NoMount, init: s.Init, detach: s.Detach,
		hostname: s.Hostname, root: s.Root, dir: s.Dir, fds: s.PreserveFDs, argv: s.Argv,
	}
	if c.mnt {
		ino, err := nsInode("/proc/self/ns/mnt")
		if err != nil {
			return nil, err
		}
		c.parentMnt = ino
	}
	return c.encode(), nil
}

func (c *helperConf) encode() []string {
	a := []string{HelperName}
	for _, f := range []struct {
		on   bool
		word string
	}{{c.pid, "pid"}, {c.mnt, "mnt"}, {c.init, "init"}, {c.detach, "detach"}} {
		if f.on {
			a = append(a, f.word)
		}
	}
	for _, kv := range [][2]string{{"host", c.hostname}, {"root", c.root}, {"cwd", c.dir}, {"pmnt", c.parentMnt}} {
		if kv[1] != "" {
			a = append(a, kv[0]+"="+kv[1])
		}
	}
	a = append(a, "fds="+strconv.Itoa(c.fds), "--")
	return append(a, c.argv...)
}

func parseHelperArgs(args []string) (*helperConf, error) {
	c := &helperConf{}
	for i, w := range args {
		if w == "--" {
			c.argv = args[i+1:]
			if len(c.argv) == 0 {
				return nil, errors.New("no command")
			}
			return c, nil
		}
		k, v, _ := strings.Cut(w, "=")
		var err error
		switch k {
		case "pid":
			c.pid = true
		case "mnt":
			c.mnt = true
		case "init":
			c.init = true
		case "detach":
			c.detach = true
		case "host":
			c.hostname = v
		case "root":
			c.root = v
		case "cwd":
			c.dir = v
		case "pmnt":
			c.parentMnt = v
		case "fds":
			c.fds, err = strconv.Atoi(v)
		default:
			err = fmt.Errorf("unknown word %q", w)
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, errors.New("no command")
}

// RunHelper is the helper's main (see IsHelper). It checks that it really
// is Run's child in new namespaces, makes / private, mounts /proc (and,
// with a root, /dev and /sys, then pivot_root), sets the hostname and
// execs the command, or runs it under an init (RunSpec.Init). It returns
// only the exit code of a failure, which it has reported to Run, or the
// init's status.
func RunHelper(args []string) int {
	c, err := parseHelperArgs(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v: this helper runs only under nsnet run\n", HelperName, err)
		return 2
	}
	statusFD := 3 + c.fds
	if _, err := unix.FcntlInt(uintptr(statusFD), unix.F_GETFD, 0); err != nil {
		fmt.Fprintf(os.Stderr, "%s: no status descriptor: this helper runs only under nsnet run\n", HelperName)
		return 2
	}
	// Only 0, 1, 2 and the preserved descriptors reach the command:
	// whatever else the caller inherited without O_CLOEXEC, and the two
	// pipes to Run, close at exec.
	if err := unix.CloseRange(uint(statusFD), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		fmt.Fprintf(os.Stderr, "%s: close_range: %v\n", HelperName, err)
		return 1
	}
	status := os.NewFile(uintptr(statusFD), "status")
	var life *os.File
	if !c.detach {
		life = os.NewFile(uintptr(statusFD+1), "life")
	}
	report := func(code int, err error) int {
		fmt.Fprintf(status, "%d %v", code, err)
		return code
	}
	if err := c.guard(); err != nil {
		return report(2, err)
	}
	if err := c.setup(); err != nil {
		return report(1, err)
	}
	path, err := exec.LookPath(c.argv[0])
	if err != nil {
		return report(127, fmt.Errorf("%s: command not found (PATH=%s)", c.argv[0], os.Getenv("PATH")))
	}
	if c.init {
		return c.runInit(path, status, life)
	}
	err = unix.Exec(path, c.argv, os.Environ())
	code := 126
	if errors.Is(err, unix.ENOENT) {
		code = 127
	}
	return report(code, &os.PathError{Op: "exec", Path: path, Err: err})
}

// guard refuses to touch any mount unless this process is PID 1 of a new
// pid namespace and in a mount namespace other than its caller's: a
// stray `exec -a nsnet-init nsnet` must not remount the host's /proc.
func (c *helperConf) guard() error {
	if c.pid && os.Getpid() != 1 {
		return errors.New("the helper is not PID 1 of a new pid namespace")
	}
	if !c.mnt {
		return nil
	}
	own, err := nsInode("/proc/self/ns/mnt")
	if err != nil {
		return err
	}
	if c.parentMnt == "" || own == c.parentMnt {
		return errors.New("the helper is still in its caller's mount namespace")
	}
	return nil
}

// setup makes the namespaces what the command expects.
func (c *helperConf) setup() error {
	if c.mnt {
		// Nothing mounted from here on may propagate anywhere.
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			return &os.PathError{Op: "mount --make-rprivate", Path: "/", Err: err}
		}
		switch {
		case c.root != "":
			if err := enterRoot(c.root, c.pid); err != nil {
				return err
			}
		case c.pid:
			if err := mountProc("/proc"); err != nil {
				return err
			}
		}
	}
	if c.hostname != "" {
		if err := unix.Sethostname([]byte(c.hostname)); err != nil {
			return os.NewSyscallError("sethostname "+c.hostname, err)
		}
	}
	dir := c.dir
	if dir == "" && c.root != "" {
		dir = "/"
	}
	if dir != "" {
		if err := unix.Chdir(dir); err != nil {
			return &os.PathError{Op: "chdir", Path: dir, Err: err}
		}
	}
	return nil
}

// mountProc mounts a proc of the calling process's pid namespace on dir.
func mountProc(dir string) error {
	if err := unix.Mount("proc", dir, "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return &os.PathError{Op: "mount proc on", Path: dir, Err: err}
	}
	return nil
}

// nsInode returns "dev:ino" of a namespace file.
func nsInode(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", &os.PathError{Op: "stat", Path: path, Err: err}
	}
	return strconv.FormatUint(st.Dev, 10) + ":" + strconv.FormatUint(st.Ino, 10), nil
}
