package firewall

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/nfttest"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nft"
)

// TestNATIsolation: every NAT operation, flush included, leaves other
// tables byte for byte as they were, and BaseChains reads them.
func TestNATIsolation(t *testing.T) {
	sandbox.Require(t)
	ns := newNS(t)
	nfttest.LoadForeign(t, ns)
	before := nfttest.ForeignSnapshot(t, ns)
	c := dialIn(t, ns)
	check := func(step string) {
		t.Helper()
		if after := nfttest.ForeignSnapshot(t, ns); after != before {
			t.Fatalf("after %s the foreign tables changed:\nbefore:\n%s\nafter:\n%s", step, before, after)
		}
	}
	seen := map[string]bool{}
	for _, f := range readForms(t) {
		if seen[f.words] {
			continue
		}
		seen[f.words] = true
		r := mustParseNAT(t, f.words)
		if _, err := c.Add(r); err != nil {
			t.Fatal(err)
		}
		check("nat add " + f.words)
		if added, err := c.Add(r); err != nil || added {
			t.Fatalf("repeated nat add %s: %v %v", f.words, added, err)
		}
		check("repeated nat add " + f.words)
	}
	if _, err := c.List(); err != nil {
		t.Fatal(err)
	}
	check("nat list")
	if err := c.Del(mustParseNAT(t, "masquerade 192.168.16.0/20")); err != nil {
		t.Fatal(err)
	}
	check("nat del")
	if err := c.Del(mustParseNAT(t, "masquerade 10.8.0.0/16")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("nat del of ip nsnet's rule: %v, want ErrNotFound", err)
	}
	check("nat del of a rule in somebody else's table")
	if kept, err := c.Flush(); err != nil || len(kept) != 0 {
		t.Fatalf("flush: kept %q, %v", kept, err)
	}
	check("nat flush")

	base, err := c.BaseChains()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range base {
		got = append(got, fmt.Sprintf("%s %s %s %d %s", ch.String(), ch.Type, ch.Hook.Num, ch.Hook.Priority, *ch.Policy))
	}
	want := []string{
		"ip filter FORWARD filter forward 0 drop",
		"ip filter INPUT filter input 0 accept",
		"inet other post nat postrouting 110 accept",
		"ip nsnet post nat postrouting 100 accept",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("BaseChains:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	check("base chains")
}

// TestNATAddRacingWriters: several sockets (as several nsnet processes
// would) add the same rule at once; the generation check makes exactly one
// of them add it and the rest report no change.
func TestNATAddRacingWriters(t *testing.T) {
	sandbox.Require(t)
	ns := newNS(t)
	const n = 8
	type result struct {
		added bool
		err   error
	}
	res := make(chan result, n)
	start := make(chan struct{})
	for range n {
		c := dialIn(t, ns)
		go func() {
			<-start
			added, err := c.Add(mustParseNAT(t, "forward tcp 8080 192.168.15.2:80"))
			res <- result{added, err}
		}()
	}
	close(start)
	adds := 0
	for range n {
		r := <-res
		if r.err != nil {
			t.Error(r.err)
		}
		if r.added {
			adds++
		}
	}
	rs, err := dialIn(t, ns).Rules(nft.FamilyINet, NATTable, "")
	if err != nil {
		t.Fatal(err)
	}
	if adds != 1 || len(rs) != 3 {
		t.Fatalf("%d writers added, %d kernel rules; want 1 and 3", adds, len(rs))
	}
}
