package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// TestTuntapSameAsIP runs the same tuntap commands with iproute2 and with
// nsnet as ip, and compares exit status, output and errors, and that
// what one made the other shows and deletes.
func TestTuntapSameAsIP(t *testing.T) {
	sandbox.Require(t)
	ipPath := realIP(t)
	steps := []string{
		"tuntap add dev ttap0 mode tap user 1000 multi_queue",
		"tuntap add dev ttun1 mode tun pi vnet_hdr one_queue group 5",
		"tuntap add ttap0 mode tap", // exists: EBUSY, exit 1
		"tuntap add ttapx",          // no mode: exit 1
		"tuntap show",
		"-j tuntap show",
		"tuntap del dev ttap0 mode tap", // not multi_queue: EINVAL
		"tuntap del dev ttap0 mode tap multi_queue",
		"tuntap del ttun1 mode tun",
		"tuntap show",
	}
	type result struct {
		out, err string
		code     int
	}
	runAll := func(ours bool) []result {
		var rs []result
		for _, s := range steps {
			args := strings.Fields(s)
			var out, errb bytes.Buffer
			code := 0
			if ours {
				code = run(append([]string{"ip"}, args...), &out, &errb)
			} else {
				cmd := exec.Command(ipPath, args...)
				cmd.Stdout, cmd.Stderr = &out, &errb
				if err := cmd.Run(); err != nil {
					ee, ok := err.(*exec.ExitError)
					if !ok {
						t.Fatal(err)
					}
					code = ee.ExitCode()
				}
			}
			rs = append(rs, result{out.String(), errb.String(), code})
		}
		return rs
	}
	theirs, ours := runAll(false), runAll(true)
	for i := range steps {
		if theirs[i] != ours[i] {
			t.Errorf("ip %s:\n iproute2 %+v\n nsnet    %+v", steps[i], theirs[i], ours[i])
		}
	}
	if !strings.Contains(theirs[4].out, "ttap0: tap multi_queue persist user 1000") {
		t.Errorf("iproute2 did not show the tap: %q (test is broken)", theirs[4].out)
	}
	// Made by nsnet, shown and deleted by iproute2.
	nsnet(t, "tuntap", "add", "ttap2", "mode", "tap", "vnet_hdr")
	if got := ipRun(t, "tuntap", "show"); got != "ttap2: tap vnet_hdr persist\n" {
		t.Errorf("iproute2 shows %q", got)
	}
	ipRun(t, "tuntap", "del", "ttap2", "mode", "tap")
	if got := ipRun(t, "-o", "link", "show", "dev", "lo"); got == "" {
		t.Error("no lo")
	}
}

func TestParseTuntap(t *testing.T) {
	for _, tt := range []struct{ cmd, want string }{
		{"ip tuntap add x", "mode is required"},
		{"ip tuntap add x mode tun mode tap", "both tun and tap"},
		{"ip tuntap add x mode foo", `mode "foo" is unknown`},
		{"ip tuntap add x y mode tap", "two names"},
		{"ip tuntap add x/y mode tap", "interface name"},
	} {
		_, err := parse(strings.Fields(tt.cmd))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.cmd, err, tt.want)
		}
	}
	inv, err := parse(strings.Fields("ip tuntap add name t0 mode tap pi multi_queue user 5"))
	if err != nil {
		t.Fatal(err)
	}
	r := inv.req.(tuntapReq)
	if r.name != "t0" || r.user != "5" || r.flags.Words()[0] != "tap" || strings.Join(r.flags.Words(), " ") != "tap pi multi_queue filter" {
		t.Errorf("parsed %+v (%v)", r, r.flags.Words())
	}
}
