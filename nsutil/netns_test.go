package nsutil

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// inode returns "net:[N]" for a namespace file, as readlink shows it.
func inode(t *testing.T, f *os.File) string {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	return "net:[" + strconv.FormatUint(st.Ino, 10) + "]"
}

func pathInode(t *testing.T, p string) string {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		t.Fatal(err)
	}
	return "net:[" + strconv.FormatUint(st.Ino, 10) + "]"
}

// create makes a named namespace and deletes it at the end of the test.
func create(t *testing.T, name string) *NetNS {
	t.Helper()
	ns, err := Create(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ns.Close()
		if err := Delete(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Error(err)
		}
	})
	return ns
}

func ipNetnsNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, e := range sandbox.IPJSON(t, "netns", "list") {
		names = append(names, e["name"].(string))
	}
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCreateSeenByIP: a namespace from Create is listed and usable by
// iproute2, with the same layout as one `ip netns add` makes.
func TestCreateSeenByIP(t *testing.T) {
	sandbox.Require(t)
	ns := create(t, "cr-nsutil")
	sandbox.Run(t, "ip", "netns", "add", "cr-ip")
	t.Cleanup(func() { sandbox.Run(t, "ip", "netns", "del", "cr-ip") })

	if names := ipNetnsNames(t); !contains(names, "cr-nsutil") {
		t.Fatalf("ip netns list = %v, want cr-nsutil", names)
	}
	if got, want := pathInode(t, filepath.Join(RunDir, "cr-nsutil")), inode(t, ns.File()); got != want {
		t.Errorf("/run/netns/cr-nsutil is %s, the namespace is %s", got, want)
	}
	links := sandbox.IPJSON(t, "-n", "cr-nsutil", "link", "show")
	if len(links) != 1 || links[0]["ifname"] != "lo" {
		t.Errorf("ip -n cr-nsutil link = %v, want only lo", links)
	}
	out := sandbox.Run(t, "ip", "netns", "exec", "cr-nsutil", "readlink", "/proc/self/ns/net")
	if strings.TrimSpace(out) != inode(t, ns.File()) {
		t.Errorf("ip netns exec runs in %s, want %s", out, inode(t, ns.File()))
	}
	// Same mount layout as iproute2's: both files are bind mounts with
	// shared propagation in the same peer group as their parent's copies,
	// and /run/netns itself is shared.
	mi := mountinfo(t)
	for _, p := range []string{RunDir, RunDir + "/cr-nsutil", RunDir + "/cr-ip"} {
		if !strings.Contains(mi[p], "shared:") {
			t.Errorf("%s is not a shared mount: %q", p, mi[p])
		}
	}
	var a, b unix.Stat_t
	if err := unix.Stat(RunDir+"/cr-nsutil", &a); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat(RunDir+"/cr-ip", &b); err != nil {
		t.Fatal(err)
	}
	if a.Mode != b.Mode || a.Dev != b.Dev {
		t.Errorf("mode/dev of ours %o/%d, of ip's %o/%d", a.Mode, a.Dev, b.Mode, b.Dev)
	}
	if _, err := Create("cr-ip"); !errors.Is(err, unix.EEXIST) {
		t.Errorf("Create of ip's existing name = %v, want EEXIST", err)
	}
	if got := pathInode(t, RunDir+"/cr-ip"); got == inode(t, ns.File()) {
		t.Error("a failed Create touched the existing namespace")
	}
}

// mountinfo maps mount points to their optional fields (propagation).
func mountinfo(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		var opt []string
		for _, x := range f[6:] {
			if x == "-" {
				break
			}
			opt = append(opt, x)
		}
		m[f[4]] = strings.Join(opt, " ")
	}
	return m
}

// TestIPCreatedUsable: a namespace from `ip netns add` is opened by name
// and code run by Do is inside it.
func TestIPCreatedUsable(t *testing.T) {
	sandbox.Require(t)
	sandbox.Run(t, "ip", "netns", "add", "ipmade")
	t.Cleanup(func() { sandbox.Run(t, "ip", "netns", "del", "ipmade") })
	sandbox.Run(t, "ip", "-n", "ipmade", "link", "add", "ipm0", "type", "veth", "peer", "name", "ipm1")

	ns, err := Open("ipmade")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if ns.Name() != "ipmade" {
		t.Errorf("Name() = %q", ns.Name())
	}
	var names []string
	err = ns.Do(func() error {
		ifs, err := net.Interfaces() // an rtnetlink socket made on this thread
		for _, i := range ifs {
			names = append(names, i.Name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !contains(names, "ipm0") || !contains(names, "ipm1") || len(names) != 3 {
		t.Errorf("interfaces seen by Do = %v, want lo, ipm0, ipm1", names)
	}
	sentinel := errors.New("from fn")
	if err := ns.Do(func() error { return sentinel }); err != sentinel {
		t.Errorf("Do returned %v, want fn's error", err)
	}
}

func TestOpenErrors(t *testing.T) {
	sandbox.Require(t)
	if _, err := Open("does-not-exist"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want os.ErrNotExist", err)
	}
	if _, err := OpenPath("/proc/self/ns/mnt"); err == nil || !strings.Contains(err.Error(), "not a network namespace") {
		t.Errorf("OpenPath(mnt ns) = %v, want 'not a network namespace'", err)
	}
	// A stale file (no bind mount) is not taken for a namespace.
	stale := filepath.Join(RunDir, "stale")
	if err := os.WriteFile(stale, nil, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(stale)
	if _, err := Open("stale"); err == nil {
		t.Error("Open(stale file) succeeded")
	}
	cur, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if got, want := inode(t, cur.File()), pathInode(t, "/proc/self/ns/net"); got != want {
		t.Errorf("Current() = %s, want %s", got, want)
	}
}

func TestNewAnonymous(t *testing.T) {
	sandbox.Require(t)
	f, err := NewAnonymous()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if inode(t, f) == pathInode(t, "/proc/self/ns/net") {
		t.Fatal("NewAnonymous returned the current namespace")
	}
	if got := pathInode(t, "/proc/thread-self/ns/net"); got != pathInode(t, "/proc/self/ns/net") {
		t.Fatalf("the calling thread moved to %s", got)
	}
	ns := &NetNS{f: f}
	var seen string
	if err := ns.Do(func() error {
		l, err := os.Readlink("/proc/thread-self/ns/net")
		seen = l
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if seen != inode(t, f) {
		t.Errorf("Do ran in %s, want %s", seen, inode(t, f))
	}
}

// TestDelete: gone for ip and for Open; a second Delete reports what ip
// reports; deleting while a process is inside succeeds, as with ip.
func TestDelete(t *testing.T) {
	sandbox.Require(t)
	ns, err := Create("del1")
	if err != nil {
		t.Fatal(err)
	}
	ns.Close()
	cmd := exec.Command("sleep", "30")
	ns2, err := Open("del1")
	if err != nil {
		t.Fatal(err)
	}
	if err := ns2.Start(cmd); err != nil {
		t.Fatal(err)
	}
	ns2.Close()
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	if err := Delete("del1"); err != nil {
		t.Fatalf("Delete with a process inside = %v, want nil (as ip netns del)", err)
	}
	if _, err := os.Stat(filepath.Join(RunDir, "del1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file still there: %v", err)
	}
	if contains(ipNetnsNames(t), "del1") {
		t.Error("ip netns list still shows del1")
	}
	if _, err := Open("del1"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open after Delete = %v", err)
	}
	err = Delete("del1")
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("second Delete = %v, want os.ErrNotExist", err)
	}
	if want := "netns del del1: remove /run/netns/del1: no such file or directory"; err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
	if l, err := os.Readlink("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/net"); err != nil || l == pathInode(t, "/proc/self/ns/net") {
		t.Errorf("the process inside is in %s (%v), want the deleted namespace", l, err)
	}
}

// TestList compares List with `ip netns list`, text and order, with and
// without nsids.
func TestList(t *testing.T) {
	sandbox.Require(t)
	create(t, "lst-a")
	create(t, "lst-b")
	// A veth peer in lst-a makes this namespace assign it an nsid.
	sandbox.Run(t, "ip", "link", "add", "lstv0", "type", "veth", "peer", "name", "lstv1", "netns", "lst-a")
	t.Cleanup(func() { sandbox.Run(t, "ip", "link", "del", "lstv0") })

	entries, err := List()
	if err != nil {
		t.Fatal(err)
	}
	var ours []string
	for _, e := range entries {
		ours = append(ours, e.String())
	}
	ip := strings.Split(strings.TrimSpace(sandbox.Run(t, "ip", "netns", "list")), "\n")
	// Other tests may add or remove namespaces concurrently only if they
	// run in parallel; none does, so the listings must be identical.
	if strings.Join(ours, "\n") != strings.Join(ip, "\n") {
		t.Fatalf("List:\n%s\nip netns list:\n%s", strings.Join(ours, "\n"), strings.Join(ip, "\n"))
	}
	found := false
	for _, e := range entries {
		if e.Name == "lst-a" {
			found = e.ID >= 0
		}
	}
	if !found {
		t.Errorf("lst-a has no nsid in %v", entries)
	}
}

// TestStart: like `ip netns exec`, the program sees the namespace's own
// /sys/class/net and /etc/netns/NAME files over /etc; the caller's view
// is untouched.
func TestStart(t *testing.T) {
	sandbox.Require(t)
	ns := create(t, "ex1")
	sandbox.Run(t, "ip", "link", "add", "ex-host", "type", "veth", "peer", "name", "ex-peer")
	t.Cleanup(func() { sandbox.Run(t, "ip", "link", "del", "ex-host") })
	privateEtc(t)
	if err := os.MkdirAll("/etc/netns/ex1", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("/etc/netns/ex1/hosts", []byte("10.9.8.7 only-in-ex1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hostHosts, err := os.ReadFile("/etc/hosts")
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	cmd := exec.Command("sh", "-c", "ls /sys/class/net; cat /etc/hosts; readlink /proc/self/ns/net")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := ns.Start(cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	want := "lo\n10.9.8.7 only-in-ex1\n" + inode(t, ns.File()) + "\n"
	if out.String() != want {
		t.Errorf("inside ex1:\n%s\nwant:\n%s", out.String(), want)
	}
	// ip netns exec gives the same view (the oracle for our emulation).
	if got := sandbox.Run(t, "ip", "netns", "exec", "ex1", "sh", "-c", "ls /sys/class/net; cat /etc/hosts"); got+inode(t, ns.File())+"\n" != want {
		t.Errorf("ip netns exec sees:\n%s", got)
	}
	if b, _ := os.ReadFile("/etc/hosts"); !bytes.Equal(b, hostHosts) {
		t.Error("the caller's /etc/hosts changed")
	}
	if _, err := os.Stat("/sys/class/net/ex-host"); err != nil {
		t.Errorf("the caller's /sys changed: %v", err)
	}
	if got := pathInode(t, "/proc/self/ns/net"); got == inode(t, ns.File()) {
		t.Error("the caller moved into ex1")
	}

	// A failing /etc bind mount fails Start (/etc/no-such-file is missing).
	if err := os.WriteFile("/etc/netns/ex1/no-such-file", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := exec.Command("true")
	if err := ns.Start(bad); err == nil || !strings.Contains(err.Error(), "/etc/no-such-file") {
		t.Errorf("Start with a bad /etc/netns entry = %v, want an error naming it", err)
		if err == nil {
			bad.Wait()
		}
	}
	os.Remove("/etc/netns/ex1/no-such-file")
}

// privateEtc covers /etc, for the rest of this test, with an overlay whose
// writable layer is a tmpfs, so that /etc/netns can be written without
// touching the host's /etc.
func privateEtc(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "mode=0700"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	for _, d := range []string{"upper", "work"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := "lowerdir=/etc,upperdir=" + dir + "/upper,workdir=" + dir + "/work"
	if err := unix.Mount("overlay", "/etc", "overlay", 0, opts); err != nil {
		t.Skipf("cannot overlay /etc (%v): no way to write /etc/netns without touching the host", err)
	}
	t.Cleanup(func() { unix.Unmount("/etc", unix.MNT_DETACH) })
}

func TestSysctl(t *testing.T) {
	sandbox.Require(t)
	ns := create(t, "sys1")
	cur, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	before, err := cur.SysctlGet("net.ipv4.ip_forward")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ns.SysctlGet("net.ipv4.ip_forward"); err != nil || v != "0" {
		t.Fatalf("ip_forward in a new namespace = %q, %v; want 0", v, err)
	}
	if err := ns.SysctlSet("net.ipv4.ip_forward", "1"); err != nil {
		t.Fatal(err)
	}
	if v, err := ns.SysctlGet("net/ipv4/ip_forward"); err != nil || v != "1" {
		t.Fatalf("after set: %q, %v", v, err)
	}
	if got := strings.TrimSpace(sandbox.Run(t, "ip", "netns", "exec", "sys1", "cat", "/proc/sys/net/ipv4/ip_forward")); got != "1" {
		t.Errorf("ip netns exec sees ip_forward=%s", got)
	}
	if after, _ := cur.SysctlGet("net.ipv4.ip_forward"); after != before {
		t.Errorf("the caller's ip_forward changed from %s to %s", before, after)
	}
	if err := ns.SysctlSet("kernel.hostname", "x"); err == nil {
		t.Error("SysctlSet outside net accepted")
	}
	if _, err := ns.SysctlGet("net.ipv4.no_such_key"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing key: %v, want os.ErrNotExist", err)
	}
}
