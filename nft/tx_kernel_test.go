package nft

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/nfttest"
	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// TestCommitRejectedHalfway: a transaction whose fourth message the kernel
// rejects changes nothing, and the error names that message.
func TestCommitRejectedHalfway(t *testing.T) {
	sandbox.Require(t)
	ns := newNS(t)
	nfttest.LoadForeign(t, ns)
	c := dialIn(t, ns)
	setup := c.Begin()
	testSkeleton(setup)
	for _, src := range []string{"192.168.15.0/24", "10.0.0.0/8"} {
		r := testMasq(src)
		setup.AddRule(&r)
	}
	if err := setup.Commit(); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		return runIn(t, ns, "nft", "-a", "list", "ruleset") + runIn(t, ns, "nft", "-a", "-j", "list", "ruleset")
	}
	before := snapshot()
	rs, err := c.Rules(FamilyINet, testTable, "")
	if err != nil {
		t.Fatal(err)
	}
	tx := c.Begin()
	tx.AddRule(&Rule{Family: FamilyINet, Table: testTable, Chain: testPost, Comment: "ok 1", Exprs: []Expr{&Counter{}, &Masq{}}})
	tx.AddChain(&Chain{Family: FamilyINet, Table: testTable, Name: "extra"})
	tx.DelRule(&rs[0])
	tx.AddRule(&Rule{Family: FamilyINet, Table: testTable, Chain: "nope", Comment: "bad", Exprs: []Expr{&Masq{}}})
	tx.AddRule(&Rule{Family: FamilyIPv4, Table: "filter", Chain: "FORWARD", Comment: "ok 2", Exprs: []Expr{&Counter{}}})
	err = tx.Commit()
	var oe *OpError
	if !errors.As(err, &oe) || !errors.Is(err, unix.ENOENT) || oe.Obj != `inet nsnet nope "bad"` {
		t.Fatalf("Commit = %v; want ENOENT naming the rule for chain nope", err)
	}
	if after := snapshot(); after != before {
		t.Fatalf("the rejected transaction changed the ruleset:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestCommitThousands: thousands of rules are one transaction (one write,
// buffers sized for it): all applied, or with one bad message none, and a
// batch where every message fails reports the first without ENOBUFS.
func TestCommitThousands(t *testing.T) {
	sandbox.Require(t)
	const n = 5000
	ns := newNS(t)
	c := dialIn(t, ns)
	build := func(chain func(i int) string) *Tx {
		tx := c.Begin()
		testSkeleton(tx)
		for i := range n {
			r := testMasq(fmt.Sprintf("10.%d.%d.0/24", i/256, i%256))
			r.Chain = chain(i)
			tx.AddRule(&r)
		}
		return tx
	}
	start := time.Now()
	if err := build(func(int) string { return testPost }).Commit(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rules in one transaction: %v", n, time.Since(start))
	count := func() int {
		rs, err := c.Rules(FamilyINet, testTable, "")
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}
	if got := count(); got != n {
		t.Fatalf("%d rules after commit, want %d", got, n)
	}
	if got := strings.Count(runIn(t, ns, "nft", "list", "ruleset"), "masquerade comment"); got != n {
		t.Fatalf("nft lists %d rules, want %d", got, n)
	}

	err := build(func(i int) string {
		if i == n-1 {
			return "nope"
		}
		return testPost
	}).Commit()
	var oe *OpError
	if !errors.As(err, &oe) || !errors.Is(err, unix.ENOENT) || !strings.Contains(oe.Obj, "nope") || oe.More != 0 {
		t.Fatalf("last message bad: %v", err)
	}
	if got := count(); got != n {
		t.Fatalf("%d rules after a rejected transaction, want %d", got, n)
	}

	err = build(func(int) string { return "nope" }).Commit()
	if !errors.As(err, &oe) || !errors.Is(err, unix.ENOENT) || oe.More != n-1 {
		t.Fatalf("every rule bad: %v (more %d), want ENOENT and %d more", err, oe.More, n-1)
	}
	if got := count(); got != n {
		t.Fatalf("%d rules after a rejected transaction, want %d", got, n)
	}
	// The socket is still in step: a later request gets its own reply.
	if _, err := c.Rules(FamilyINet, testTable, ""); err != nil {
		t.Fatal(err)
	}
}

// TestRequireGen: a commit checked against a generation that moved fails
// with ERESTART and changes nothing.
func TestRequireGen(t *testing.T) {
	sandbox.Require(t)
	ns := newNS(t)
	c := dialIn(t, ns)
	gen, err := c.Gen()
	if err != nil {
		t.Fatal(err)
	}
	runIn(t, ns, "nft", "add", "table", "ip", "someone")
	tx := c.Begin()
	tx.RequireGen(gen)
	tx.AddTable(testTableINet())
	if err := tx.Commit(); !errors.Is(err, unix.ERESTART) {
		t.Fatalf("Commit with a stale generation = %v, want ERESTART", err)
	}
	if ts, err := c.Tables(); err != nil || len(ts) != 1 || ts[0].Name != "someone" {
		t.Fatalf("tables after the refused commit: %+v %v", ts, err)
	}
	gen2, err := c.Gen()
	if err != nil || gen2 == gen {
		t.Fatalf("generation %d -> %d (%v); it should have moved", gen, gen2, err)
	}
	tx = c.Begin()
	tx.RequireGen(gen2)
	tx.AddTable(testTableINet())
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestConnConcurrent: commits and dumps from many goroutines on one Conn
// each get their own replies.
func TestConnConcurrent(t *testing.T) {
	sandbox.Require(t)
	c := dialIn(t, newNS(t))
	errc := make(chan error, 40)
	skel := c.Begin()
	testSkeleton(skel)
	if err := skel.Commit(); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		go func() {
			tx := c.Begin()
			r := testMasq(fmt.Sprintf("10.%d.0.0/16", i))
			tx.AddRule(&r)
			errc <- tx.Commit()
		}()
		go func() {
			_, err := c.Rules(FamilyINet, testTable, "")
			errc <- err
		}()
	}
	for range 40 {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
	list, err := c.Rules(FamilyINet, testTable, "")
	if err != nil || len(list) != 20 {
		t.Fatalf("%d entries (%v), want 20", len(list), err)
	}
}
