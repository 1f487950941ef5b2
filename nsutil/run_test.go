package nsutil

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// runOut runs spec to the end and returns its output and exit code.
func runOut(t *testing.T, spec *RunSpec) (string, int) {
	t.Helper()
	var out bytes.Buffer
	spec.Stdout, spec.Stderr = &out, &out
	if spec.Env == nil {
		spec.Env = os.Environ()
	}
	p, err := Run(spec)
	if err != nil {
		t.Fatalf("Run %q: %v", spec.Argv, err)
	}
	code, err := p.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

func sh(script string) []string { return []string{"sh", "-c", script} }

// TestRunNamespaces: the command is PID 1, sees only its pid namespace in
// /proc, has the hostname it was given (the caller's is unchanged), the
// joined namespace's links, routes, /sys and /etc/netns files, and its
// own IPC namespace.
func TestRunNamespaces(t *testing.T) {
	sandbox.Require(t)
	ns := create(t, "run-red")
	sandbox.Run(t, "ip", "-n", "run-red", "link", "add", "rr0", "type", "veth", "peer", "name", "rr1")
	sandbox.Run(t, "ip", "-n", "run-red", "addr", "add", "10.61.0.1/24", "dev", "rr0")
	sandbox.Run(t, "ip", "-n", "run-red", "link", "set", "rr0", "up")
	sandbox.Run(t, "ip", "-n", "run-red", "link", "set", "rr1", "up")
	privateEtc(t)
	if err := os.MkdirAll("/etc/netns/run-red", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("/etc/netns/run-red/hosts", []byte("10.61.0.1 red-only\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hostName, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	// Both ways to start: direct (ptrace stop, proc mounted from outside)
	// and through the helper.
	for _, viaHelper := range []bool{false, true} {
		out, code := runOut(t, &RunSpec{NetNS: ns, Hostname: "redhost", viaHelper: viaHelper, Argv: sh(`
	echo pid=$$
	echo host=$(hostname)
	echo procs=$(ls /proc | grep -E '^[0-9]+$' | tr '\n' ' ')
	echo links=$(ls /sys/class/net | tr '\n' ' ')
	echo netns=$(readlink /proc/self/ns/net)
	grep -q '^rr0	00003D0A' /proc/net/route && echo route=yes
	cat /etc/hosts
	`)})
		if code != 0 {
			t.Fatalf("viaHelper=%v: exit %d:\n%s", viaHelper, code, out)
		}
		want := []string{"pid=1", "host=redhost", "links=lo rr0 rr1", "netns=" + inode(t, ns.File()), "route=yes", "10.61.0.1 red-only"}
		for _, w := range want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("viaHelper=%v: no line %q in:\n%s", viaHelper, w, out)
			}
		}
		// /proc lists PID 1 (sh) and the ls it ran, nothing of the caller's.
		for _, l := range strings.Split(out, "\n") {
			if p, ok := strings.CutPrefix(l, "procs="); ok {
				// PID 1 (sh), its $(...) subshells, ls, grep, tr; the
				// helper's threads took the PIDs before them.
				f := strings.Fields(p)
				if len(f) < 1 || len(f) > 6 || f[0] != "1" {
					t.Errorf("/proc inside lists %q, want only PID 1 and its children", p)
				}
				for _, pid := range f {
					if n, _ := strconv.Atoi(pid); n > 50 {
						t.Errorf("/proc inside lists PID %d: not a new pid namespace", n)
					}
				}
			}
		}
	}
	if h, _ := os.Hostname(); h != hostName {
		t.Errorf("the caller's hostname changed from %q to %q", hostName, h)
	}
	// The default hostname, with Hostname "", is the copied one.
	if out, _ := runOut(t, &RunSpec{Argv: []string{"hostname"}}); strings.TrimSpace(out) != hostName {
		t.Errorf("hostname without Hostname = %q, want the caller's %q", out, hostName)
	}
}

// TestRunInit: with Init the helper stays PID 1; 100 orphans that exit
// while the command runs never stay zombies; nothing is left in the pid
// namespace afterwards; the command's status comes back (128+N for a
// signal). The same load without Init, under a PID 1 that never waits
// (sleep), leaves zombies: the count can fail.
func TestRunInit(t *testing.T) {
	sandbox.Require(t)
	// A background counter: 100 double-forked children (orphans, so PID 1
	// inherits them), then the zombies in the namespace; PID 1 meanwhile
	// is sleep, which never reaps.
	load := `(for i in $(seq 100); do (true &); done; sleep 0.5
z=0; for f in /proc/[0-9]*/stat; do read a b s rest < $f; [ "$s" = Z ] && z=$((z+1)); done
echo zombies=$z) & exec sleep 60`
	if out := zombies(t, &RunSpec{Init: true, Argv: sh(load)}); out != "zombies=0" {
		t.Errorf("with Init: %q; want zombies=0", out)
	}
	if out := zombies(t, &RunSpec{Argv: sh(load)}); out == "zombies=0" || !strings.HasPrefix(out, "zombies=") {
		t.Errorf("without Init: %q; want zombies left by a PID 1 that does not reap", out)
	}
	var out string
	out, _ = runOut(t, &RunSpec{Init: true, Argv: sh("echo self=$$ init=$(tr '\\0' ' ' < /proc/1/cmdline | cut -d' ' -f1)")})
	if !strings.Contains(out, "init="+HelperName+"\n") || strings.Contains(out, "self=1 ") {
		t.Errorf("with Init: %q; want PID 1 to be %s and the command another PID", out, HelperName)
	}
	for _, tc := range []struct {
		script string
		want   int
	}{{"exit 0", 0}, {"exit 7", 7}, {"kill -TERM $$", 128 + 15}} {
		if _, code := runOut(t, &RunSpec{Init: true, Argv: sh(tc.script)}); code != tc.want {
			t.Errorf("Init, %q: exit %d, want %d", tc.script, code, tc.want)
		}
	}
	// Nothing is left in the pid namespace once the command is gone:
	// a background sleep whose pid namespace is looked for afterwards.
	var out2 bytes.Buffer
	p, err := Run(&RunSpec{Init: true, Env: os.Environ(), Stdout: &out2, Argv: sh("sleep 100 & readlink /proc/self/ns/pid")})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(); code != 0 || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	if left := inPIDNS(t, strings.TrimSpace(out2.String())); len(left) > 0 {
		t.Errorf("processes left in %s: %v", out2.String(), left)
	}
}

// zombies runs spec until it prints its zombies= line, however long
// that takes on a loaded machine, then kills it (SIGKILL from outside
// reaches even a PID 1) and returns the line.
func zombies(t *testing.T, spec *RunSpec) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	spec.Env, spec.Stdout = os.Environ(), w
	p, err := Run(spec)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	p.Signal(unix.SIGKILL)
	p.Wait()
	if err != nil {
		t.Fatalf("no zombies line: %v", err)
	}
	return strings.TrimSpace(line)
}

// inPIDNS lists the processes (seen from here) in the pid namespace link.
func inPIDNS(t *testing.T, link string) []string {
	t.Helper()
	var left []string
	for try := 0; try < 500; try++ { // up to 5 s on a loaded machine
		left = nil
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			if _, err := strconv.Atoi(e.Name()); err != nil {
				continue
			}
			if l, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err == nil && l == link {
				left = append(left, e.Name())
			}
		}
		if len(left) == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond) // the kernel kills them as PID 1 exits
	}
	return left
}

// TestRunHostPID: from outside, the process has another PID, and its
// NSpid line lists both.
func TestRunHostPID(t *testing.T) {
	sandbox.Require(t)
	for _, viaHelper := range []bool{false, true} {
		hostPID(t, viaHelper)
	}
}

func hostPID(t *testing.T, viaHelper bool) {
	p, err := Run(&RunSpec{Detach: true, Argv: []string{"sleep", "100"}, Env: os.Environ(), viaHelper: viaHelper})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { p.Signal(unix.SIGKILL); p.Wait() }()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("NSpid:\t%d\t1\n", p.Pid())
	if !strings.Contains(string(b), want) || p.Pid() == 1 {
		t.Errorf("/proc/%d/status has no %q:\n%s", p.Pid(), want, b)
	}
	if sid, _ := unix.Getsid(p.Pid()); sid != p.Pid() {
		t.Errorf("detached: session %d, want a session of its own (%d)", sid, p.Pid())
	}
}

// TestRunFDs: the command gets 0, 1, 2, nothing else, even what the
// caller holds without O_CLOEXEC. (PreserveFDs is tested end to end with
// the nsnet binary, where descriptors 3 and up are the shell's to give.)
func TestRunFDs(t *testing.T) {
	sandbox.Require(t)
	// A descriptor without O_CLOEXEC, as a careless parent would leave.
	leak, err := unix.Open("/dev/null", unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(leak)
	for _, way := range []RunSpec{{}, {viaHelper: true}, {Init: true}} {
		// ls, not a pipe: a shell holds a pipe's ends while it forks.
		way.Argv = sh("ls /proc/$$/fd")
		out, code := runOut(t, &way)
		if code != 0 || out != "0\n1\n2\n" {
			t.Errorf("viaHelper=%v Init=%v: descriptors inside %q (exit %d), want 0, 1, 2", way.viaHelper, way.Init, out, code)
		}
	}
	if err := CheckFDs(1000); err == nil {
		t.Error("CheckFDs(1000) = nil, want descriptor ... is not open")
	}
}

// TestRunMounts: the caller's mount table is the same before, during and
// after runs that mount /proc, /sys, /etc/netns binds (direct, and
// through the helper) and a new root.
func TestRunMounts(t *testing.T) {
	sandbox.Require(t)
	ns := create(t, "run-mnt")
	root := tmpfsRoot(t)
	for _, way := range []RunSpec{{}, {viaHelper: true}, {Root: root}} {
		before := mountTable(t)
		inR, inW, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		outR, outW, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		way.NetNS, way.Env, way.Stdin, way.Stdout, way.Stderr = ns, os.Environ(), inR, outW, outW
		way.Argv = sh("echo up; read x; exit 0")
		p, err := Run(&way)
		outW.Close()
		inR.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 3)
		if _, err := outR.Read(b); err != nil || string(b) != "up\n" {
			t.Fatalf("read %q, %v", b, err)
		}
		during := mountTable(t)
		inW.Close()
		if code, err := p.Wait(); code != 0 || err != nil {
			t.Fatalf("exit %d, %v", code, err)
		}
		outR.Close()
		after := mountTable(t)
		if during != before || after != before {
			t.Errorf("root %q viaHelper=%v: the caller's mountinfo changed:\nbefore:\n%s\nduring:\n%s\nafter:\n%s", way.Root, way.viaHelper, before, during, after)
		}
	}
}

// mountTable is /proc/self/mountinfo, whole.
func mountTable(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tmpfsRoot makes a root directory on a tmpfs of its own: /usr of the
// caller bound read-only, and the usual links into it.
func tmpfsRoot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	// Reachable for the root of a user namespace (an unmapped id).
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "mode=0755"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	if err := populateRoot(dir, "/usr"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// populateRoot binds usr (read-only) into dir and links bin, lib, lib64,
// sbin to it, as a merged-/usr system has them.
func populateRoot(dir, usr string) error {
	if err := os.Mkdir(filepath.Join(dir, "usr"), 0o755); err != nil {
		return err
	}
	if err := unix.Mount(usr, filepath.Join(dir, "usr"), "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	unix.Mount("", filepath.Join(dir, "usr"), "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, "")
	for _, l := range []string{"bin", "lib", "lib64", "sbin"} {
		if err := os.Symlink("usr/"+l, filepath.Join(dir, l)); err != nil {
			return err
		}
	}
	return nil
}

// rootScript is what the --root tests run inside.
const rootScript = `echo pid=$$; echo root=$(ls / | tr '\n' ' '); echo dev=$(ls /dev | tr '\n' ' ')
echo x > /dev/null && head -c 8 /dev/urandom | wc -c | sed 's/^/urandom=/'; echo procs=$(ls /proc | grep -cE '^[0-9]+$')`

func checkRootOutput(t *testing.T, what, out string) {
	t.Helper()
	for _, w := range []string{
		"pid=1", "root=bin dev lib lib64 proc sbin sys usr",
		"dev=fd full null ptmx pts random shm stderr stdin stdout tty urandom zero",
		"urandom=8",
	} {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("%s: no line %q in:\n%s", what, w, out)
		}
	}
	// sh, its $(...) subshell, ls and grep at most: the new pid namespace.
	if !strings.Contains(out, "procs=") || strings.Contains(out, "procs=1") && !strings.Contains(out, "procs=1\n") {
		t.Errorf("%s: no procs line in:\n%s", what, out)
	}
	for _, l := range strings.Split(out, "\n") {
		if n, ok := strings.CutPrefix(l, "procs="); ok {
			if c, _ := strconv.Atoi(n); c < 1 || c > 5 {
				t.Errorf("%s: %s processes in /proc, want those of the new pid namespace (at most 5)", what, n)
			}
		}
	}
}

// TestRunRoot: a tmpfs root (pivot_root), the same in a user namespace,
// and a root entered from a chroot whose / is no mount point, where
// pivot_root refuses (EINVAL) and the MS_MOVE + chroot path runs.
func TestRunRoot(t *testing.T) {
	sandbox.Require(t)
	out, code := runOut(t, &RunSpec{Root: tmpfsRoot(t), Argv: sh(rootScript)})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	checkRootOutput(t, "tmpfs root", out)
	// In a user namespace root's own directories are not writable (the
	// host's root is unmapped there), so the mount points exist already.
	userRoot := tmpfsRoot(t)
	for _, d := range []string{"proc", "sys", "dev"} {
		if err := os.Mkdir(filepath.Join(userRoot, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, code = runOut(t, &RunSpec{Root: userRoot, User: &UserNS{UID: []IDMap{{0, 100000, 65536}}, GID: []IDMap{{0, 100000, 65536}}},
		Argv: sh(rootScript + "; echo map=$(cat /proc/self/uid_map)")})
	if code != 0 {
		t.Fatalf("user namespace: exit %d: %s", code, out)
	}
	checkRootOutput(t, "tmpfs root in a user namespace", out)
	if !strings.Contains(out, "map= 0 100000 65536\n") {
		t.Errorf("uid_map inside: %s", out)
	}
}
