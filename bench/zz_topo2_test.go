package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/topo"
)

func TestZZTopoSteps(t *testing.T) {
	sandbox.Require(t)
	const n = 1000
	e, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.Topology(n)
	tp, _ := topo.Parse("b.json", b)
	last := time.Now()
	start := last
	byKind := map[string][]time.Duration{}
	_, err = topo.Up(context.Background(), tp, topo.Options{Workers: 8, Done: func(s *topo.Step) {
		now := time.Now()
		byKind[string(s.Kind)] = append(byKind[string(s.Kind)], now.Sub(last))
		last = now
	}})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("up total %v, after last step %v\n", time.Since(start), time.Since(last))
	for k, d := range byKind {
		fmt.Printf("%-12s n=%d median %v sum %v\n", k, len(d), Median(d), Summarize(d).Total)
	}
	topo.Down(context.Background(), tp, topo.Options{})
	e.Settle(time.Minute)
	e.Close()
}
