package topo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// Regression tests for the NAT part of issue 9 M6 and H2: a NAT rule that
// two files declare is theirs both. Each failed before NAT rules carried
// an owner (checked): the rule was one set of kernel rules found by its
// comment, so whoever deleted it (a rollback, a down) deleted it for both.

const sharedMasq = `comment "masquerade 10.50.0.0/16"`

// natCopies counts the kernel rules of the shared masquerade, as `nft list
// ruleset` shows them (which also checks that nft reads their user data).
func natCopies(t *testing.T) int {
	t.Helper()
	return strings.Count(sandbox.Run(t, "nft", "list", "ruleset"), sharedMasq)
}

// TestRollbackKeepsSharedNAT (M6, H2): up of file l adds the masquerade it
// shares with file w; w's up runs to its end meanwhile (finding the rule
// there), and then l fails after its NAT phase and rolls back. w succeeded:
// its masquerade must survive l's rollback. (Before: w found the rule
// "already there" and recorded nothing; l's undo deleted it by comment.)
func TestRollbackKeepsSharedNAT(t *testing.T) {
	sandbox.Require(t)
	keepForwarding(t)
	before := snapshot(t)
	w := sharedTopo(t, "nw", "nbr", 2, 0)
	l := sharedTopoNAT(t, "nl", "nbr", 2, 2, []any{map[string]any{"proto": "tcp", "port": 8080, "to": "10.50.0.5:80"}})
	injected := errors.New("injected failure after the masquerade")
	_, err := up(context.Background(), l, Options{}, func(s *Step) error {
		if s.Kind != KindForward {
			return nil
		}
		// l's masquerade is in; w's up runs now, from start to end.
		if _, err := Up(context.Background(), w, Options{}); err != nil {
			t.Errorf("up of w: %v", err)
		}
		return injected
	})
	var se *StepError
	if !errors.As(err, &se) || !errors.Is(err, injected) || se.RollbackErr != nil {
		t.Fatalf("up of l: %v", err)
	}
	if n := natCopies(t); n == 0 {
		t.Fatalf("l's rollback deleted the masquerade w's up (exit 0) declares:\n%s", sandbox.Run(t, "nft", "list", "ruleset"))
	}
	p, err := Plan(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	if cr, ch, _, _ := p.Counts(); cr+ch != 0 {
		t.Errorf("after l's rollback, w has %d to create, %d to change", cr, ch)
	}
	if _, err := Down(context.Background(), w, Options{}); err != nil {
		t.Fatalf("down of w: %v", err)
	}
	if d := lineDiff(withForwardingOff(t, before), withForwardingOff(t, snapshot(t))); d != "" {
		t.Fatalf("objects left after down of w:\n%s", d)
	}
}

// TestDownKeepsSharedNAT (M6): up a, up b (the same masquerade), down b:
// a's masquerade stays, a's plan has nothing to do; down a removes it.
// (Before: down b deleted the rule by its comment, a's with it.) A second
// up of a adds no second copy (idempotent).
func TestDownKeepsSharedNAT(t *testing.T) {
	sandbox.Require(t)
	keepForwarding(t)
	before := snapshot(t)
	a, b := sharedTopo(t, "da", "dbr", 2, 0), sharedTopo(t, "db", "dbr", 2, 2)
	for _, top := range []*Topology{a, b, a} {
		if _, err := Up(context.Background(), top, Options{}); err != nil {
			t.Fatalf("up of %s: %v", top.Source(), err)
		}
	}
	if n := natCopies(t); n != 2 {
		t.Errorf("after up a, up b, up a: %d kernel rules of the masquerade, want 2 (one per file)", n)
	}
	_, err := Down(context.Background(), b, Options{})
	var sb *SharedBridgeError
	if err != nil && !errors.As(err, &sb) {
		t.Fatalf("down of b: %v", err)
	}
	if n := natCopies(t); n != 1 {
		t.Fatalf("after down of b: %d kernel rules of the masquerade a declares, want 1:\n%s", n, sandbox.Run(t, "nft", "list", "ruleset"))
	}
	p, err := Plan(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if cr, ch, _, _ := p.Counts(); cr+ch != 0 {
		t.Errorf("after down of b, a has %d to create, %d to change", cr, ch)
	}
	if _, err := Down(context.Background(), a, Options{}); err != nil {
		t.Fatalf("down of a: %v", err)
	}
	if n := natCopies(t); n != 0 {
		t.Errorf("after down of a: %d kernel rules of the masquerade left", n)
	}
	if d := lineDiff(withForwardingOff(t, before), withForwardingOff(t, snapshot(t))); d != "" {
		t.Fatalf("objects left after both downs:\n%s", d)
	}
}
