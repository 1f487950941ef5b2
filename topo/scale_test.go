package topo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/nettest"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/topo/internal/filefmt"
)

// generated returns a topology of n namespaces on one bridge.
func generated(t testing.TB, n int) *Topology {
	t.Helper()
	top := filefmt.Topology{Bridges: []filefmt.Bridge{{Name: "gen-br", Addresses: []string{"10.20.0.1/16"}}}}
	for i := range n {
		name := fmt.Sprintf("gen%d", i)
		top.Namespaces = append(top.Namespaces, filefmt.Namespace{Name: name, Routes: []filefmt.Route{{To: "default", Via: "10.20.0.1"}}})
		top.Veths = append(top.Veths, filefmt.Veth{
			End:  filefmt.End{Name: "eth0", Netns: name, Addresses: []string{fmt.Sprintf("10.20.%d.%d/16", (i+2)/250, (i+2)%250+1)}},
			Peer: filefmt.End{Name: fmt.Sprintf("gen%d-br", i), Bridge: "gen-br"},
		})
	}
	b, err := json.Marshal(&top)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Parse("generated.json", b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUp200 brings up 200 namespaces on one bridge and proves that every
// one of them reaches the bridge's address.
func TestUp200(t *testing.T) {
	sandbox.Require(t)
	const n = 200
	top := generated(t, n)
	before := snapshot(t)
	start := time.Now()
	progress := 0
	p, err := Up(context.Background(), top, Options{Progress: func(done, total int) {
		if done != progress+1 || total != 4*n+2 {
			t.Errorf("progress %d/%d after %d", done, total, progress)
		}
		progress = done
	}})
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	t.Logf("up of %d namespaces: %v (%d steps)", n, time.Since(start), len(p.Steps))
	if progress != 4*n+2 {
		t.Errorf("progress reached %d, want %d", progress, 4*n+2)
	}
	gw := netip.MustParseAddr("10.20.0.1")
	err = forEach(context.Background(), 8, n, func(i int) error {
		ns, err := nsutil.Open(fmt.Sprintf("gen%d", i))
		if err != nil {
			return err
		}
		defer ns.Close()
		if err := nettest.Ping(ns, gw, 2*time.Second); err != nil {
			return fmt.Errorf("gen%d: %w", i, err)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	if ai := fmt.Sprint(sandbox.IPJSON(t, "-n", "gen7", "addr", "show", "dev", "eth0")); !strings.Contains(ai, "10.20.0.10") || strings.Contains(ai, "inet6") {
		t.Errorf("gen7 eth0: %s", ai)
	}
	p2, err := Plan(context.Background(), top)
	if err != nil {
		t.Fatal(err)
	}
	if cr, ch, _, _ := p2.Counts(); cr+ch != 0 {
		t.Errorf("after up, plan still has %d to create, %d to change", cr, ch)
	}
	start = time.Now()
	mustDown(t, top)
	t.Logf("down: %v", time.Since(start))
	if d := lineDiff(before, snapshot(t)); d != "" {
		t.Fatalf("down left differences:\n%s", d)
	}
}
