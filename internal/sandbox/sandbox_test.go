package sandbox

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestGuardOne(t *testing.T) {
	own, err := nsInode("net")
	if err != nil {
		t.Fatal(err)
	}
	if err := guardOne("net", own); err == nil || !strings.Contains(err.Error(), "refusing to run") {
		t.Errorf("guardOne(own inode) = %v, want a refusal", err)
	}
	if err := guardOne("net", ""); err == nil {
		t.Error("guardOne(unknown parent) = nil, want a refusal")
	}
	if err := guardOne("net", "1:2"); err != nil {
		t.Errorf("guardOne(other inode) = %v, want nil", err)
	}
}

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
	out, code := runSelf(t, env, "-test.run=^TestGuardOne$")
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
	if got := leaked(before, after); len(got) != 1 || got[0] != want {
		t.Fatalf("leaked = %q, want [%q]", got, want)
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
