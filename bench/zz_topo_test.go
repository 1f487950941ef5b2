package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/topo"
)

func TestZZTopo(t *testing.T) {
	sandbox.Require(t)
	const n = 300
	for _, w := range []int{1, 2, 8} {
		e, err := NewEnv()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := e.Topology(n)
		tp, err := topo.Parse("b.json", b)
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		if _, err := topo.Plan(context.Background(), tp); err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		if _, err := topo.Up(context.Background(), tp, topo.Options{Workers: w}); err != nil {
			t.Fatal(err)
		}
		t2 := time.Now()
		if _, err := topo.Down(context.Background(), tp, topo.Options{Workers: w}); err != nil {
			t.Fatal(err)
		}
		t3 := time.Now()
		e.Settle(time.Minute)
		e.Close()
		fmt.Printf("workers=%d N=%d plan %v up %v (%v/ns) down %v\n", w, n, t1.Sub(t0), t2.Sub(t1), t2.Sub(t1)/n, t3.Sub(t2))
	}
}
