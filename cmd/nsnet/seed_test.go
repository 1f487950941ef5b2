package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// buildNsnet builds the nsnet binary once for the test into a temporary
// directory and links it there as ip, ping and arping, the multi-call
// names. It returns the directory, to put first on PATH.
func buildNsnet(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go") // go test puts GOROOT/bin first on PATH
	if err != nil {
		if os.Getenv("NSNET_REQUIRE_ORACLES") == "1" {
			t.Fatal("the go command, needed to build nsnet, is not on PATH and NSNET_REQUIRE_ORACLES=1")
		}
		t.Skip("needs the go command to build nsnet")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "nsnet")
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, name := range []string{"ip", "ping", "arping"} {
		must(t, os.Symlink("nsnet", filepath.Join(dir, name)))
	}
	return dir
}

// seedLines reads one of the seed's command lists: every line that is
// not blank or a # comment, verbatim.
func seedLines(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", file))
	must(t, err)
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines
}

// endless reports a ping without -c: it runs until interrupted, as in the
// seed, so the runner stops it (SIGINT) after its first reply.
func endless(line string) bool {
	f := strings.Fields(line)
	for i, w := range f {
		if w == "ping" && i+1 < len(f) {
			return !strings.Contains(strings.Join(f[i:], " "), "-c")
		}
	}
	return false
}

// runSeedLine runs one line with `sh -c` and PATH starting with dir (nsnet
// as ip and ping), and returns its standard output. An endless ping is
// interrupted, like a user's Ctrl-C, once a reply has been printed.
func runSeedLine(t *testing.T, dir, line string) string {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if !endless(line) {
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s%s", line, err, out, stderr.String())
		}
		return string(out)
	}
	pipe, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	// out is the reader's until readDone is closed; Wait closes the pipe,
	// so it may only be called after that (os/exec: StdoutPipe).
	var out strings.Builder
	replied := make(chan bool, 1)
	readDone := make(chan struct{})
	// kill ends sh and everything under it: any of them may hold the pipe.
	var killTree func(pid int)
	killTree = func(pid int) {
		for _, c := range children(pid) {
			killTree(c)
		}
		syscall.Kill(pid, syscall.SIGKILL)
	}
	kill := func() { killTree(cmd.Process.Pid) }
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(pipe)
		sent := false
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if !sent && strings.Contains(sc.Text(), " bytes from ") {
				replied <- true
				sent = true
			}
		}
		if !sent {
			replied <- false
		}
	}()
	select {
	case ok := <-replied:
		if !ok {
			<-readDone
			cmd.Wait()
			t.Fatalf("%s: no reply:\n%s%s", line, out.String(), stderr.String())
		}
	case <-time.After(10 * time.Second):
		kill()
		<-readDone
		cmd.Wait()
		t.Fatalf("%s: no reply in 10 s:\n%s%s", line, out.String(), stderr.String())
	}
	// Ctrl-C to the program sh runs (not to sh): ping prints its summary.
	for _, pid := range children(cmd.Process.Pid) {
		syscall.Kill(pid, syscall.SIGINT)
	}
	done := make(chan error, 1)
	go func() {
		<-readDone // the summary is read before Wait closes the pipe
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: after Ctrl-C: %v\n%s%s", line, err, out.String(), stderr.String())
		}
	case <-time.After(10 * time.Second):
		kill()
		<-done
		t.Fatalf("%s: did not stop on SIGINT:\n%s", line, out.String())
	}
	if !strings.Contains(out.String(), "ping statistics") {
		t.Errorf("%s: no summary after Ctrl-C:\n%s", line, out.String())
	}
	return out.String()
}

// children lists the child processes of pid (/proc/PID/task/PID/children).
func children(pid int) []int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// TestSeed runs the seed's Quick Commands and then its bridge section,
// verbatim, with nsnet as `ip` and `ping` (the host has no iputils
// needed), and checks the result with the real iproute2 and with traffic
// (issue 2, item 7).
func TestSeed(t *testing.T) {
	sandbox.Require(t)
	realIP(t)
	dir := buildNsnet(t)
	cleanup(t, []string{"red", "blue"}, []string{"veth-red-br", "veth-blue-br", "v-net-0"})

	// The lines below must run nsnet, not an installed iproute2 or iputils.
	if v := runSeedLine(t, dir, "ip -V"); !strings.Contains(v, "nsnet") {
		t.Fatalf("ip on the seed's PATH is not nsnet: %q", v)
	}
	if p := runSeedLine(t, dir, "command -v ping"); strings.TrimSpace(p) != filepath.Join(dir, "ping") {
		t.Fatalf("ping on the seed's PATH is %q, not nsnet", p)
	}
	outputs := map[string]string{}
	for _, line := range seedLines(t, "seed_quick.sh") {
		outputs[line] = runSeedLine(t, dir, line)
	}
	if got := outputs["ip netns"]; !strings.Contains(got, "red") || !strings.Contains(got, "blue") {
		t.Errorf("ip netns printed %q, want red and blue", got)
	}
	for _, line := range []string{"ip netns exec red ip link", "ip -n red link"} {
		if got := outputs[line]; !strings.HasPrefix(got, "1: lo: <LOOPBACK> mtu 65536") || strings.Count(got, ": <") != 1 {
			t.Errorf("%s printed %q, want only lo, down", line, got)
		}
	}
	// The result, as iproute2 sees it.
	for ns, want := range map[string]string{"red": "192.168.15.1", "blue": "192.168.15.2"} {
		l := byName(t, ipJSON(t, "-n", ns, "addr"), "veth-"+ns)
		ai := l["addr_info"].([]any)
		if len(ai) == 0 || ai[0].(map[string]any)["local"] != want || ai[0].(map[string]any)["prefixlen"] != float64(24) {
			t.Errorf("ip -n %s addr: veth-%s has %v, want %s/24", ns, ns, ai, want)
		}
		if !strings.Contains(fmt.Sprint(l["flags"]), "UP") || l["link_netnsid"] == nil {
			t.Errorf("ip -n %s: veth-%s is %v", ns, ns, l)
		}
	}
	compareAll(t, "red", "blue")
	tcpCheck(t, "blue", "192.168.15.2", "red")
	pingCheck(t, "blue", "192.168.15.1")

	for _, line := range seedLines(t, "seed_bridge.sh") {
		outputs[line] = runSeedLine(t, dir, line)
	}
	ports := ipJSON(t, "link", "show", "master", "v-net-0")
	var names []string
	for _, p := range ports {
		names = append(names, p["ifname"].(string))
		if !strings.Contains(fmt.Sprint(p["flags"]), "UP") {
			t.Errorf("bridge port %v is not up", p["ifname"])
		}
	}
	if strings.Join(names, " ") != "veth-red-br veth-blue-br" {
		t.Errorf("ports of v-net-0: %v, want veth-red-br veth-blue-br", names)
	}
	br := byName(t, ipJSON(t, "addr", "show", "dev", "v-net-0"), "v-net-0")
	if ai := br["addr_info"].([]any); len(ai) == 0 || ai[0].(map[string]any)["local"] != "192.168.15.5" {
		t.Errorf("v-net-0 addresses: %v", ai)
	}
	routes := map[string]string{}
	for _, r := range ipJSON(t, "-n", "blue", "route") {
		gw, _ := r["gateway"].(string)
		routes[r["dst"].(string)] = gw
	}
	if routes["default"] != "192.168.15.5" || routes["192.168.1.0/24"] != "192.168.15.5" {
		t.Errorf("blue's routes: %v, want default and 192.168.1.0/24 via 192.168.15.5", routes)
	}
	compareAll(t, "red", "blue")
	sameAsIP(t, true, "link", "show", "master", "v-net-0")

	// The namespaces reach each other through the bridge, the host reaches
	// them through the bridge's address, and they reach the host.
	pingCheck(t, "red", "192.168.15.2")
	pingCheck(t, "blue", "192.168.15.1")
	pingCheck(t, "", "192.168.15.2")
	tcpCheck(t, "blue", "192.168.15.2", "red")
	tcpCheck(t, "red", "192.168.15.1", "blue")
	tcpCheck(t, "red", "192.168.15.1", "")
	tcpCheck(t, "", "192.168.15.5", "blue")
}
