package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/topo"
)

// scaleFile writes a topology of n namespaces on one bridge (10.30.0.0/16,
// gateway 10.30.0.1) and returns its path.
func scaleFile(t *testing.T, prefix string, n int) string {
	t.Helper()
	var ns, veths []string
	for i := range n {
		name := fmt.Sprintf("%s%d", prefix, i)
		ns = append(ns, fmt.Sprintf(`{"name": %q, "routes": [{"to": "default", "via": "10.30.0.1"}]}`, name))
		veths = append(veths, fmt.Sprintf(`{"name": "eth0", "netns": %q, "addresses": ["10.30.%d.%d/16"], "peer": {"name": "%s-h", "bridge": "%sbr"}}`,
			name, (i+2)/250, (i+2)%250+1, name, prefix))
	}
	body := fmt.Sprintf(`{"bridges": [{"name": "%sbr", "addresses": ["10.30.0.1/16"]}], "namespaces": [%s], "veths": [%s]}`,
		prefix, strings.Join(ns, ",\n"), strings.Join(veths, ",\n"))
	f := filepath.Join(t.TempDir(), prefix+".json")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// arpTable reads gc_thresh3 and the entries in use of the kernel's ARP
// table with `ip -s ntable show` (the oracle; /proc/sys has no
// neigh/default outside the initial namespace).
func arpTable(t *testing.T) (thresh3, entries int) {
	t.Helper()
	out := sandbox.Run(t, "ip", "-s", "ntable", "show", "name", "arp_cache")
	m := regexp.MustCompile(`thresh3 (\d+)`).FindStringSubmatch(out)
	e := regexp.MustCompile(`entries (\d+)`).FindStringSubmatch(out)
	if m == nil || e == nil {
		t.Fatalf("ip -s ntable show: %s", out)
	}
	thresh3, _ = strconv.Atoi(m[1])
	entries, _ = strconv.Atoi(e[1])
	return thresh3, entries
}

// TestPlanWarnsNeighbourTable: plan of a topology whose traffic to all
// hosts at once needs more ARP entries than the kernel's table holds
// warns, with the sysctl and a number that fits; a small one does not.
func TestPlanWarnsNeighbourTable(t *testing.T) {
	sandbox.Require(t)
	thresh3, _ := arpTable(t)
	big := thresh3/2 + 100 // 2 entries per namespace: over the limit
	code, out, errs := nsnetRun(t, "plan", scaleFile(t, "pw", big))
	if code != 0 || !strings.Contains(out, "to create") {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errs)
	}
	want := fmt.Sprintf("needs %d IPv4 neighbour entries", 2*big)
	if !strings.Contains(errs, "nsnet: warning: ") || !strings.Contains(errs, want) ||
		!strings.Contains(errs, fmt.Sprintf("holds at most %d (net.ipv4.neigh.default.gc_thresh3)", thresh3)) {
		t.Errorf("plan of %d namespaces, stderr:\n%s\nwant a warning that it %s", big, errs, want)
	}
	m := regexp.MustCompile(`sysctl -w net\.ipv4\.neigh\.default\.gc_thresh3=(\d+) `).FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("no fix in %q", errs)
	}
	if n, _ := strconv.Atoi(m[1]); n < 2*big {
		t.Errorf("the fix sets %d, less than the %d entries needed", n, 2*big)
	}
	_, _, errs = nsnetRun(t, "plan", scaleFile(t, "ps", 10))
	if strings.Contains(errs, "warning") {
		t.Errorf("plan of 10 namespaces warns: %s", errs)
	}
}

// neighSnapshot lists the neighbour entries (dst and dev) of the host and
// of each namespace, with the ip oracle.
func neighSnapshot(t *testing.T, nss ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, ns := range append([]string{""}, nss...) {
		args := []string{"neigh", "show"}
		if ns != "" {
			args = append([]string{"-n", ns}, args...)
		}
		for _, e := range sandbox.IPJSON(t, args...) {
			out[fmt.Sprintf("%s: %v dev %v", ns, e["dst"], e["dev"])] = true
		}
	}
	return out
}

// TestDoctorLeavesNoNeighbourEntries (issue 9 L3): doctor without FILE
// probes the gateways of namespaces it did not make, from inside them. It
// must leave their neighbour tables, and the host's, as it found them:
// the entries its probes created deleted, the ones that were there kept.
func TestDoctorLeavesNoNeighbourEntries(t *testing.T) {
	sandbox.Require(t)
	ip := func(args ...string) { sandbox.Run(t, "ip", args...) }
	ip("link", "add", "fbr", "type", "bridge")
	ip("addr", "add", "10.31.0.1/24", "dev", "fbr")
	ip("link", "set", "fbr", "up")
	nss := []string{"f0", "f1", "f2"}
	defer func() {
		for _, ns := range nss {
			sandbox.Run(t, "ip", "netns", "del", ns)
		}
		sandbox.Run(t, "ip", "link", "del", "fbr")
	}()
	for i, ns := range nss {
		ip("netns", "add", ns)
		ip("link", "add", ns+"-h", "type", "veth", "peer", "name", "eth0", "netns", ns)
		ip("link", "set", ns+"-h", "master", "fbr", "up")
		ip("-n", ns, "addr", "add", fmt.Sprintf("10.31.0.%d/24", 10+i), "dev", "eth0")
		ip("-n", ns, "link", "set", "eth0", "up")
		ip("-n", ns, "link", "set", "lo", "up")
		ip("-n", ns, "route", "add", "default", "via", "10.31.0.1")
	}
	const fwd = "/proc/sys/net/ipv4/ip_forward"
	was, err := os.ReadFile(fwd)
	if err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(fwd, was, 0)
	if err := os.WriteFile(fwd, []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	// Entries that were there before doctor: someone's permanent entry
	// in f1, and f2 and the host knowing each other from real traffic.
	ip("-n", "f1", "neigh", "add", "10.31.0.99", "lladdr", "02:00:00:00:00:99", "dev", "eth0")
	if code, out, errs := nsnetRun(t, "-n", "f2", "ping", "-c", "1", "-W", "2", "10.31.0.1"); code != 0 {
		t.Fatalf("ping from f2: exit %d\n%s%s", code, out, errs)
	}
	before := neighSnapshot(t, nss...)
	for _, want := range []string{"f1: 10.31.0.99 dev eth0", "f2: 10.31.0.1 dev eth0", ": 10.31.0.12 dev fbr"} {
		if !before[want] {
			t.Fatalf("setup: no entry %q in %v", want, before)
		}
	}
	code, out, errs := nsnetRun(t, "doctor")
	if code != 0 || !strings.Contains(out, "[pass] gateway on a connected subnet, answering ARP and ping: default via 10.31.0.1 in f0") {
		t.Fatalf("doctor: exit %d\n%s%s", code, out, errs)
	}
	after := neighSnapshot(t, nss...)
	for e := range after {
		if !before[e] {
			t.Errorf("doctor left the entry %s", e)
		}
	}
	for e := range before {
		if !after[e] {
			t.Errorf("doctor deleted the entry %s, which was not its own", e)
		}
	}
}

// TestDoctorNamesAForeignFirewallInANamespace: a table someone else put
// in namespace blue drops its input, so blue's gateways do not answer
// ping. Doctor must say that a foreign firewall in blue does it, with the
// command that stops it there, instead of "nsnet up FILE".
func TestDoctorNamesAForeignFirewallInANamespace(t *testing.T) {
	sandbox.Require(t)
	file := seedFile(t)
	if code, out, errs := nsnetRun(t, "up", file); code != 0 {
		t.Fatalf("up: exit %d\n%s%s", code, out, errs)
	}
	defer func() {
		if code, out, errs := nsnetRun(t, "down", file); code != 0 {
			t.Errorf("down: exit %d\n%s%s", code, out, errs)
		}
	}()
	sandbox.Run(t, "ip", "netns", "exec", "blue", "nft", "add table inet fw")
	sandbox.Run(t, "ip", "netns", "exec", "blue", "nft", "add chain inet fw in { type filter hook input priority 0; policy drop; }")
	code, d := runDoctor(t, file)
	failed := failedItems(d)
	if code != 1 || len(failed) != 2 {
		t.Fatalf("doctor: exit %d, failed %+v; want blue's two gateway items", code, failed)
	}
	const fix = "nsnet netns exec blue nft chain inet fw in '{ policy accept; }'"
	for _, it := range failed {
		if it.Check != topo.CheckGateway || !strings.HasSuffix(it.Object, " in blue") ||
			!strings.Contains(it.Detail, "in blue, base chain inet fw in drops by policy") || !strings.Contains(it.Detail, "a foreign firewall, not the topology") {
			t.Errorf("%s: %s: %s", it.Check, it.Object, it.Detail)
		}
		if it.Fix != fix {
			t.Errorf("fix %q, want %q", it.Fix, fix)
		}
	}
	sandbox.Run(t, "sh", "-c", strings.Replace(fix, "nsnet", "ip", 1))
	if code, d := runDoctor(t, file); code != 0 {
		t.Errorf("after the fix: exit %d, %+v", code, failedItems(d))
	}
}
