package firewall

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nft"
	"github.com/nsnet/nsnet/nsutil"
)

// foreignRuleset is somebody else's nf_tables configuration: a forward
// chain with policy drop, an inet nat table of its own, and a table named
// nsnet in family ip (ours is inet nsnet).
const foreignRuleset = `table ip filter {
	chain FORWARD { type filter hook forward priority filter; policy drop;
		ct state established,related counter accept
		iifname "v-net-0" counter accept comment "theirs"
	}
	chain INPUT { type filter hook input priority filter; policy accept; tcp dport 22 accept; }
}
table inet other {
	chain post { type nat hook postrouting priority srcnat + 10; policy accept;
		ip saddr 10.9.0.0/16 counter masquerade comment "masquerade 10.9.0.0/16"
	}
	chain helper { counter; }
}
table ip nsnet {
	chain post { type nat hook postrouting priority srcnat; ip saddr 10.8.0.0/16 masquerade comment "masquerade 10.8.0.0/16"; }
}
`

func loadForeign(t *testing.T, ns *nsutil.NetNS) {
	t.Helper()
	if out, err := tryInStdin(ns, foreignRuleset, "nft", "-f", "-"); err != nil {
		t.Fatalf("nft -f: %v\n%s", err, out)
	}
}

// foreignSnapshot is everything but table inet nsnet, as nft lists it with
// handles, in text and JSON.
func foreignSnapshot(t *testing.T, ns *nsutil.NetNS) string {
	t.Helper()
	var sb strings.Builder
	for _, tbl := range [][]string{{"ip", "filter"}, {"inet", "other"}, {"ip", "nsnet"}} {
		sb.WriteString(runIn(t, ns, "nft", "-a", "list", "table", tbl[0], tbl[1]))
		sb.WriteString(runIn(t, ns, "nft", "-a", "-j", "list", "table", tbl[0], tbl[1]))
	}
	return sb.String()
}

// TestNATIsolation: every NAT operation, flush included, leaves other
// tables byte for byte as they were, and BaseChains reads them.
func TestNATIsolation(t *testing.T) {
	sandbox.Require(t)
	ns := newNS(t)
	loadForeign(t, ns)
	before := foreignSnapshot(t, ns)
	c := dialIn(t, ns)
	check := func(step string) {
		t.Helper()
		if after := foreignSnapshot(t, ns); after != before {
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
