package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nft"
	"github.com/nsnet/nsnet/topo"
)

// nsnetRun runs the CLI in-process and returns its exit code and output.
func nsnetRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"nsnet"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// seedFile writes the seed topology to a temporary file.
func seedFile(t *testing.T) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(f, topo.Seed(), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

type doctorJSON struct {
	OK    bool        `json:"ok"`
	Items []topo.Item `json:"items"`
}

func runDoctor(t *testing.T, file string) (int, doctorJSON) {
	t.Helper()
	code, out, errs := nsnetRun(t, "doctor", file, "-j")
	var d doctorJSON
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("doctor -j: %v\n%s\n%s", err, out, errs)
	}
	return code, d
}

// TestDoctorFindsEachBreak breaks exactly one thing of a working seed
// network per checklist item: doctor must fail exactly that item (and
// exit 1), and the fix it prints must make the item pass when run.
func TestDoctorFindsEachBreak(t *testing.T) {
	sandbox.Require(t)
	file := seedFile(t)
	ip := func(args ...string) func(t *testing.T) {
		return func(t *testing.T) { sandbox.Run(t, "ip", args...) }
	}
	for _, tt := range []struct {
		name    string
		check   string
		breakFn func(t *testing.T)
		fix     string // the fix doctor must print ("FILE" is the topology path)
		undo    func(t *testing.T)
	}{
		{"namespace deleted", topo.CheckNetns, ip("netns", "del", "lan"), "nsnet up FILE", nil},
		{"veth deleted", topo.CheckVeth, ip("link", "del", "veth-red-br"), "nsnet up FILE", nil},
		{"veth end moved to the host", topo.CheckPlacement, ip("-n", "red", "link", "set", "veth-red", "netns", strconv.Itoa(os.Getpid())), "nsnet link set veth-red netns red", nil},
		{"interface down", topo.CheckUp, ip("-n", "lan", "link", "set", "eth0", "down"), "nsnet -n lan link set eth0 up", nil},
		{"address removed", topo.CheckAddr, ip("-n", "lan", "addr", "del", "192.168.1.10/24", "dev", "eth0"), "nsnet -n lan addr add 192.168.1.10/24 dev eth0", nil},
		{"bridge down", topo.CheckBridge, ip("link", "set", "v-net-0", "down"), "nsnet link set v-net-0 up", nil},
		{"route removed", topo.CheckRoute, ip("-n", "blue", "route", "del", "192.168.1.0/24"), "nsnet -n blue route add 192.168.1.0/24 via 192.168.15.5", nil},
		{"bridge port detached", topo.CheckGateway, ip("link", "set", "veth-blue-br", "nomaster"), "nsnet link set veth-blue-br master v-net-0", nil},
		{"forwarding off", topo.CheckForwarding, func(t *testing.T) {
			if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("0"), 0); err != nil {
				t.Fatal(err)
			}
		}, "nsnet forward on", nil},
		{"masquerade deleted", topo.CheckNAT, func(t *testing.T) {
			c, err := nft.Dial(nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := firewall.NewNAT(c).Del(firewall.Masquerade{Src: netip.MustParsePrefix("192.168.15.0/24")}); err != nil {
				t.Fatal(err)
			}
		}, "nsnet nat masquerade 192.168.15.0/24", nil},
		{"overlapping address", topo.CheckOverlap, ip("-n", "red", "addr", "add", "192.168.1.50/24", "dev", "veth-red"), "nsnet -n red addr del 192.168.1.50/24 dev veth-red", nil},
		{"firewall drops forwarding", topo.CheckFirewall, func(t *testing.T) {
			sandbox.Run(t, "nft", "add table ip filter")
			sandbox.Run(t, "nft", "add chain ip filter forward { type filter hook forward priority 0; policy drop; }")
		}, "nft chain ip filter forward '{ policy accept; }'", func(t *testing.T) { sandbox.Run(t, "nft", "delete table ip filter") }},
		{"firewall rule drops output", topo.CheckFirewall, func(t *testing.T) {
			sandbox.Run(t, "nft", "add table inet fw")
			sandbox.Run(t, "nft", "add chain inet fw out { type filter hook output priority 0; }")
			sandbox.Run(t, "nft", "add rule inet fw out counter drop")
		}, "nft delete rule inet fw out handle 2", func(t *testing.T) { sandbox.Run(t, "nft", "delete table inet fw") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, out, errs := nsnetRun(t, "up", file); code != 0 {
				t.Fatalf("up: exit %d\n%s%s", code, out, errs)
			}
			broken := false // undo only once breakFn has started
			defer func() {
				if tt.undo != nil && broken {
					tt.undo(t)
				}
				if code, out, errs := nsnetRun(t, "down", file); code != 0 {
					t.Errorf("down: exit %d\n%s%s", code, out, errs)
				}
			}()
			if code, d := runDoctor(t, file); code != 0 || !d.OK {
				t.Fatalf("doctor on the working seed: exit %d, %+v", code, failedItems(d))
			}
			broken = true
			tt.breakFn(t)
			code, d := runDoctor(t, file)
			if code != 1 || d.OK {
				t.Fatalf("doctor after %s: exit %d, ok %v; want 1, false", tt.name, code, d.OK)
			}
			failed := failedItems(d)
			if len(failed) == 0 {
				t.Fatal("nothing failed")
			}
			wantFix := strings.ReplaceAll(tt.fix, "FILE", file)
			var fixes []string
			for _, it := range failed {
				if it.Check != tt.check {
					t.Errorf("%s also fails: %s: %s (%s)", tt.name, it.Check, it.Object, it.Detail)
				}
				fixes = append(fixes, it.Fix)
			}
			sort.Strings(fixes)
			if fixes[0] != wantFix {
				t.Fatalf("fix: %q, want %q", fixes[0], wantFix)
			}
			runFix(t, wantFix)
			_, d = runDoctor(t, file)
			for _, it := range failedItems(d) {
				if it.Check == tt.check && it.Status == topo.Fail {
					t.Errorf("after the fix %q, still failing: %s: %s (%s)", wantFix, it.Check, it.Object, it.Detail)
				}
			}
		})
	}
}

// runFix runs a fix doctor printed: nsnet in-process, nft through the oracle.
func runFix(t *testing.T, fix string) {
	t.Helper()
	if strings.HasPrefix(fix, "nft ") {
		sandbox.Run(t, "sh", "-c", fix)
		return
	}
	words := strings.Fields(fix)
	if words[0] != "nsnet" {
		t.Fatalf("fix %q is not an nsnet command", fix)
	}
	code, out, errs := nsnetRun(t, words[1:]...)
	if code != 0 {
		t.Fatalf("fix %q: exit %d\n%s%s", fix, code, out, errs)
	}
}

// failedItems are the items that did not pass (skipped ones depend on a
// failed one and are not counted as failures of their own).
func failedItems(d doctorJSON) []topo.Item {
	var out []topo.Item
	for _, it := range d.Items {
		if it.Status == topo.Fail {
			out = append(out, it)
		}
	}
	return out
}
