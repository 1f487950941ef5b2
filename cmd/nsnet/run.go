package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/nsnet/nsnet/nsutil"
)

const runUsage = `Usage: nsnet run [-n NS | --netns NS] [--hostname H] [--no-pid] [--no-uts]
                 [--no-ipc] [--no-mount] [--user[=MAP]] [--root DIR] [--init]
                 [--env K=V]... [--cwd DIR] [--detach] [--preserve-fds N]
                 [--] CMD [ARGS...]
Runs CMD as PID 1 of new pid, uts, ipc and mount namespaces, joined to the
network namespace NS (default: the current one) the way "ip netns exec"
joins it (/etc/netns/NS/* bound over /etc, /sys remounted for NS). Inside,
/ is private (no mount propagates out), /proc is mounted fresh (it shows
only the new pid namespace) and the hostname is H (default: NS).
  --no-pid, --no-uts, --no-ipc, --no-mount   share that namespace instead
              (--no-mount: /proc, /sys and /etc stay the caller's)
  --user[=MAP]  a new user namespace; default: you are root inside and no
              one else is mapped; MAP: INSIDE:OUTSIDE:COUNT[,...] for uids
              and gids alike, e.g. --user=0:100000:65536
  --root DIR  DIR becomes / (pivot_root; MS_MOVE + chroot on an initramfs),
              with /proc, /sys and a minimal /dev (null zero full random
              urandom tty pts shm) inside; CMD is looked up inside DIR
  --init      nsnet stays PID 1: it reaps every orphan, forwards every
              catchable signal to CMD and exits with CMD's status
  --env K=V   set K in CMD's environment (repeatable; the rest is nsnet's)
  --cwd DIR   working directory inside (default: the current one, / with --root)
  --detach    print CMD's host PID and return; CMD gets /dev/null as stdio
  --preserve-fds N   pass descriptors 3 .. 2+N on (only 0, 1, 2 otherwise)
Signals nsnet receives are passed to CMD. Without --init, CMD is PID 1 and
the kernel delivers only the signals it has a handler for (SIGKILL always).
Unless detached, CMD dies with nsnet (with --init even if nsnet is killed).
Exit status: CMD's (128+N if signal N ended it); 127 if CMD is not found;
2 for bad usage or input (nothing was created); 1 if the system refused.
`

type runReq struct {
	netns       string
	hostname    string
	noPID       bool
	noUTS       bool
	noIPC       bool
	noMount     bool
	user        *nsutil.UserNS
	root        string
	init        bool
	env         []string
	cwd         string
	detach      bool
	preserveFDs int
	argv        []string
}

// parseRun reads `run [OPTIONS] [--] CMD [ARGS...]`. Options stop at
// "--" or at the first word that is not an option, as unshare(1)'s do.
func parseRun(args []string, o opts) (request, error) {
	r := runReq{netns: o.netns}
	hostSet := false
	i := 0
	value := func(opt, inline string, hasInline bool, what string) (string, error) {
		if hasInline {
			return inline, nil
		}
		if i+1 >= len(args) {
			return "", fmt.Errorf("run: %s needs %s", opt, what)
		}
		i++
		return args[i], nil
	}
	for ; i < len(args); i++ {
		w := args[i]
		if w == "--" {
			i++
			break
		}
		if !strings.HasPrefix(w, "-") || w == "-" {
			break
		}
		opt, inline, hasInline := strings.Cut(w, "=")
		var err error
		switch opt {
		case "-h", "--help":
			return helpReq{text: runUsage}, nil
		case "-n", "--netns", "-netns":
			var v string
			if v, err = value(opt, inline, hasInline, "a namespace name"); err == nil {
				if err = checkNSName(v); err == nil {
					if o.netns != "" && o.netns != v {
						err = fmt.Errorf("run: two namespaces given, %q (before run) and %q: give one", o.netns, v)
					}
					r.netns = v
				}
			}
		case "--hostname":
			r.hostname, err = value(opt, inline, hasInline, "a hostname")
			hostSet = true
		case "--no-pid":
			r.noPID = true
		case "--no-uts":
			r.noUTS = true
		case "--no-ipc":
			r.noIPC = true
		case "--no-mount":
			r.noMount = true
		case "--user":
			r.user, err = parseUserOpt(inline, hasInline)
		case "--root":
			r.root, err = value(opt, inline, hasInline, "a directory")
		case "--init":
			r.init = true
		case "--env":
			var kv string
			if kv, err = value(opt, inline, hasInline, "K=V"); err == nil {
				if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
					err = fmt.Errorf("run: --env %q: expected K=V, like --env LANG=C", kv)
				}
				r.env = append(r.env, kv)
			}
		case "--cwd":
			r.cwd, err = value(opt, inline, hasInline, "a directory")
			if err == nil && !filepath.IsAbs(r.cwd) {
				err = fmt.Errorf("run: --cwd %q: expected an absolute path (it is looked up inside)", r.cwd)
			}
		case "--detach", "-d":
			r.detach = true
		case "--preserve-fds":
			var v string
			if v, err = value(opt, inline, hasInline, "a number"); err == nil {
				r.preserveFDs, err = strconv.Atoi(v)
				if err != nil || r.preserveFDs < 0 || r.preserveFDs > 1<<16 {
					err = fmt.Errorf("run: --preserve-fds %q: expected a number of descriptors, like --preserve-fds 2", v)
				}
			}
		default:
			err = fmt.Errorf("run: option %q is unknown, try \"nsnet run --help\"", w)
		}
		if err != nil {
			return nil, err
		}
	}
	r.argv = args[i:]
	if len(r.argv) == 0 {
		return nil, errors.New("run: no command given: expected nsnet run [OPTIONS] -- CMD [ARGS...]")
	}
	return r, r.check(hostSet)
}

// parseUserOpt reads --user or --user=MAP.
func parseUserOpt(v string, given bool) (*nsutil.UserNS, error) {
	if !given {
		return &nsutil.UserNS{}, nil
	}
	if strings.ContainsRune(v, '/') {
		return nil, fmt.Errorf("run: --user=%s: joining an existing user namespace is impossible for nsnet (setns(2) into a user namespace needs a single-threaded process, and a Go program never is one); nsnet makes a new one: --user, or --user=0:100000:65536", v)
	}
	maps, err := nsutil.ParseIDMaps(v)
	if err != nil {
		return nil, fmt.Errorf("run: --user=%s: %w", v, err)
	}
	return &nsutil.UserNS{UID: maps, GID: maps}, nil
}

// check refuses combinations that cannot work, still before anything is
// done.
func (r *runReq) check(hostSet bool) error {
	switch {
	case hostSet && r.noUTS:
		return errors.New("run: --hostname with --no-uts would rename this host: drop one of them")
	case hostSet && (r.hostname == "" || len(r.hostname) > 64 || strings.ContainsRune(r.hostname, 0)):
		return fmt.Errorf("run: --hostname %q: expected 1 to 64 bytes (HOST_NAME_MAX)", r.hostname)
	case r.root != "" && r.noMount:
		return errors.New("run: --root needs a mount namespace: drop --no-mount")
	case !hostSet && !r.noUTS && len(r.netns) > 64:
		return fmt.Errorf("run: the namespace name %q is too long to be the hostname (at most 64 bytes): give --hostname H", r.netns)
	}
	if !hostSet && !r.noUTS {
		r.hostname = r.netns // "" without -n: keep the copied hostname
	}
	return nil
}

// usageErr prints err and returns the exit status for bad input.
func usageErr(e *env, code int, err error) error {
	fmt.Fprintf(e.stderr, "nsnet: %v\n", err)
	return exitStatus(code)
}

func (r runReq) run(e *env) error {
	spec := &nsutil.RunSpec{
		Argv: r.argv, Env: mergeEnv(os.Environ(), r.env), Dir: r.cwd, Hostname: r.hostname,
		NoPID: r.noPID, NoUTS: r.noUTS, NoIPC: r.noIPC, NoMount: r.noMount,
		User: r.user, Init: r.init, Detach: r.detach, PreserveFDs: r.preserveFDs,
	}
	if r.root != "" {
		root, err := filepath.Abs(r.root)
		if err == nil {
			err = isDir(root)
		}
		if err != nil {
			return usageErr(e, 2, fmt.Errorf("run: --root %s: %w: give an existing directory to become /", r.root, err))
		}
		spec.Root = root
	}
	if r.cwd != "" {
		if err := isDir(filepath.Join(spec.Root, r.cwd)); err != nil {
			return usageErr(e, 2, fmt.Errorf("run: --cwd %s: %w: give a directory that exists inside", r.cwd, err))
		}
	}
	if err := nsutil.CheckFDs(r.preserveFDs); err != nil {
		return usageErr(e, 2, fmt.Errorf("run: --preserve-fds %d: %w", r.preserveFDs, err))
	}
	if err := findCommand(r.argv[0], spec.Root, spec.Env); err != nil {
		return usageErr(e, 127, fmt.Errorf("run: %w", err))
	}
	if r.netns != "" {
		ns, err := openNS(r.netns)
		if errors.Is(err, os.ErrNotExist) {
			return usageErr(e, 2, fmt.Errorf("run: namespace %s does not exist: create it first (nsnet netns add %s), or see nsnet netns list", r.netns, r.netns))
		}
		if err != nil {
			return err
		}
		defer ns.Close()
		spec.NetNS = ns
	}
	if err := e.out.Flush(); err != nil {
		return err
	}
	if !r.detach {
		spec.Stdin, spec.Stdout, spec.Stderr = os.Stdin, e.rawOut, e.stderr
	}
	// Each signal registered costs a round trip to the Go runtime's
	// signal-mask thread (about 1 ms for all 60 on this machine): the
	// four that end programs are registered before the command starts
	// (0.2 ms), so that none of them can end nsnet and leave the command
	// behind; the rest while it starts.
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM)
	registered := make(chan struct{})
	go func() { signal.Notify(sigs, nsutil.ForwardedSignals()...); close(registered) }()
	// Unregistering costs as much, and nsnet exits right after: off the
	// path too.
	defer func() { go func() { <-registered; signal.Stop(sigs) }() }()
	p, err := nsutil.Run(spec)
	var re *nsutil.RunError
	if errors.As(err, &re) {
		return usageErr(e, re.Code, fmt.Errorf("run: %s", re.Msg))
	}
	if err != nil {
		return err
	}
	if r.detach {
		fmt.Fprintln(e.out, p.Pid())
		return p.Release()
	}
	done := make(chan struct{})
	var code int
	var werr error
	go func() { code, werr = p.Wait(); close(done) }()
	for {
		select {
		case s := <-sigs:
			_ = p.Signal(s) // it may be gone already
		case <-done:
			if werr != nil {
				return werr
			}
			return exitOf(code, nil)
		}
	}
}

// mergeEnv is base with each K=V of set replacing K.
func mergeEnv(base, set []string) []string {
	out := make([]string, 0, len(base)+len(set))
	drop := map[string]bool{}
	for _, kv := range set {
		k, _, _ := strings.Cut(kv, "=")
		drop[k] = true
	}
	for _, kv := range base {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}

func isDir(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return errors.New("not a directory")
	}
	return nil
}

// findCommand checks that name can be found where the helper will look
// for it: in PATH of env, under root when there is one. (Symbolic links
// inside root are followed from the host's /, so a root built from
// absolute links is checked only roughly; the helper's own lookup, after
// the pivot, is the authority.)
func findCommand(name, root string, env []string) error {
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	if root == "" && strings.Contains(name, "/") {
		_, err := exec.LookPath(name)
		return cmdNotFound(name, err)
	}
	dirs := filepath.SplitList(path)
	if strings.Contains(name, "/") {
		dirs = []string{""}
	}
	for _, d := range dirs {
		p := filepath.Join(root, d, name)
		if !filepath.IsAbs(d) && root == "" {
			p = filepath.Join(d, name)
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return nil
		}
		if root != "" {
			if _, err := os.Lstat(p); err == nil {
				return nil // perhaps an absolute link, valid only inside
			}
		}
	}
	return cmdNotFound(name, exec.ErrNotFound)
}

func cmdNotFound(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: command not found (%v): give a path or fix PATH", name, err)
}
