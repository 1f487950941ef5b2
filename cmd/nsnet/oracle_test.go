package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nsnet/nsnet/nsutil"
)

// realIP finds the iproute2 `ip` to use as the oracle: /usr/sbin/ip (or
// /sbin/ip, /bin/ip) by absolute path, never a PATH lookup that could find
// nsnet linked as ip, and it must say it is iproute2. A missing oracle
// skips the test, or fails it when NSNET_REQUIRE_ORACLES=1.
func realIP(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"} {
		out, err := exec.Command(p, "-V").CombinedOutput()
		if err == nil && strings.Contains(string(out), "iproute2") {
			return p
		}
	}
	if os.Getenv("NSNET_REQUIRE_ORACLES") == "1" {
		t.Fatal("oracle iproute2 ip is not installed and NSNET_REQUIRE_ORACLES=1")
	}
	t.Skip("oracle iproute2 ip is not installed (set NSNET_REQUIRE_ORACLES=1 to fail instead)")
	return ""
}

// ipRun runs the real ip with args and fails t on error.
func ipRun(t testing.TB, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(realIP(t), args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// nsnet runs the CLI in this process (the test binary is in the sandbox)
// and fails t unless it exits 0.
func nsnet(t testing.TB, args ...string) string {
	t.Helper()
	out, errs, code := nsnetCode(args...)
	if code != 0 {
		t.Fatalf("nsnet %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

func nsnetCode(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(append([]string{"nsnet"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// sameAsIP compares `nsnet ARGS` with `ip ARGS`, as JSON (-j, decoded,
// field by field) or as text. The system may change between the two
// reads (DAD finishing, carrier coming up), so a difference is retried a
// few times before it fails the test.
func sameAsIP(t testing.TB, asJSON bool, args ...string) {
	t.Helper()
	if asJSON {
		args = append([]string{"-j"}, args...)
	}
	var diff string
	for try := 0; try < 15; try++ {
		ours, theirs := nsnet(t, args...), ipRun(t, args...)
		if asJSON {
			var a, b any
			if err := json.Unmarshal([]byte(ours), &a); err != nil {
				t.Fatalf("nsnet %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, ours)
			}
			if strings.TrimSpace(theirs) != "" {
				if err := json.Unmarshal([]byte(theirs), &b); err != nil {
					t.Fatalf("ip %s: %v", strings.Join(args, " "), err)
				}
			} else {
				b = []any{}
			}
			diff = cmp.Diff(b, a)
		} else {
			diff = cmp.Diff(theirs, ours)
		}
		if diff == "" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("nsnet %s differs from ip (-ip +nsnet):\n%s", strings.Join(args, " "), diff)
}

// compareAll compares every view nsnet has with ip's, in JSON and text,
// for the current namespace and each named one.
func compareAll(t *testing.T, namespaces ...string) {
	t.Helper()
	sameAsIP(t, true, "netns", "list")
	sameAsIP(t, false, "netns", "list")
	for _, ns := range append([]string{""}, namespaces...) {
		var pre []string
		if ns != "" {
			pre = []string{"-n", ns}
		}
		for _, view := range [][]string{
			{"link"}, {"link", "show", "type", "veth"}, {"addr"}, {"-4", "addr"}, {"-6", "addr"}, {"route"}, {"-6", "route"}, {"neigh"},
			{"-br", "link"}, {"-br", "addr"}, {"-br", "-4", "addr"},
		} {
			args := append(append([]string{}, pre...), view...)
			sameAsIP(t, true, args...)
			sameAsIP(t, false, args...)
		}
	}
}

// ipJSON decodes `ip -j ARGS` from the real ip.
func ipJSON(t testing.TB, args ...string) []map[string]any {
	t.Helper()
	var v []map[string]any
	out := ipRun(t, append([]string{"-j"}, args...)...)
	if strings.TrimSpace(out) == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("ip -j %s: %v", strings.Join(args, " "), err)
	}
	return v
}

// decodeList decodes a JSON array of objects.
func decodeList(t testing.TB, s string) []map[string]any {
	t.Helper()
	var v []map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}

// byName returns the element of an ip -j link/addr array named name.
func byName(t testing.TB, list []map[string]any, name string) map[string]any {
	t.Helper()
	for _, m := range list {
		if m["ifname"] == name {
			return m
		}
	}
	t.Fatalf("no link %q in %v", name, list)
	return nil
}

// cleanup deletes, at the end of the test, the namespaces and the links
// of the sandbox's own namespace that the test makes.
func cleanup(t *testing.T, namespaces []string, links []string) {
	t.Cleanup(func() {
		for _, l := range links {
			nsnetCode("link", "del", l)
		}
		for _, n := range namespaces {
			nsnetCode("netns", "del", n)
		}
	})
}

// doIn runs fn on a thread inside the named namespace ("" = this one).
func doIn(t testing.TB, name string, fn func() error) {
	t.Helper()
	if name == "" {
		if err := fn(); err != nil {
			t.Fatal(err)
		}
		return
	}
	ns, err := nsutil.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if err := ns.Do(fn); err != nil {
		t.Fatal(err)
	}
}

// tcpCheck proves TCP works from namespace from to addr:port served in
// namespace srv ("" = the sandbox's own namespace): a listener echoes one
// line back.
func tcpCheck(t *testing.T, srv, addr, from string) {
	t.Helper()
	var ln net.Listener
	doIn(t, srv, func() (err error) {
		ln, err = net.Listen("tcp", net.JoinHostPort(addr, "0"))
		return err
	})
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		// Read, then write: io.Copy between sockets would splice(2)
		// through a cached pipe pair, which the fd-leak check counts.
		buf := make([]byte, 6)
		if _, err := io.ReadFull(c, buf); err == nil {
			c.Write(buf)
		}
	}()
	var c net.Conn
	doIn(t, from, func() (err error) {
		c, err = net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
		return err
	})
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("hello\n")); err != nil {
		t.Fatalf("tcp %s -> %s: %v", nsLabel(from), ln.Addr(), err)
	}
	buf := make([]byte, 6)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hello\n" {
		t.Fatalf("tcp %s -> %s: echo %q, %v", nsLabel(from), ln.Addr(), buf, err)
	}
}

func nsLabel(ns string) string {
	if ns == "" {
		return "host"
	}
	return ns
}

// pingCheck proves ICMP echo works, with nsnet's own ping.
func pingCheck(t *testing.T, from, dst string) {
	t.Helper()
	args := []string{"ping", "-c", "1", "-W", "3", dst}
	if from != "" {
		args = append([]string{"-n", from}, args...)
	}
	out := nsnet(t, args...)
	if !strings.Contains(out, "1 received") {
		t.Fatalf("ping %s -> %s:\n%s", nsLabel(from), dst, out)
	}
}

// must fails the test on an error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
