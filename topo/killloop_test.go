package topo

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// envKillChild makes the test binary act as a killable nsnet for
// TestKillLoop: NSNET_TOPO_KILL_CHILD=FILE, NSNET_TOPO_MODE=up|down|
// rollback (up whose step NSNET_TOPO_FAIL fails, so that it rolls back).
// It prints "start" once the file is loaded, and "rollback" when the
// failing step is reached.
const envKillChild = "NSNET_TOPO_KILL_CHILD"

// soakSize is ci in `make test`, full with NSNET_SOAK=1 (`make soak`).
func soakSize(ci, full int) int {
	if os.Getenv("NSNET_SOAK") == "1" {
		return full
	}
	return ci
}

func killChild(file string) int {
	top, err := Load(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("start")
	ctx := context.Background()
	switch os.Getenv("NSNET_TOPO_MODE") {
	case "up":
		_, err = Up(ctx, top, Options{})
	case "down":
		_, err = Down(ctx, top, Options{})
	case "rollback":
		fail, _ := strconv.Atoi(os.Getenv("NSNET_TOPO_FAIL"))
		_, err = up(ctx, top, Options{}, func(s *Step) error {
			if s.index == fail {
				fmt.Println("rollback")
				return errors.New("injected failure")
			}
			return nil
		})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// killTopo is n namespaces on one bridge with NAT: a masquerade and a
// port forward per namespace, and host forwarding.
func killTopo(t testing.TB, n int) []byte {
	t.Helper()
	var f struct {
		Host       map[string]any   `json:"host"`
		Namespaces []map[string]any `json:"namespaces"`
		Bridges    []map[string]any `json:"bridges"`
		Veths      []map[string]any `json:"veths"`
		NAT        map[string]any   `json:"nat"`
	}
	f.Host = map[string]any{"forwarding": true}
	f.Bridges = []map[string]any{{"name": "kl-br", "addresses": []string{"10.60.0.1/16"}}}
	var fwd []any
	for i := range n {
		name := fmt.Sprintf("kl%d", i)
		addr := fmt.Sprintf("10.60.%d.%d", (i+2)/250, (i+2)%250+1)
		f.Namespaces = append(f.Namespaces, map[string]any{"name": name, "routes": []any{map[string]any{"to": "default", "via": "10.60.0.1"}}})
		f.Veths = append(f.Veths, map[string]any{"name": "eth0", "netns": name, "addresses": []string{addr + "/16"},
			"peer": map[string]any{"name": name + "-br", "bridge": "kl-br"}})
		fwd = append(fwd, map[string]any{"proto": "tcp", "port": 20000 + i, "to": addr + ":80"})
	}
	f.NAT = map[string]any{"masquerade": []any{map[string]any{"src": "10.60.0.0/16"}}, "forward": fwd}
	b, err := json.Marshal(&f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// inventory lists every object as a key: namespaces, and per namespace
// (host included) links, addresses and routes of every table; nft tables,
// chains and rules.
func inventory(t *testing.T) map[string]bool {
	t.Helper()
	inv := map[string]bool{}
	names := []string{""}
	for _, e := range sandbox.IPJSON(t, "netns", "list") {
		n := fmt.Sprint(e["name"])
		names = append(names, n)
		inv["netns "+n] = true
	}
	for _, ns := range names {
		pre := []string{}
		if ns != "" {
			pre = []string{"-n", ns}
		}
		for _, l := range sandbox.IPJSON(t, append(pre, "link", "show")...) {
			inv[fmt.Sprintf("link %s/%v master=%v", ns, l["ifname"], l["master"])] = true
		}
		for _, l := range sandbox.IPJSON(t, append(pre, "addr", "show")...) {
			ai, _ := l["addr_info"].([]any)
			for _, a := range ai {
				m, _ := a.(map[string]any)
				inv[fmt.Sprintf("addr %s/%v %v/%v", ns, l["ifname"], m["local"], m["prefixlen"])] = true
			}
		}
		for _, fam := range []string{"-4", "-6"} {
			for _, r := range sandbox.IPJSON(t, append(append(pre, fam), "route", "show", "table", "all")...) {
				inv[fmt.Sprintf("route %s %v %v %v via=%v table=%v", ns, r["type"], r["dst"], r["dev"], r["gateway"], r["table"])] = true
			}
		}
	}
	var rs struct {
		Nftables []map[string]map[string]any `json:"nftables"`
	}
	sandbox.RunJSON(t, &rs, "nft", "-j", "list", "ruleset")
	for _, o := range rs.Nftables {
		for kind, v := range o {
			switch kind {
			case "table", "chain":
				inv[fmt.Sprintf("nft %s %v %v %v", kind, v["family"], v["table"], v["name"])] = true
			case "rule":
				inv[fmt.Sprintf("nft rule %v %v %v %v", v["family"], v["table"], v["chain"], v["comment"])] = true
			}
		}
	}
	return inv
}

// foreign makes objects that are not the file's, next to it: a bridge
// with an address, a veth pair, a namespace, an nft table with a rule,
// and a route. None may be lost.
func foreign(t *testing.T) {
	t.Helper()
	for _, c := range [][]string{
		{"ip", "link", "add", "fbr", "type", "bridge"},
		{"ip", "link", "set", "fbr", "addrgenmode", "none"}, // no fe80:: that DAD finishes later
		{"ip", "addr", "add", "10.61.0.1/24", "dev", "fbr"},
		{"ip", "link", "set", "fbr", "up"},
		{"ip", "link", "add", "fv0", "type", "veth", "peer", "name", "fv1"},
		{"ip", "link", "set", "fv0", "master", "fbr"},
		{"ip", "netns", "add", "fns"},
		{"ip", "route", "add", "10.62.0.0/24", "via", "10.61.0.2"},
		{"nft", "add", "table", "inet", "foreign"},
		{"nft", "add", "chain", "inet", "foreign", "c", "{ type filter hook forward priority 0; }"},
		{"nft", "add", "rule", "inet", "foreign", "c", "ip saddr 10.60.0.0/16 counter comment \"theirs\""},
	} {
		sandbox.Run(t, c[0], c[1:]...)
	}
	t.Cleanup(func() {
		for _, c := range [][]string{{"ip", "link", "del", "fbr"}, {"ip", "link", "del", "fv0"}, {"ip", "netns", "del", "fns"}, {"nft", "delete", "table", "inet", "foreign"}} {
			_ = exec.Command(c[0], c[1:]...).Run()
		}
	})
}

// TestKillLoop (issue 9): SIGKILL at a random point of `up`, of `down` and
// of a rollback, then `down` from the file. After each, no object of the
// file is left and no foreign object is lost; both numbers are reported.
// CI size in `make test`; `make soak` (NSNET_SOAK=1) runs the issue's
// full size: 150 namespaces with NAT, 120 iterations.
func TestKillLoop(t *testing.T) {
	sandbox.Require(t)
	n, iters := soakSize(20, 150), soakSize(12, 120)
	keepForwarding(t) // the file sets the host's ip_forward, which down leaves
	foreign(t)
	base := inventory(t)
	var foreignKeys []string
	for k := range base {
		if strings.Contains(k, "fbr") || strings.Contains(k, "fv0") || strings.Contains(k, "fv1") || strings.Contains(k, "fns") ||
			strings.Contains(k, "foreign") || strings.Contains(k, "10.62.0.0") {
			foreignKeys = append(foreignKeys, k)
		}
	}
	if len(foreignKeys) < 8 {
		t.Fatalf("only %d foreign objects: %v", len(foreignKeys), foreignKeys)
	}
	file := t.TempDir() + "/kill.json"
	if err := os.WriteFile(file, killTopo(t, n), 0o644); err != nil {
		t.Fatal(err)
	}
	top, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	// How long a whole up and down take here, to spread the kills over.
	t0 := time.Now()
	p, err := Up(context.Background(), top, Options{})
	if err != nil {
		t.Fatal(err)
	}
	upTime := time.Since(t0)
	t0 = time.Now()
	mustDown(t, top)
	downTime := time.Since(t0)
	steps := len(p.Steps)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	left, lost, killed := 0, 0, 0
	for it := range iters {
		mode := []string{"up", "down", "rollback"}[it%3]
		if mode == "down" {
			if _, err := Up(context.Background(), top, Options{}); err != nil {
				t.Fatalf("iteration %d: up before the down to kill: %v", it, err)
			}
		}
		env := []string{envKillChild + "=" + file, "NSNET_TOPO_MODE=" + mode}
		wait, span := "start", upTime
		switch mode {
		case "down":
			span = downTime
		case "rollback":
			env = append(env, "NSNET_TOPO_FAIL="+strconv.Itoa(steps/2+rng.IntN(steps/2)))
			wait, span = "rollback", downTime
		}
		if k := runAndKill(t, env, wait, time.Duration(rng.Int64N(int64(span)+1))); k {
			killed++
		}
		if _, err := Down(context.Background(), top, Options{}); err != nil {
			t.Fatalf("iteration %d (%s): down after the kill: %v", it, mode, err)
		}
		inv := inventory(t)
		var extra, gone []string
		for k := range inv {
			if !base[k] {
				extra = append(extra, k)
			}
		}
		for _, k := range foreignKeys {
			if !inv[k] {
				gone = append(gone, k)
			}
		}
		left += len(extra)
		lost += len(gone)
		if len(extra)+len(gone) > 0 {
			sort.Strings(extra)
			t.Errorf("iteration %d (%s): %d objects left %v, %d foreign objects lost %v", it, mode, len(extra), extra, len(gone), gone)
		}
	}
	t.Logf("kill loop: %d iterations (%d killed before they finished), %d namespaces with NAT: objects left %d, foreign objects lost %d", iters, killed, n, left, lost)
}

// runAndKill starts the child with env, waits for the line wait, sleeps
// d and SIGKILLs it (by its PID). It reports whether the child was still
// running when killed.
func runAndKill(t *testing.T, env []string, wait string, d time.Duration) bool {
	t.Helper()
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if sc.Text() == wait {
			break
		}
	}
	time.Sleep(d)
	alive := cmd.Process.Signal(syscall.Signal(0)) == nil
	_ = cmd.Process.Signal(syscall.SIGKILL)
	go func() { _, _ = bufio.NewReader(out).ReadString(0) }()
	_ = cmd.Wait()
	return alive && cmd.ProcessState != nil && !cmd.ProcessState.Exited()
}
