package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/topo"
)

func TestParseTopoCommands(t *testing.T) {
	for _, tt := range []struct {
		argv []string
		want string // "" = parses; else part of the error
	}{
		{[]string{"nsnet", "up", "f.json"}, ""},
		{[]string{"nsnet", "up", "f.json", "--workers", "4"}, ""},
		{[]string{"nsnet", "-j", "status", "f.json", "--dot"}, ""},
		{[]string{"nsnet", "doctor"}, ""},
		{[]string{"nsnet", "graph", "-j"}, ""},
		{[]string{"nsnet", "demo"}, ""},
		{[]string{"nsnet", "up"}, "up: expected a topology FILE"},
		{[]string{"nsnet", "up", "a.json", "b.json"}, `one topology file, not "a.json" and "b.json"`},
		{[]string{"nsnet", "plan", "f.json", "--dot"}, "--dot is for nsnet status FILE --dot"},
		{[]string{"nsnet", "up", "f.json", "--workers", "0"}, "expected a number from 1 to 256"},
		{[]string{"nsnet", "down", "f.json", "-x"}, `option "-x" is unknown`},
		{[]string{"nsnet", "-n", "red", "up", "f.json"}, "-n does not apply"},
		{[]string{"nsnet", "demo", "now"}, "demo: takes no arguments"},
		{[]string{"nsnet", "u", "f.json"}, "unknown"}, // nsnet's own objects are never abbreviated
	} {
		_, err := parse(tt.argv)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.argv, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: got %v, want %q", tt.argv, err, tt.want)
		}
	}
}

// TestInvalidTopologyExits2 checks that an invalid file exits 2, says
// where and what to change, and changes nothing (nothing is created).
func TestInvalidTopologyExits2(t *testing.T) {
	dir := t.TempDir()
	bad := strings.Replace(string(topo.Seed()), `"via": "192.168.15.5"}`, `"via": "192.168.1.2"}`, 1)
	for _, tt := range []struct {
		name, body, want string
	}{
		{"gateway", bad, "route default via 192.168.1.2 in red: gateway 192.168.1.2 is not on a subnet red is connected to"},
		{"unknown field", strings.Replace(string(topo.Seed()), `"forwarding": true`, `"forwardng": true`, 1), `seed.json:3: unknown field "forwardng" in host`},
		{"missing file", "", "no such file or directory"},
		{"null", "null\n", "seed.json:1: the topology: expected an object {...}, found null"}, // issue 9 L5
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, "seed.json")
			os.Remove(f)
			if tt.body != "" {
				if err := os.WriteFile(f, []byte(tt.body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, verb := range []string{"up", "plan", "status", "down", "doctor"} {
				var out, errb bytes.Buffer
				code := run([]string{"nsnet", verb, f}, &out, &errb)
				if code != 2 || !strings.Contains(errb.String(), tt.want) || out.Len() != 0 {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and %q", verb, code, out.String(), errb.String(), tt.want)
				}
			}
			if sandbox.Inside() {
				if _, err := os.Stat("/run/netns/red"); err == nil {
					t.Error("an invalid file created namespace red")
				}
			}
		})
	}
}

// TestTopoCommandsOutput runs plan, up, up again, status, down on the
// seed through the CLI.
func TestTopoCommandsOutput(t *testing.T) {
	sandbox.Require(t)
	file := seedFile(t)
	// Down leaves ip_forward as it is; start from the kernel's default.
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("0"), 0); err != nil {
		t.Fatal(err)
	}
	code, out, errs := nsnetRun(t, "plan", file)
	if code != 0 || !strings.Contains(out, "create         netns red\n") || !strings.Contains(out, "plan: 17 to create, 1 to change, 0 already there\n") {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ := nsnetRun(t, "status", file); code != 1 || !strings.Contains(out, "missing  netns red\n") {
		t.Fatalf("status before up: exit %d\n%s", code, out)
	}
	code, out, errs = nsnetRun(t, "up", file)
	if code != 0 || !strings.Contains(out, "created  veth veth-red (red) <-> veth-red-br (host, bridge v-net-0)\n") ||
		!strings.HasSuffix(out, "up: 17 created, 1 changed, 0 already there\n") {
		t.Fatalf("up: exit %d\n%s%s", code, out, errs)
	}
	defer nsnetRun(t, "down", file)
	if code, out, _ := nsnetRun(t, "up", file); code != 0 || out != "up: nothing to change, 18 objects already there\n" {
		t.Fatalf("second up: exit %d\n%s", code, out)
	}
	code, out, _ = nsnetRun(t, "status", file, "-j")
	var st struct {
		InSync bool `json:"in_sync"`
		Items  []struct {
			State, Kind, Object string
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != 0 || !st.InSync || len(st.Items) != 18 {
		t.Fatalf("status -j: exit %d, %v\n%s", code, err, out)
	}
	if code, out, _ := nsnetRun(t, "status", file, "--dot"); code != 0 || !strings.HasPrefix(out, "graph") || strings.Contains(out, "color=red") {
		t.Fatalf("status --dot: exit %d\n%s", code, out)
	}
	if code, out, _ := nsnetRun(t, "graph"); code != 0 || !strings.Contains(out, `"if:blue/veth-blue" -- "if:/veth-blue-br"`) {
		t.Fatalf("graph: exit %d\n%s", code, out)
	}
	code, out, _ = nsnetRun(t, "graph", "-j")
	if code != 0 {
		t.Fatalf("graph -j: exit %d\n%s", code, out)
	}
	// The live picture is a topology file that describes what is there.
	g := filepath.Join(t.TempDir(), "live.json")
	if err := os.WriteFile(g, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := nsnetRun(t, "plan", g); code != 0 || !strings.Contains(out, " 0 to create, 0 to change") {
		t.Fatalf("plan of graph -j: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = nsnetRun(t, "down", file)
	if code != 0 || !strings.Contains(out, "removed  netns red\n") {
		t.Fatalf("down: exit %d\n%s", code, out)
	}
	if code, out, _ := nsnetRun(t, "down", file); code != 0 || out != "down: nothing to remove\n" {
		t.Fatalf("second down: exit %d\n%s", code, out)
	}
}

// TestDemo runs the walkthrough in this test's sandbox (the command
// itself re-executes into a fresh one first).
func TestDemo(t *testing.T) {
	sandbox.Require(t)
	var out bytes.Buffer
	ok, err := runDemo(&out)
	if err != nil || !ok {
		t.Fatalf("demo: ok %v, err %v\n%s", ok, err, out.String())
	}
	for _, want := range []string{
		"$ ip link add veth-red-br type veth peer name veth-red",
		"ok   blue -> LAN 192.168.1.10 fails without NAT",
		"ok   LAN -> host 192.168.1.2:8080 -> blue 192.168.15.2:80",
		"$ iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE",
		"ok   doctor:",
		// the tutorial's two iptables lines, verbatim, through nsnet as iptables
		"   $ iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80",
		"-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80",
		"ok   LAN -> host 192.168.1.2:80 -> blue:80 after the tutorial's own iptables lines",
		"demo: all 11 claims held",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q\n%s", want, out.String())
		}
	}
	if _, err := os.Stat("/run/netns/red"); err == nil {
		t.Error("demo left namespace red behind")
	}
}

// TestTopoJSONGolden: plan, status, up and down print with -j (and -p)
// the bytes that nsnet printed with encoding/json for the seed in a fresh
// namespace with ip_forward 0. testdata/topojson holds that output,
// captured from the last binary that linked encoding/json (up and down
// with --workers 1, so that the order of the steps is fixed).
func TestTopoJSONGolden(t *testing.T) {
	sandbox.Require(t)
	file := seedFile(t)
	nsnetRun(t, "down", file) // whatever an earlier test left
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("0"), 0); err != nil {
		t.Fatal(err)
	}
	defer nsnetRun(t, "down", file)
	for _, step := range []struct {
		golden string
		code   int
		args   []string
	}{
		{"plan.json", 0, []string{"-j", "plan", file}},
		{"status_before.json", 1, []string{"-j", "-p", "status", file}},
		{"up.json", 0, []string{"-j", "up", file, "--workers", "1"}},
		{"plan_after_up.json", 0, []string{"-j", "-p", "plan", file}},
		{"status_after_up.json", 0, []string{"-j", "status", file}},
		{"down.json", 0, []string{"-j", "-p", "down", file, "--workers", "1"}},
		{"down_again.json", 0, []string{"-j", "down", file}},
	} {
		want, err := os.ReadFile(filepath.Join("testdata", "topojson", step.golden))
		if err != nil {
			t.Fatal(err)
		}
		code, out, errs := nsnetRun(t, step.args...)
		if code != step.code || out != string(want) {
			t.Fatalf("nsnet %s: exit %d (want %d)\n%s%s\nwant:\n%s", strings.Join(step.args, " "), code, step.code, out, errs, want)
		}
	}
}

// TestTopologyFileLimit: `nsnet plan /dev/zero` read until it ran out of
// memory (issue 9 M1); a file over the limit now exits 2 at once, naming
// the limit, for every verb that reads a file.
func TestTopologyFileLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	for _, verb := range []string{"plan", "up", "status", "down", "doctor"} {
		var out, errb bytes.Buffer
		code := run([]string{"nsnet", verb, "/dev/zero"}, &out, &errb)
		if want := "nsnet: /dev/zero: the file is larger than 16 MiB, the limit for a topology file"; code != 2 || !strings.HasPrefix(errb.String(), want) || out.Len() != 0 {
			t.Errorf("%s /dev/zero: exit %d, stdout %q, stderr %q; want 2 and %q", verb, code, out.String(), errb.String(), want)
		}
	}
}
