package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// TestParseRun: options, their defaults, and bad input refused by parse
// (exit 2 before anything is made), each with what to do.
func TestParseRun(t *testing.T) {
	ok := []struct {
		args []string
		want runReq
	}{
		{[]string{"run", "-n", "red", "--", "sh"}, runReq{netns: "red", hostname: "red", argv: []string{"sh"}}},
		{[]string{"-n", "red", "run", "sleep", "1"}, runReq{netns: "red", hostname: "red", argv: []string{"sleep", "1"}}},
		{[]string{"run", "--netns=red", "--hostname", "h1", "--init", "--detach", "--cwd", "/tmp", "--preserve-fds", "2", "--env", "A=1", "--env=B=2", "--", "ls", "-l"},
			runReq{netns: "red", hostname: "h1", init: true, detach: true, cwd: "/tmp", preserveFDs: 2, env: []string{"A=1", "B=2"}, argv: []string{"ls", "-l"}}},
		{[]string{"run", "--no-pid", "--no-uts", "--no-ipc", "--no-mount", "true"}, runReq{noPID: true, noUTS: true, noIPC: true, noMount: true, argv: []string{"true"}}},
		{[]string{"run", "--root", "/srv/r", "--", "--weird-cmd"}, runReq{root: "/srv/r", argv: []string{"--weird-cmd"}}},
	}
	for _, tc := range ok {
		inv, err := parse(append([]string{"nsnet"}, tc.args...))
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		got := inv.req.(runReq)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.args, got, tc.want)
		}
	}
	inv, err := parse([]string{"nsnet", "run", "--user=0:100000:65536,65536:0:1", "true"})
	if err != nil || fmt.Sprint(inv.req.(runReq).user.UID) != "[0:100000:65536 65536:0:1]" {
		t.Errorf("--user=MAP: %v %v", inv, err)
	}
	if inv, err := parse([]string{"nsnet", "run", "--user", "true"}); err != nil || inv.req.(runReq).user == nil || inv.req.(runReq).user.UID != nil {
		t.Errorf("--user: %v", err)
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "no command given: expected nsnet run [OPTIONS] -- CMD"},
		{[]string{"run", "-n", "red", "--"}, "no command given"},
		{[]string{"run", "--frobnicate", "x"}, `option "--frobnicate" is unknown, try "nsnet run --help"`},
		{[]string{"run", "-n"}, "-n needs a namespace name"},
		{[]string{"run", "-n", "a/b", "x"}, "invalid netns name"},
		{[]string{"-n", "red", "run", "-n", "blue", "x"}, "two namespaces given"},
		{[]string{"run", "--user=0:1", "x"}, "expected INSIDE:OUTSIDE:COUNT"},
		{[]string{"run", "--user=0:100:0", "x"}, "the count is 0"},
		{[]string{"run", "--user=0:100:10,5:200:10", "x"}, "overlap"},
		{[]string{"run", "--user=4294967295:0:2", "x"}, "runs past id 4294967295"},
		{[]string{"run", "--user=/proc/1/ns/user", "x"}, "joining an existing user namespace is impossible"},
		{[]string{"run", "--hostname", "h", "--no-uts", "x"}, "would rename this host"},
		{[]string{"run", "--hostname", strings.Repeat("h", 65), "x"}, "1 to 64 bytes"},
		{[]string{"run", "-n", strings.Repeat("n", 65), "x"}, "too long to be the hostname"},
		{[]string{"run", "--root", "/r", "--no-mount", "x"}, "--root needs a mount namespace"},
		{[]string{"run", "--cwd", "rel", "x"}, "expected an absolute path"},
		{[]string{"run", "--env", "NOEQUALS", "x"}, "expected K=V"},
		{[]string{"run", "--preserve-fds", "-1", "x"}, "expected a number of descriptors"},
	}
	for _, tc := range bad {
		_, err := parse(append([]string{"nsnet"}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

// nsnetBin builds nsnet once per test that needs the real binary.
func nsnetBin(t *testing.T) string {
	t.Helper()
	return filepath.Join(buildNsnet(t), "nsnet")
}

// TestRunCommand runs the real binary: exit codes pass through, bad input
// exits 2 (127 for a command that is not there) before anything is made,
// --detach prints the host PID, --preserve-fds passes 3 and 4 on.
func TestRunCommand(t *testing.T) {
	sandbox.Require(t)
	bin := nsnetBin(t)
	if _, errs, code := nsnetCode("netns", "add", "rc-red"); code != 0 {
		t.Fatal(errs)
	}
	t.Cleanup(func() { nsnetCode("netns", "del", "rc-red") })
	root := t.TempDir()
	notDir := filepath.Join(root, "file")
	must(t, os.WriteFile(notDir, nil, 0o644))
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-n", "rc-red", "--", "true"}, 0, ""},
		{[]string{"-n", "rc-red", "--", "sh", "-c", "exit 7"}, 7, ""},
		{[]string{"--init", "--", "sh", "-c", "kill -TERM $$"}, 128 + 15, ""},
		{[]string{"--", "sh", "-c", "kill -TERM $$; exit 3"}, 3, ""}, // PID 1 without a handler: ignored
		{[]string{"-n", "rc-nosuch", "--", "true"}, 2, "namespace rc-nosuch does not exist: create it first"},
		{[]string{"--root", filepath.Join(root, "nosuch"), "--", "true"}, 2, "give an existing directory"},
		{[]string{"--root", notDir, "--", "true"}, 2, "not a directory"},
		{[]string{"--cwd", "/nonexistent-dir", "--", "true"}, 2, "give a directory that exists inside"},
		// Not "descriptor 3": nsnet's own Go runtime may hold a low
		// descriptor by then (under load the full module run saw fd 3
		// open in the child and 4 not), so ask for more than it can.
		{[]string{"--preserve-fds", "64", "--", "true"}, 2, "is not open (preserving 64 descriptors passes 3 to 66)"},
		{[]string{"--user=0:1:0", "--", "true"}, 2, "the count is 0"},
		{[]string{"--bogus", "--", "true"}, 2, "unknown"},
		{[]string{}, 2, "no command given"},
		{[]string{"--", "rc-no-such-command"}, 127, "rc-no-such-command: command not found"},
		{[]string{"--root", root, "--", "sh"}, 127, "sh: command not found"},
	} {
		var errb bytes.Buffer
		cmd := exec.Command(bin, append([]string{"run"}, tc.args...)...)
		cmd.Stderr = &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("nsnet run %q: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
	}
	// Nothing was made by the refused runs: the root stays empty but for
	// the file, no mount point appeared in it.
	if ents, _ := os.ReadDir(root); len(ents) != 1 {
		t.Errorf("refused runs left %v in the root", ents)
	}

	// --detach: the host PID, whose NSpid line lists it and 1.
	out, err := exec.Command(bin, "run", "--detach", "-n", "rc-red", "--", "sleep", "100").Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("--detach printed %q", out)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	syscall.Kill(pid, syscall.SIGKILL)
	if err != nil || !strings.Contains(string(status), fmt.Sprintf("NSpid:\t%d\t1\n", pid)) {
		t.Errorf("/proc/%d/status: %v\n%s", pid, err, status)
	}

	// IPC: a segment made in an outer run (an IPC namespace of its own,
	// so the host gets none) is invisible to a run inside it, visible
	// with --no-ipc.
	if _, err := exec.LookPath("ipcmk"); err == nil {
		out, err := exec.Command(bin, "run", "--", "sh", "-c", `ipcmk -M 4096 >/dev/null
grep -c . /proc/sysvipc/shm; `+bin+` run -- grep -c . /proc/sysvipc/shm; `+bin+` run --no-ipc -- grep -c . /proc/sysvipc/shm`).CombinedOutput()
		// Lines of /proc/sysvipc/shm, its header included.
		if err != nil || string(out) != "2\n1\n2\n" {
			t.Errorf("segment lines outer, inner, inner --no-ipc: %q, %v; want 2, 1, 2", out, err)
		}
	} else if os.Getenv("NSNET_REQUIRE_ORACLES") == "1" {
		t.Error("ipcmk (util-linux) is missing and NSNET_REQUIRE_ORACLES=1")
	}

	// --preserve-fds 2: the shell's 3 and 4 arrive, nothing else.
	out, err = exec.Command("sh", "-c", bin+` run --preserve-fds 2 -- sh -c 'ls /proc/$$/fd; echo via4 >&4' 3</dev/null 4>&1`).Output()
	if err != nil || string(out) != "0\n1\n2\n3\n4\nvia4\n" {
		t.Errorf("--preserve-fds 2: %q, %v", out, err)
	}
}

// TestRunSignals: SIGTERM, SIGINT, SIGHUP and SIGUSR1 sent to nsnet reach
// the command, with --init (any command) and without (a command with a
// handler: the kernel drops other signals to a PID 1); an untrapped
// SIGTERM under --init ends the run with 128+15. SIGKILL of nsnet under
// --init leaves nothing running.
func TestRunSignals(t *testing.T) {
	sandbox.Require(t)
	bin := nsnetBin(t)
	start := func(args ...string) (*exec.Cmd, *syncBuffer) {
		out := &syncBuffer{}
		cmd := exec.Command(bin, append([]string{"run"}, args...)...)
		cmd.Stdout, cmd.Stderr = out, out
		must(t, cmd.Start())
		return cmd, out
	}
	// waitFor waits until the command's output has a line: a signal sent
	// before the shell set its trap would be dropped (PID 1 without a
	// handler), and the run would never end.
	waitFor := func(out *syncBuffer, line string) {
		for !strings.Contains(out.String(), line) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	// code waits for nsnet, or fails the test after a minute.
	code := func(cmd *exec.Cmd) int {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Errorf("nsnet %q still running a minute after the signal", cmd.Args)
			return -1
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return 0
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1} {
		for _, init := range []bool{false, true} {
			args := []string{"--", "sh", "-c", fmt.Sprintf(`trap 'echo got %d; exit 5' %d; echo ready; while :; do sleep 0.05; done`, sig, sig)}
			if init {
				args = append([]string{"--init"}, args...)
			}
			cmd, out := start(args...)
			waitFor(out, "ready\n")
			must(t, cmd.Process.Signal(sig))
			if c := code(cmd); c != 5 || !strings.Contains(out.String(), fmt.Sprintf("got %d\n", sig)) {
				t.Errorf("init=%v, signal %v: exit %d, output %q; want the trap's exit 5", init, sig, c, out.String())
			}
		}
	}
	cmd, out := start("--init", "--", "sh", "-c", "echo ready; exec sleep 100")
	waitFor(out, "ready\n")
	must(t, cmd.Process.Signal(syscall.SIGTERM))
	if c := code(cmd); c != 128+15 {
		t.Errorf("--init, SIGTERM to sleep: exit %d, want 143", c)
	}
	// SIGKILL of nsnet itself: the helper sees its life pipe hang up and
	// ends the pid namespace.
	cmd, out = start("--init", "--", "sh", "-c", "readlink /proc/self/ns/pid; echo ready; exec sleep 100")
	waitFor(out, "ready\n")
	link := strings.Fields(out.String())[0]
	must(t, cmd.Process.Kill())
	cmd.Wait()
	var left []string
	for try := 0; try < 500; try++ { // up to 5 s
		left = pidsIn(link)
		if len(left) == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("after SIGKILL of nsnet run --init, still running in %s: %v", link, left)
		for _, p := range left {
			n, _ := strconv.Atoi(p)
			syscall.Kill(n, syscall.SIGKILL)
		}
	}
}

// pidsIn lists the processes (not zombies) in the pid namespace link.
func pidsIn(link string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		l, err := os.Readlink("/proc/" + e.Name() + "/ns/pid")
		st, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err == nil && l == link && !strings.Contains(string(st), ") Z ") {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestRunRootfs: nsnet run --root when / is the kernel's rootfs (the
// initramfs case), which pivot_root cannot pivot away from: it has no
// parent mount, so pivot_root fails with EINVAL and nsnet takes the
// MS_MOVE + chroot path. rootfsStage reaches the rootfs in a mount
// namespace of its own, shows that pivot_root refuses there, and runs the
// static nsnet binary from it.
func TestRunRootfs(t *testing.T) {
	sandbox.Require(t)
	bin := nsnetBin(t)
	self, err := os.Executable()
	must(t, err)
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), envRootfsStage+"="+bin)
	b, err := cmd.CombinedOutput()
	out := string(b)
	if i := strings.Index(out, "SKIP: "); i >= 0 {
		t.Skip(strings.TrimSpace(out[i+6:]))
	}
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !strings.Contains(out, "pivot_root on the rootfs: invalid argument\n") {
		t.Errorf("pivot_root did not refuse on the rootfs, so the MS_MOVE path was not tested:\n%s", out)
	}
	for _, w := range []string{"pid=1", "root=bin dev lib lib64 proc sbin sys usr",
		"dev=fd full null ptmx pts random shm stderr stdin stdout tty urandom zero", "urandom=8"} {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("no line %q in:\n%s", w, out)
		}
	}
}

// envRootfsStage, set to the nsnet binary, makes the test binary
// rootfsStage (TestMain).
const envRootfsStage = "NSNET_TEST_ROOTFS_NSNET"

// rootfsStage is TestRunRootfs's child, on the main thread: a private
// mount namespace (and fs_struct), a clone of the whole tree (open_tree),
// / detached (umount2 MNT_DETACH), then setns into the same mount
// namespace, which moves the thread's root to the namespace's root mount:
// the rootfs (a tmpfs or ramfs), bare. Only mounts are added, on its
// existing directories (a work tmpfs, /proc, /sys, /dev): the rootfs
// itself, which the whole machine shares, is never written. Then it execs
// nsnet (static, from the cloned tree) with --root there.
func rootfsStage(nsnetBin string) int {
	if err := rootfsSetup(nsnetBin); err != nil {
		fmt.Println("rootfs stage:", err)
	}
	return 1 // rootfsSetup execs nsnet
}

func rootfsSetup(nsnetBin string) error {
	if err := unix.Unshare(unix.CLONE_NEWNS | unix.CLONE_FS); err != nil {
		return err
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return err
	}
	tree, err := unix.OpenTree(unix.AT_FDCWD, "/", unix.OPEN_TREE_CLONE|unix.AT_RECURSIVE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open_tree: %w", err)
	}
	mnt, err := unix.Open("/proc/thread-self/ns/mnt", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := unix.Unmount("/", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("umount /: %w", err)
	}
	if err := unix.Setns(mnt, unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("setns to the namespace's root: %w", err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/", &st); err != nil {
		return err
	}
	if st.Type != unix.TMPFS_MAGIC && st.Type != unix.RAMFS_MAGIC {
		fmt.Printf("SKIP: the mount namespace's root is not a rootfs (filesystem type %#x)\n", st.Type)
		os.Exit(0)
	}
	work := ""
	for _, d := range []string{"mnt", "root", "tmp"} {
		if fi, err := os.Stat("/" + d); err == nil && fi.IsDir() {
			work = "/" + d
			break
		}
	}
	for _, d := range []string{"proc", "sys", "dev"} {
		if fi, err := os.Stat("/" + d); err != nil || !fi.IsDir() {
			fmt.Printf("SKIP: this kernel's rootfs has no /%s to mount on, and writing to the rootfs would change it for the whole machine\n", d)
			os.Exit(0)
		}
	}
	if work == "" {
		fmt.Println("SKIP: this kernel's rootfs has no directory to mount a work tmpfs on")
		os.Exit(0)
	}
	if err := unix.Mount("tmpfs", work, "tmpfs", 0, "mode=0755"); err != nil {
		return err
	}
	host, newRoot, probe := work+"/host", work+"/newroot", work+"/probe"
	for _, d := range []string{host, newRoot, probe, newRoot + "/usr"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	if err := unix.MoveMount(tree, "", unix.AT_FDCWD, host, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount: %w", err)
	}
	for _, d := range []string{"proc", "sys", "dev"} {
		if err := unix.Mount(host+"/"+d, "/"+d, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return err
		}
	}
	if err := unix.Mount(host+"/usr", newRoot+"/usr", "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	for _, l := range []string{"bin", "lib", "lib64", "sbin"} {
		if err := os.Symlink("usr/"+l, newRoot+"/"+l); err != nil {
			return err
		}
	}
	// The claim under test: pivot_root refuses here.
	if err := unix.Mount(probe, probe, "", unix.MS_BIND, ""); err != nil {
		return err
	}
	if err := unix.Chdir(probe); err != nil {
		return err
	}
	perr := unix.PivotRoot(".", ".")
	fmt.Printf("pivot_root on the rootfs: %v\n", perr)
	if perr == nil {
		return fmt.Errorf("pivot_root worked: this root is not initramfs-like")
	}
	if err := unix.Chdir("/"); err != nil {
		return err
	}
	exe := host + nsnetBin
	script := `echo pid=$$; echo root=$(ls / | tr '\n' ' '); echo dev=$(ls /dev | tr '\n' ' ')
echo x > /dev/null && head -c 8 /dev/urandom | wc -c | sed 's/^/urandom=/'`
	return unix.Exec(exe, []string{"nsnet", "run", "--root", newRoot, "--", "sh", "-c", script}, []string{"PATH=/usr/bin:/bin"})
}

// syncBuffer is a bytes.Buffer that a test reads while a process writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
