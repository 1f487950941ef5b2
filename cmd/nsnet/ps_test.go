package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// TestPS: a command started with nsnet run shows in ps with its host PID,
// NSPID 1 and its hostname; one started with ip netns exec shows with its
// own PID (no pid namespace of its own) and the host's hostname; netns
// pids and netns identify print exactly what ip prints.
func TestPS(t *testing.T) {
	sandbox.Require(t)
	for _, n := range []string{"ps-red", "ps-blue"} {
		nsnet(t, "netns", "add", n)
		t.Cleanup(func() { nsnetCode("netns", "del", n) })
	}
	detach := func(args ...string) int {
		out := nsnet(t, append([]string{"run", "--detach"}, args...)...)
		pid, err := strconv.Atoi(strings.TrimSpace(out))
		if err != nil {
			t.Fatalf("run --detach printed %q", out)
		}
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
		return pid
	}
	red := detach("-n", "ps-red", "--", "sleep", "100")
	blue := detach("-n", "ps-blue", "--hostname", "web", "--", "sleep", "101")
	ipCmd := startIP(t, "netns", "exec", "ps-red", "sleep", "102")

	var procs []struct {
		NetNS    string   `json:"netns"`
		PID      int      `json:"pid"`
		NSpid    []int    `json:"nspid"`
		Hostname string   `json:"hostname"`
		Cmdline  []string `json:"cmdline"`
	}
	if err := json.Unmarshal([]byte(nsnet(t, "-j", "ps")), &procs); err != nil {
		t.Fatal(err)
	}
	found := map[int]string{}
	for _, p := range procs {
		found[p.PID] = strings.Join([]string{p.NetNS, jsonInts(p.NSpid), p.Hostname, strings.Join(p.Cmdline, " ")}, " ")
	}
	hostName := strings.TrimSpace(sandbox.Run(t, "hostname"))
	for pid, want := range map[int]string{
		red:               "ps-red " + strconv.Itoa(red) + " 1 ps-red sleep 100",
		blue:              "ps-blue " + strconv.Itoa(blue) + " 1 web sleep 101",
		ipCmd.Process.Pid: "ps-red " + strconv.Itoa(ipCmd.Process.Pid) + " " + hostName + " sleep 102",
	} {
		if found[pid] != want {
			t.Errorf("ps -j for PID %d: %q, want %q", pid, found[pid], want)
		}
	}
	text := nsnet(t, "ps", "ps-blue")
	if lines := strings.Split(strings.TrimSpace(text), "\n"); len(lines) != 2 ||
		strings.Join(strings.Fields(lines[1]), " ") != "ps-blue "+strconv.Itoa(blue)+" 1 web sleep 101" {
		t.Errorf("ps ps-blue:\n%s", text)
	}

	// The iproute2 oracle, for the verbs ip has.
	sameAsIP(t, false, "netns", "pids", "ps-red")
	sameAsIP(t, false, "netns", "identify", strconv.Itoa(blue))
	sameAsIP(t, false, "netns", "identify", strconv.Itoa(ipCmd.Process.Pid))
	sameAsIP(t, false, "netns", "identify") // the sandbox's namespace has no name: an empty line
	if got := nsnet(t, "netns", "pids", "ps-red"); got != strconv.Itoa(red)+"\n"+strconv.Itoa(ipCmd.Process.Pid)+"\n" &&
		got != strconv.Itoa(ipCmd.Process.Pid)+"\n"+strconv.Itoa(red)+"\n" {
		t.Errorf("netns pids ps-red = %q", got)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"netns", "pids"}, 2, "no netns name specified"},
		{[]string{"netns", "pids", "a", "b"}, 2, "extra arguments specified"},
		{[]string{"netns", "identify", "abc"}, 2, "specified string 'abc' is not a pid"},
		{[]string{"netns", "identify", "1", "2"}, 2, "extra arguments specified"},
		{[]string{"netns", "pids", "ps-nosuch"}, 1, "no namespace named ps-nosuch"},
		{[]string{"netns", "identify", "999999999"}, 1, "there is no process 999999999"},
		{[]string{"ps", "a", "b"}, 2, "at most one namespace"},
	} {
		_, errs, code := nsnetCode(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("nsnet %q: exit %d %q, want %d and %q", tc.args, code, errs, tc.code, tc.msg)
		}
	}
}

func jsonInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " ")
}

// startIP starts the real ip with args and kills it at the end of the test.
func startIP(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(realIP(t), args...)
	must(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); { // until ip has exec'd the program
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/comm"); strings.TrimSpace(string(b)) != "ip" {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cmd
}
