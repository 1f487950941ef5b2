package topo

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/nettest"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
)

func routerTopo(t *testing.T) *Topology {
	t.Helper()
	top, err := Load("../testdata/topo_router.json")
	if err != nil {
		t.Fatal(err)
	}
	return top
}

// TestUpRouter: veths between namespaces (set up after the pool), a router
// namespace with forwarding, IPv6 with its routes, and a host route.
func TestUpRouter(t *testing.T) {
	sandbox.Require(t)
	top := routerTopo(t)
	if !top.HasIPv6() {
		t.Fatal("the router topology has IPv6")
	}
	before := snapshot(t)
	if _, err := Up(context.Background(), top, Options{}); err != nil {
		t.Fatalf("up: %v", err)
	}
	left, err := nsutil.Open("left")
	if err != nil {
		t.Fatal(err)
	}
	for _, dst := range []string{"10.2.0.2", "fd02::2", "10.1.0.1"} {
		if err := nettest.Ping(left, netip.MustParseAddr(dst), 2*time.Second); err != nil {
			t.Errorf("left -> %s through the router: %v", dst, err)
		}
	}
	left.Close()
	if err := nettest.Ping(nil, netip.MustParseAddr("10.1.0.2"), 2*time.Second); err != nil {
		t.Errorf("host -> left via the host route: %v", err)
	}
	if fwd := sandbox.Run(t, "ip", "netns", "exec", "router", "cat", "/proc/sys/net/ipv4/ip_forward"); strings.TrimSpace(fwd) != "1" {
		t.Errorf("router ip_forward = %q", fwd)
	}
	p, err := Plan(context.Background(), top)
	if err != nil {
		t.Fatal(err)
	}
	if cr, ch, _, _ := p.Counts(); cr+ch != 0 {
		t.Errorf("after up: %d to create, %d to change: %+v", cr, ch, p.Steps)
	}
	mustDown(t, top)
	if d := lineDiff(before, snapshot(t)); d != "" {
		t.Fatalf("down left differences:\n%s", d)
	}
}

// TestUpRouterFaultEveryStep is TestUpFaultEveryStep for the router
// topology, whose namespace-to-namespace veths take the late path.
func TestUpRouterFaultEveryStep(t *testing.T) {
	sandbox.Require(t)
	top := routerTopo(t)
	p, err := Plan(context.Background(), top)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t)
	injected := errors.New("injected failure")
	for k := range p.Steps {
		_, err := up(context.Background(), top, Options{}, func(s *Step) error {
			if s.index == k {
				return injected
			}
			return nil
		})
		var se *StepError
		if !errors.As(err, &se) || se.RollbackErr != nil || se.Step.index != k {
			t.Fatalf("step %d: %v", k, err)
		}
		if d := lineDiff(before, snapshot(t)); d != "" {
			t.Fatalf("after failing step %d (%s %s):\n%s", k, p.Steps[k].Kind, p.Steps[k].Object, d)
		}
	}
}

// TestUpRouterFaultExistingRouter fails each step of up when the router
// namespace is already there: the ends of veths that up created in it,
// whose peers are in namespaces up created, must be gone once up returns
// (the kernel frees them with their peers' namespaces only later).
func TestUpRouterFaultExistingRouter(t *testing.T) {
	sandbox.Require(t)
	top := routerTopo(t)
	sandbox.Run(t, "ip", "netns", "add", "router")
	defer sandbox.Run(t, "ip", "netns", "del", "router")
	// lo up: a lo that was never up cannot be restored exactly (bringing
	// it up gives it 127.0.0.1 and a qdisc, which stay when it goes down).
	sandbox.Run(t, "ip", "-n", "router", "link", "set", "lo", "up")
	p, err := Plan(context.Background(), top)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t)
	injected := errors.New("injected failure")
	for k, s := range p.Steps {
		if s.Action == Exists {
			continue // no hook runs for it
		}
		_, err := up(context.Background(), top, Options{}, func(s *Step) error {
			if s.index == k {
				return injected
			}
			return nil
		})
		var se *StepError
		if !errors.As(err, &se) || se.RollbackErr != nil || se.Step.index != k {
			t.Fatalf("step %d: %v", k, err)
		}
		if d := lineDiff(before, snapshot(t)); d != "" {
			t.Fatalf("after failing step %d (%s %s):\n%s", k, p.Steps[k].Kind, p.Steps[k].Object, d)
		}
	}
}
