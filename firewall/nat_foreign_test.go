package firewall

import (
	"errors"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// foreignNsnet is somebody else's content in a table named inet nsnet:
// a chain of their own, a set, and a rule without comment in a chain that
// has the name and hook of one of nsnet's.
const foreignNsnet = `table inet nsnet {
	set blocked { type ipv4_addr; elements = { 10.66.0.1 } }
	chain theirs { counter; }
	chain postrouting { type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.77.0.0/16 counter masquerade
	}
}
`

// TestNATKeepsForeignContentOfItsTable is issue 9 M4: Del and Flush (what
// `nat del`, `nat flush` and `down` run) delete only what nsnet made, and
// the table only when it holds nothing else. Before the fix, deleting the
// last nsnet rule of a table without other rules deleted the table whole.
func TestNATKeepsForeignContentOfItsTable(t *testing.T) {
	sandbox.Require(t)
	ns := newNS(t)
	if out, err := tryInStdin(ns, foreignNsnet, "nft", "-f", "-"); err != nil {
		t.Fatalf("nft -f: %v\n%s", err, out)
	}
	c := dialIn(t, ns)
	fwd := mustParseNAT(t, "forward tcp 8080 192.168.15.2:80")
	// The audit's reproducer: nsnet's rules are all the rules of the
	// table, which also holds a set and an empty chain of somebody's.
	runIn(t, ns, "nft", "flush", "chain", "inet", "nsnet", "theirs")
	runIn(t, ns, "nft", "flush", "chain", "inet", "nsnet", "postrouting")
	if _, err := c.Add(fwd); err != nil {
		t.Fatal(err)
	}
	if err := c.Del(fwd); err != nil {
		t.Fatal(err)
	}
	if out := runIn(t, ns, "nft", "list", "table", "inet", "nsnet"); !strings.Contains(out, "set blocked") || !strings.Contains(out, "chain theirs") {
		t.Fatalf("Del of nsnet's last rule deleted somebody's set or chain:\n%s", out)
	}
	runIn(t, ns, "nft", "add rule inet nsnet theirs counter; add chain inet nsnet postrouting { type nat hook postrouting priority srcnat; policy accept; }; add rule inet nsnet postrouting ip saddr 10.77.0.0/16 counter masquerade")
	if _, err := c.Add(fwd); err != nil {
		t.Fatal(err)
	}
	// nat show: the foreign rule is its own entry, marked, never a blank
	// nsnet rule (issue 9 L6).
	list, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	var foreign, ours int
	for _, e := range list {
		switch {
		case e.Foreign && e.Rule == nil && e.Comment == "" && len(e.Chains) == 1:
			foreign++
		case !e.Foreign && e.Rule != nil && e.Comment == fwd.String():
			ours++
		default:
			t.Errorf("unexpected entry %+v", e)
		}
	}
	if foreign != 2 || ours != 1 {
		t.Fatalf("List: %d foreign and %d nsnet entries, want 2 (one per foreign rule) and 1: %+v", foreign, ours, list)
	}
	if err := c.Del(fwd); err != nil {
		t.Fatal(err)
	}
	out := runIn(t, ns, "nft", "list", "table", "inet", "nsnet")
	for _, want := range []string{"set blocked", "10.66.0.1", "chain theirs", "chain postrouting", "ip saddr 10.77.0.0/16 counter packets 0 bytes 0 masquerade"} {
		if !strings.Contains(out, want) {
			t.Errorf("after Del, table inet nsnet lost %q:\n%s", want, out)
		}
	}
	for _, gone := range []string{"chain prerouting", "chain output", "8080"} {
		if strings.Contains(out, gone) {
			t.Errorf("after Del, nsnet's %q is still there:\n%s", gone, out)
		}
	}
	// Flush names what it keeps, and keeps it.
	if _, err := c.Add(fwd); err != nil {
		t.Fatal(err)
	}
	kept, err := c.Flush()
	if err != nil {
		t.Fatal(err)
	}
	if k := strings.Join(kept, "; "); !strings.Contains(k, "chain theirs") || !strings.Contains(k, "not nsnet's") || !strings.Contains(k, "1 sets") {
		t.Errorf("Flush kept %q; want the foreign rule, chain theirs and the set named", k)
	}
	if out2 := runIn(t, ns, "nft", "list", "table", "inet", "nsnet"); out2 != out {
		t.Errorf("Flush changed what is not nsnet's:\nbefore:\n%s\nafter:\n%s", out, out2)
	}
	// When only nsnet's content is left, the table goes.
	runIn(t, ns, "nft", "delete", "table", "inet", "nsnet")
	if _, err := c.Add(fwd); err != nil {
		t.Fatal(err)
	}
	if err := c.Del(fwd); err != nil {
		t.Fatal(err)
	}
	if out := runIn(t, ns, "nft", "list", "ruleset"); strings.TrimSpace(out) != "" {
		t.Errorf("table inet nsnet of nsnet's alone is still there after its last Del:\n%s", out)
	}
}

// TestNATChainConflict: a foreign chain named like one of nsnet's but of
// another type makes Add fail, saying so, and changes nothing.
func TestNATChainConflict(t *testing.T) {
	sandbox.Require(t)
	ns := newNS(t)
	runIn(t, ns, "nft", "add table inet nsnet; add chain inet nsnet postrouting { type filter hook forward priority 0; }")
	before := runIn(t, ns, "nft", "list", "ruleset")
	c := dialIn(t, ns)
	_, err := c.Add(mustParseNAT(t, "masquerade 10.0.0.0/8"))
	var ce *ChainConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("Add = %v, want a *ChainConflictError", err)
	}
	if want := "chain inet nsnet postrouting is type filter hook forward priority 0, not nsnet's type nat hook postrouting priority 100"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if after := runIn(t, ns, "nft", "list", "ruleset"); after != before {
		t.Errorf("a refused Add changed the ruleset:\n%s", after)
	}
	kept, err := c.Flush()
	if err != nil || !strings.Contains(strings.Join(kept, ";"), "is type filter hook forward") {
		t.Errorf("Flush = %q, %v; want the conflicting chain named as kept", kept, err)
	}
	if after := runIn(t, ns, "nft", "list", "ruleset"); after != before {
		t.Errorf("Flush deleted the foreign chain:\n%s", after)
	}
}
