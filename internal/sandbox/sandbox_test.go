package sandbox

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// TestGuardRefusesEndToEnd starts this test binary marked as a sandbox
// child but without new namespaces: it must refuse to run anything.
func TestGuardRefusesEndToEnd(t *testing.T) {
	netns, err := nsInode("net")
	if err != nil {
		t.Fatal(err)
	}
	mntns, err := nsInode("mnt")
	if err != nil {
		t.Fatal(err)
	}
	env := append(withoutMarkers(os.Environ()), envInside+"=1", envParentNetNS+"="+netns, envParentMntNS+"="+mntns)
	out, code := runSelf(t, env, "-test.run=^TestIsolation$")
	if code == 0 || !strings.Contains(out, "refusing to run: still in the parent's net namespace") {
		t.Fatalf("child in the parent's namespaces exited %d, want a refusal; output:\n%s", code, out)
	}
	if strings.Contains(out, "PASS") || strings.Contains(out, "=== RUN") {
		t.Fatalf("child ran tests although the guard refused:\n%s", out)
	}
}

// TestIsolation creates a link inside and checks that the parent (the
// process that called Reexec, in the host's namespaces) does not see it,
// nor the sandbox's /run/netns mount.
func TestIsolation(t *testing.T) {
	Require(t)
	ppid := strconv.Itoa(os.Getppid())
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+ppid+"/ns/net", &st); err != nil {
		t.Fatal(err)
	}
	parentNet := strconv.FormatUint(st.Dev, 10) + ":" + strconv.FormatUint(st.Ino, 10)
	if parentNet != os.Getenv(envParentNetNS) {
		t.Fatalf("parent's netns %s, but the marker says %s", parentNet, os.Getenv(envParentNetNS))
	}

	Run(t, "ip", "link", "add", "sbx-a", "type", "veth", "peer", "name", "sbx-b")
	t.Cleanup(func() { Run(t, "ip", "link", "del", "sbx-a") })
	if _, err := os.Stat("/sys/class/net/sbx-a"); err != nil {
		t.Errorf("the sandbox's sysfs does not show the new link: %v", err)
	}
	if !devListed(t, "/proc/self/net/dev", "sbx-a") {
		t.Error("sbx-a not in /proc/self/net/dev")
	}
	if devListed(t, "/proc/"+ppid+"/net/dev", "sbx-a") {
		t.Error("sbx-a is visible in the parent's (host's) network namespace")
	}

	flags, err := os.ReadFile("/sys/class/net/lo/flags")
	if err != nil {
		t.Fatal(err)
	}
	f, err := strconv.ParseUint(strings.TrimSpace(string(flags)), 0, 32)
	if err != nil || f&unix.IFF_UP == 0 {
		t.Errorf("lo flags %q: want IFF_UP", flags)
	}

	var sfs unix.Statfs_t
	if err := unix.Statfs("/run/netns", &sfs); err != nil || sfs.Type != unix.TMPFS_MAGIC {
		t.Fatalf("/run/netns is not a tmpfs (type %#x, %v)", sfs.Type, err)
	}
	id := mountID(t, "/proc/self/mountinfo", "/run/netns")
	if id == "" {
		t.Fatal("no mount at /run/netns in the sandbox")
	}
	if hasMountID(t, "/proc/"+ppid+"/mountinfo", id) {
		t.Errorf("the sandbox's /run/netns mount %s is visible in the parent's mount namespace", id)
	}
}

func TestFDLeakReported(t *testing.T) {
	before, err := fdSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/version")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	after, err := fdSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	want := "fd " + strconv.Itoa(int(f.Fd())) + " -> /proc/version"
	if diff := cmp.Diff([]string{want}, leaked(before, after)); diff != "" {
		t.Fatalf("leaked (-want +got):\n%s", diff)
	}
	if got := leaked(after, after); len(got) != 0 {
		t.Fatalf("leaked(same, same) = %q, want none", got)
	}
}

// TestLeakHelper leaks a descriptor on purpose, only when
// TestFDLeakFailsRun starts it.
func TestLeakHelper(t *testing.T) {
	if os.Getenv("NSNET_SANDBOX_TEST_LEAK") != "1" {
		t.Skip("helper for TestFDLeakFailsRun")
	}
	if _, err := os.Open("/proc/version"); err != nil { // leaked on purpose
		t.Fatal(err)
	}
}

// TestFDLeakFailsRun runs a test that leaks a descriptor in a fresh
// process (a nested sandbox as root) and expects Main to fail the run
// and name the descriptor.
func TestFDLeakFailsRun(t *testing.T) {
	env := append(withoutMarkers(os.Environ()), "NSNET_SANDBOX_TEST_LEAK=1")
	out, code := runSelf(t, env, "-test.run=^TestLeakHelper$")
	if code == 0 || !strings.Contains(out, "leaked 1 file descriptor") || !strings.Contains(out, "-> /proc/version") {
		t.Fatalf("leaking run exited %d, want a failure naming /proc/version; output:\n%s", code, out)
	}
	// The same run without the leak passes: the check has no false alarm.
	out, code = runSelf(t, withoutMarkers(os.Environ()), "-test.run=^TestFDLeakReported$")
	if code != 0 {
		t.Fatalf("clean run exited %d:\n%s", code, out)
	}
}

func TestOracles(t *testing.T) {
	Require(t)
	links := IPJSON(t, "link", "show", "dev", "lo")
	if len(links) != 1 || links[0]["ifname"] != "lo" {
		t.Fatalf("ip -j link show dev lo = %v", links)
	}
	rs := NFTJSON(t, "list", "ruleset")
	if _, ok := rs["nftables"]; !ok {
		t.Fatalf("nft -j list ruleset = %v, want an nftables key", rs)
	}
	if out := Run(t, "ip", "-o", "link", "show", "lo"); !strings.Contains(out, "lo:") {
		t.Fatalf("ip -o link show lo = %q", out)
	}
}

// runSelf runs this test binary with args and env and returns its
// combined output and exit code.
func runSelf(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command("/proc/self/exe", append(args, "-test.count=1", "-test.v")...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

func devListed(t *testing.T, path, name string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if dev, _, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && dev == name {
			return true
		}
	}
	return false
}

// mountID returns the mount ID of the topmost mount at point.
func mountID(t *testing.T, mountinfo, point string) string {
	t.Helper()
	b, err := os.ReadFile(mountinfo)
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == point {
			id = f[0]
		}
	}
	return id
}

func hasMountID(t *testing.T, mountinfo, id string) bool {
	t.Helper()
	b, err := os.ReadFile(mountinfo)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == id {
			return true
		}
	}
	return false
}

// TestExecHelper replaces itself with a shell that reports what it sees,
// only when TestReexecExec starts it (the `nsnet sandbox -- CMD` path).
func TestExecHelper(t *testing.T) {
	if os.Getenv("NSNET_SANDBOX_TEST_EXEC") != "1" {
		t.Skip("helper for TestReexecExec")
	}
	err := Exec([]string{"sh", "-c", "readlink /proc/self/ns/net; cat /sys/class/net/lo/flags; stat -f -c %T /run/netns; ls /sys/class/net; ls -A /run/netns | wc -l"}, nil)
	t.Fatalf("Exec returned: %v", err)
}

// TestReexecExec runs Reexec -> EnterChild (in Main) -> Exec end to end:
// a nested sandbox, its setup, and an arbitrary command inside it.
func TestReexecExec(t *testing.T) {
	Require(t)
	// Our /run/netns is not empty; the nested sandbox's must be (its own
	// tmpfs over an existing /run/netns).
	marker := "/run/netns/outer-" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(marker)
	var out bytes.Buffer
	env := append(withoutMarkers(os.Environ()), "NSNET_SANDBOX_TEST_EXEC=1")
	code, err := Reexec([]string{os.Args[0], "-test.run=^TestExecHelper$"}, env, Stdio{Out: &out, Err: &out})
	if err != nil || code != 0 {
		t.Fatalf("Reexec = %d, %v; output:\n%s", code, err, out.String())
	}
	own, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 || lines[0] == own || !strings.HasPrefix(lines[0], "net:[") ||
		lines[1] != "0x9" || lines[2] != "tmpfs" || lines[3] != "lo" || strings.TrimSpace(lines[4]) != "0" {
		t.Fatalf("inside the nested sandbox (ours is %s):\n%s\nwant: another netns, lo flags 0x9 (UP|LOOPBACK), /run/netns on tmpfs, only lo in /sys/class/net, an empty /run/netns", own, out.String())
	}
}

func TestExecMissing(t *testing.T) {
	if err := Exec([]string{"/nonexistent/nsnet-no-such-program"}, nil); err == nil {
		t.Fatal("Exec of a missing program returned nil")
	}
	if err := Exec(nil, nil); err == nil {
		t.Fatal("Exec(nil) returned nil")
	}
}

func TestReexecExitCode(t *testing.T) {
	Require(t)
	// A child that refuses (here: its guard would pass, but an unknown
	// flag makes the test binary exit 2) reports its exit code, not an
	// error.
	var out bytes.Buffer
	code, err := Reexec([]string{os.Args[0], "-test.no-such-flag"}, withoutMarkers(os.Environ()), Stdio{Out: &out, Err: &out})
	if err != nil || code != 2 {
		t.Fatalf("Reexec = %d, %v, want exit code 2; output:\n%s", code, err, out.String())
	}
}

// TestNestedMainGetsOwnSandbox: a test binary started with this sandbox's
// environment (as under `nsnet sandbox -- go test`) runs in a sandbox of
// its own, not in ours.
func TestNestedMainGetsOwnSandbox(t *testing.T) {
	Require(t)
	own, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	out, code := runSelf(t, append(os.Environ(), "NSNET_SANDBOX_TEST_REPORT=1"), "-test.run=^TestReportHelper$")
	if code != 0 || !strings.Contains(out, "netns=net:[") || strings.Contains(out, "netns="+own) {
		t.Fatalf("nested test binary (ours: %s) exited %d:\n%s", own, code, out)
	}
}

func TestReportHelper(t *testing.T) {
	if os.Getenv("NSNET_SANDBOX_TEST_REPORT") != "1" {
		t.Skip("helper for TestNestedMainGetsOwnSandbox")
	}
	Require(t)
	ns, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	t.Log("netns=" + ns)
}

// The environment contract of nsutil's sandbox, as a child sees it.
const (
	envInside      = "NSNET_SANDBOX"
	envParentNetNS = "NSNET_SANDBOX_PARENT_NETNS"
	envParentMntNS = "NSNET_SANDBOX_PARENT_MNTNS"
)

// nsInode returns "dev:ino" of this process's namespace of kind.
func nsInode(kind string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/"+kind, &st); err != nil {
		return "", err
	}
	return strconv.FormatUint(st.Dev, 10) + ":" + strconv.FormatUint(st.Ino, 10), nil
}

// withoutMarkers drops every NSNET_SANDBOX* variable from env.
func withoutMarkers(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "NSNET_SANDBOX") {
			out = append(out, kv)
		}
	}
	return out
}
