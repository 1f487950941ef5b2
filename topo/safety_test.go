package topo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/netops"
)

// Regression tests for issue 9's rollback-safety defects. Each failed on
// the code before the operations layer (checked).

// sharedTopo is n namespaces named PREFIXi on bridge br with address
// 10.50.0.1/16 and a masquerade, each with its own veth, address and
// default route: what two users sharing one bridge write.
func sharedTopo(t testing.TB, prefix, br string, n, first int) *Topology {
	t.Helper()
	return sharedTopoNAT(t, prefix, br, n, first, nil)
}

// sharedTopoNAT is sharedTopo with forwards (topology "forward" objects)
// next to the masquerade.
func sharedTopoNAT(t testing.TB, prefix, br string, n, first int, forwards []any) *Topology {
	t.Helper()
	type end struct {
		Name      string   `json:"name"`
		Netns     string   `json:"netns,omitempty"`
		Bridge    string   `json:"bridge,omitempty"`
		Addresses []string `json:"addresses,omitempty"`
	}
	type veth struct {
		end
		Peer end `json:"peer"`
	}
	type route struct {
		To  string `json:"to"`
		Via string `json:"via"`
	}
	type ns struct {
		Name   string  `json:"name"`
		Routes []route `json:"routes"`
	}
	var f struct {
		Host       struct{} `json:"host"`
		Namespaces []ns     `json:"namespaces"`
		Bridges    []any    `json:"bridges"`
		Veths      []veth   `json:"veths"`
		NAT        any      `json:"nat"`
	}
	f.Bridges = []any{map[string]any{"name": br, "addresses": []string{"10.50.0.1/16"}}}
	f.NAT = map[string]any{"masquerade": []any{map[string]any{"src": "10.50.0.0/16"}}}
	if len(forwards) > 0 {
		f.NAT.(map[string]any)["forward"] = forwards
	}
	for i := range n {
		name := fmt.Sprintf("%s%d", prefix, i)
		k := first + i
		f.Namespaces = append(f.Namespaces, ns{Name: name, Routes: []route{{"default", "10.50.0.1"}}})
		f.Veths = append(f.Veths, veth{
			end:  end{Name: "eth0", Netns: name, Addresses: []string{fmt.Sprintf("10.50.%d.%d/16", (k+2)/250, (k+2)%250+1)}},
			Peer: end{Name: name + "-br", Bridge: br},
		})
	}
	b, err := json.Marshal(&f)
	if err != nil {
		t.Fatal(err)
	}
	top, err := Parse(prefix+".json", b)
	if err != nil {
		t.Fatal(err)
	}
	return top
}

// TestRollbackKeepsAddressAddedMeanwhile (issue 9 H2): while up runs,
// another writer adds the bridge address the file declares; then a later
// step fails. The rollback must not delete that address: this run never
// added it. (Before: the batch's undo list held every request, so the
// rollback deleted it.)
func TestRollbackKeepsAddressAddedMeanwhile(t *testing.T) {
	sandbox.Require(t)
	sandbox.Run(t, "ip", "link", "add", "kbr", "type", "bridge")
	defer exec.Command("ip", "link", "del", "kbr").Run()
	sandbox.Run(t, "ip", "link", "set", "kbr", "up")
	top := sharedTopo(t, "k", "kbr", 3, 0)
	injected := errors.New("injected failure")
	_, err := up(context.Background(), top, Options{}, func(s *Step) error {
		switch {
		case s.Kind == KindAddr && strings.HasPrefix(s.Object, "10.50.0.1/16 dev kbr"):
			sandbox.Run(t, "ip", "addr", "add", "10.50.0.1/16", "dev", "kbr") // the other writer
		case s.Kind == KindMasquerade:
			return injected
		}
		return nil
	})
	var se *StepError
	if !errors.As(err, &se) || !errors.Is(err, injected) || se.RollbackErr != nil {
		t.Fatalf("up: %v", err)
	}
	if out := sandbox.Run(t, "ip", "-br", "addr", "show", "dev", "kbr"); !strings.Contains(out, "10.50.0.1/16") {
		t.Fatalf("the rollback deleted 10.50.0.1/16, which another writer added: %q", out)
	}
	for i := range 3 {
		if err := exec.Command("ip", "netns", "exec", fmt.Sprintf("k%d", i), "true").Run(); err == nil {
			t.Errorf("namespace k%d is left after the rollback", i)
		}
	}
}

// TestUpRefusesForeignVeth (issue 9 M7): the file's host end name belongs
// to a veth paired with something the file does not describe. up must
// refuse before changing anything, naming it, and leave the pair. (Before:
// plan said "recreate" and up deleted the foreign pair, exit 0.)
func TestUpRefusesForeignVeth(t *testing.T) {
	sandbox.Require(t)
	keepForwarding(t)
	top := seed(t)
	if _, err := Up(context.Background(), top, Options{}); err != nil {
		t.Fatal(err)
	}
	defer mustDown(t, top)
	sandbox.Run(t, "ip", "-n", "red", "link", "del", "veth-red") // the pair goes
	sandbox.Run(t, "ip", "link", "add", "veth-red-br", "type", "veth", "peer", "name", "foreign0")
	defer exec.Command("ip", "link", "del", "foreign0").Run()
	sandbox.Run(t, "ip", "addr", "add", "10.99.0.1/24", "dev", "foreign0")
	before := snapshot(t)
	p, err := Up(context.Background(), top, Options{})
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "a veth named veth-red-br is already in the host, paired with something this file does not describe") {
		t.Fatalf("up over a foreign veth: %v", err)
	}
	if _, _, _, co := p.Counts(); co != 1 {
		t.Errorf("%d conflicts, want 1", co)
	}
	if d := lineDiff(before, snapshot(t)); d != "" {
		t.Fatalf("a refused up changed the system:\n%s", d)
	}
}

// TestRollbackRestoresLoInExistingNamespace (issue 9 L2): the file's
// namespace exists already, with lo down as `ip netns add` leaves it. A
// rollback must leave lo exactly so: no 127.0.0.1/8, no local routes, the
// noop qdisc. (Before: lo went down again but kept all three.)
func TestRollbackRestoresLoInExistingNamespace(t *testing.T) {
	sandbox.Require(t)
	top := seed(t)
	sandbox.Run(t, "ip", "netns", "add", "red")
	defer exec.Command("ip", "netns", "del", "red").Run()
	before := snapshot(t)
	injected := errors.New("injected failure")
	_, err := up(context.Background(), top, Options{}, func(s *Step) error {
		if s.Kind == KindForward {
			return injected
		}
		return nil
	})
	var se *StepError
	if !errors.As(err, &se) || !errors.Is(err, injected) || se.RollbackErr != nil {
		t.Fatalf("up: %v", err)
	}
	if d := settledDiff(t, before); d != "" {
		t.Fatalf("after the rollback, the existing namespace differs:\n%s", d)
	}
}

// TestUpBridgeDeletedMeanwhile (issue 9 L6): the bridge is deleted while
// up runs (a concurrent down). The error says so, instead of the kernel's
// bare "link add veth-red-br: invalid argument".
func TestUpBridgeDeletedMeanwhile(t *testing.T) {
	sandbox.Require(t)
	top := seed(t)
	before := snapshot(t)
	_, err := up(context.Background(), top, Options{Workers: 1}, func(s *Step) error {
		if s.Kind == KindVeth && strings.Contains(s.Object, "bridge v-net-0") {
			_ = exec.Command("ip", "link", "del", "v-net-0").Run() // the concurrent down
		}
		return nil
	})
	var ge *netops.GoneError
	if !errors.As(err, &ge) || !errors.Is(err, netops.ErrGone) || ge.Object.Name != "v-net-0" {
		t.Fatalf("up with its bridge deleted: %v", err)
	}
	var se *StepError
	if !errors.As(err, &se) || se.RollbackErr != nil {
		t.Fatalf("rollback: %v", err)
	}
	if d := settledDiff(t, before); d != "" {
		t.Fatalf("after the rollback:\n%s", d)
	}
}

// TestConcurrentUpsShareBridge (issue 9 M6): two ups of different files
// that share a bridge, its address and a masquerade run at once; both
// succeed, every time (before: the loser got EEXIST creating the bridge
// and rolled back; in 5 of 30 pairs it deleted the winner's address).
// Down of one file leaves the bridge the other still uses; down of both
// leaves nothing. NSNET_SOAK sets the size (make soak).
func TestConcurrentUpsShareBridge(t *testing.T) {
	sandbox.Require(t)
	pairs, n := soakSize(3, 30), soakSize(10, 75)
	before := snapshot(t)
	a, b := sharedTopo(t, "ca", "cbr", n, 0), sharedTopo(t, "cb", "cbr", n, n)
	for k := range pairs {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, top := range []*Topology{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = Up(context.Background(), top, Options{})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("pair %d: up %d: %v", k, i, err)
			}
		}
		for _, top := range []*Topology{a, b} {
			p, err := Plan(context.Background(), top)
			if err != nil {
				t.Fatal(err)
			}
			if cr, ch, _, _ := p.Counts(); cr+ch != 0 {
				t.Fatalf("pair %d: after both ups, %s still has %d to create, %d to change", k, top.Source(), cr, ch)
			}
		}
		// Down of a: the bridge stays for b, with its address.
		_, err := Down(context.Background(), a, Options{})
		var sb *SharedBridgeError
		if !errors.As(err, &sb) || sb.Bridge != "cbr" {
			t.Fatalf("pair %d: down of a with b on the bridge: %v", k, err)
		}
		if out := sandbox.Run(t, "ip", "-br", "addr", "show", "dev", "cbr"); !strings.Contains(out, "10.50.0.1/16") {
			t.Fatalf("pair %d: down of a took the bridge's address from b: %q", k, out)
		}
		if _, err := Down(context.Background(), b, Options{}); err != nil {
			t.Fatalf("pair %d: down of b: %v", k, err)
		}
		if d := lineDiff(withForwardingOff(t, before), withForwardingOff(t, snapshot(t))); d != "" {
			t.Fatalf("pair %d: objects left after both downs:\n%s", k, d)
		}
	}
}

// keepForwarding puts the host's ip_forward back after the test: up of a
// file with forwarding sets it, and down leaves it.
func keepForwarding(t *testing.T) {
	t.Helper()
	fwd, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.WriteFile("/proc/sys/net/ipv4/ip_forward", fwd, 0) })
}

// withForwardingOff ignores ip_forward (down leaves it) in a snapshot.
func withForwardingOff(t *testing.T, s string) string {
	t.Helper()
	return strings.Replace(s, "== ip_forward 1", "== ip_forward 0", 1)
}
