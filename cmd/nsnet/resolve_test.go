package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
)

func nsIno(t *testing.T, path string) string {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return "net:[" + strconv.FormatUint(st.Ino, 10) + "]"
}

// TestDigitNamespaceName is issue 9 H1's reproducer: after `netns add
// PID`, -n PID, netns exec PID and link set DEV netns PID act in the
// namespace of that name, not in process PID's (here the caller's own).
func TestDigitNamespaceName(t *testing.T) {
	sandbox.Require(t)
	sleep := exec.Command("sleep", "300") // in the caller's namespace
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	p := strconv.Itoa(sleep.Process.Pid)
	cleanup(t, []string{p}, []string{"h1-a"})
	nsnet(t, "netns", "add", p)
	named, self := nsIno(t, nsutil.RunDir+"/"+p), nsIno(t, "/proc/self/ns/net")

	if got := strings.TrimSpace(nsnet(t, "netns", "exec", p, "readlink", "/proc/self/ns/net")); got != named {
		t.Errorf("netns exec %s ran in %s, want the named namespace %s (the caller's is %s)", p, got, named, self)
	}
	nsnet(t, "-n", p, "link", "add", "m1br", "type", "bridge")
	byName(t, ipJSON(t, "-n", p, "link"), "m1br")
	if _, _, code := nsnetCode("link", "show", "m1br"); code == 0 {
		t.Errorf("-n %s link add m1br landed in the caller's namespace", p)
	}
	nsnet(t, "link", "add", "h1-a", "type", "veth", "peer", "name", "h1-b")
	nsnet(t, "link", "set", "h1-b", "netns", p)
	byName(t, ipJSON(t, "-n", p, "link"), "h1-b")
	nsnet(t, "link", "add", "h1-c", "netns", p, "type", "veth", "peer", "name", "h1-d", "netns", p)
	byName(t, ipJSON(t, "-n", p, "link"), "h1-c")
	byName(t, ipJSON(t, "-n", p, "link"), "h1-d")

	// A number that names no namespace is an error for -n and netns
	// exec (as iproute2's netns_switch), never a process's namespace.
	own := strconv.Itoa(os.Getpid())
	for _, argv := range [][]string{{"-n", own, "link", "show"}, {"netns", "exec", own, "true"}} {
		_, stderr, code := nsnetCode(argv...)
		if code != 1 || !strings.Contains(stderr, "there is no namespace named "+own) {
			t.Errorf("nsnet %s: exit %d, %q; want exit 1, no such namespace", strings.Join(argv, " "), code, stderr)
		}
	}
}

// TestLinkNetnsPID: `link set DEV netns PID` with no namespace of that
// name moves DEV into process PID's namespace, as iproute2 does.
func TestLinkNetnsPID(t *testing.T) {
	sandbox.Require(t)
	cleanup(t, []string{"h1-other"}, []string{"h1-e"})
	nsnet(t, "netns", "add", "h1-other")
	ns, err := nsutil.Open("h1-other")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	sleep := exec.Command("sleep", "300")
	if err := ns.Start(sleep); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	nsnet(t, "netns", "del", "h1-other") // only the process holds it now
	nsnet(t, "link", "add", "h1-e", "type", "veth", "peer", "name", "h1-f")
	nsnet(t, "link", "set", "h1-f", "netns", strconv.Itoa(sleep.Process.Pid))
	c, err := rtnl.Dial(ns.File())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.LinkByName("h1-f"); err != nil {
		t.Errorf("h1-f is not in process %d's namespace: %v", sleep.Process.Pid, err)
	}
	_, stderr, code := nsnetCode("link", "set", "h1-e", "netns", "h1-nowhere")
	if code != 1 || !strings.Contains(stderr, "there is no namespace named h1-nowhere") {
		t.Errorf("netns h1-nowhere: exit %d, %q", code, stderr)
	}
}

// TestTopoRepairsAbortedCreation is issue 9 L1 end to end: a killed up
// left /run/netns/red as an empty file without its mount; plan, status,
// up and down work on it (up replaces it, down removes it).
func TestTopoRepairsAbortedCreation(t *testing.T) {
	sandbox.Require(t)
	f := seedFile(t)
	red := nsutil.RunDir + "/red"
	leftover := func() {
		t.Helper()
		if err := os.WriteFile(red, nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	leftover()
	defer nsnetCode("down", f)
	for _, verb := range []string{"plan", "status", "up"} {
		code, _, errs := nsnetRun(t, verb, f)
		// status exits 1 for a network that is not up yet.
		if code != 0 && (verb != "status" || code != 1 || errs != "") {
			t.Fatalf("%s over the leftover: exit %d: %s", verb, code, errs)
		}
	}
	if _, err := nsutil.Open("red"); err != nil {
		t.Fatalf("up did not repair red: %v", err)
	}
	nsnet(t, "netns", "del", "red")
	leftover()
	if code, _, errs := nsnetRun(t, "down", f); code != 0 {
		t.Fatalf("down over the leftover: exit %d: %s", code, errs)
	}
	if _, err := os.Lstat(red); !os.IsNotExist(err) {
		t.Errorf("down left %s: %v", red, err)
	}
}

// TestTopoRefusesLinkedNamespace is issue 9 M5 end to end: with
// /run/netns/red a symbolic link to another namespace, up refuses it
// (configuring nothing there) and down destroys nothing through it.
func TestTopoRefusesLinkedNamespace(t *testing.T) {
	sandbox.Require(t)
	f := seedFile(t)
	cleanup(t, []string{"m5-target"}, nil)
	nsnet(t, "netns", "add", "m5-target")
	target := nsIno(t, nsutil.RunDir+"/m5-target")
	red := nsutil.RunDir + "/red"
	if err := os.Symlink(nsutil.RunDir+"/m5-target", red); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(red)
	defer nsnetCode("down", f)
	code, _, errs := nsnetRun(t, "up", f)
	if code != 1 || !strings.Contains(errs, "/run/netns/red is a symbolic link, not a network namespace") {
		t.Errorf("up with red a link: exit %d, %q; want 1 and the link named", code, errs)
	}
	if l := ipJSON(t, "-n", "m5-target", "link"); len(l) != 1 {
		t.Errorf("up configured the link's target: %v", l)
	}
	nsnetCode("down", f)
	if got := nsIno(t, nsutil.RunDir+"/m5-target"); got != target {
		t.Errorf("down through the link unmounted m5-target (now %s, was %s)", got, target)
	}
	if _, err := os.Lstat(red); err != nil {
		t.Errorf("down removed the link: %v", err)
	}
}
