package nft

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nsnet/nsnet/internal/golden"
	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// dumpForward is the NAT rule whose kernel dump is recorded in
// testdata/dump_*.hex.
const dumpForward = "forward tcp 8080 192.168.15.2:80 hairpin 192.168.15.0/24"

// TestKernelDumps decodes replies recorded from the kernel (6.18) after
// NATAdd of dumpForward and of a masquerade, in a namespace that also held
// the foreign ruleset: the decoders' real oracle. With -update, as root,
// it records them again.
func TestKernelDumps(t *testing.T) {
	if golden.Update() && sandbox.Inside() {
		recordDumps(t)
	}
	var tables []Table
	for _, g := range golden.Glob(t, "testdata/dump_table_*.hex") {
		b := g.Bytes
		var tb Table
		if err := tb.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	if len(tables) != 1 || tables[0].Family != FamilyINet || tables[0].Name != NATTable || tables[0].Use != 3 {
		t.Errorf("tables: %+v, want inet nsnet using 3 chains", tables)
	}
	var skel []Chain
	tx := (&Conn{}).Begin()
	natSkeleton(tx)
	for _, m := range tx.msgs[1:] {
		var ch Chain
		if err := ch.UnmarshalBinary(m.body); err != nil {
			t.Fatal(err)
		}
		skel = append(skel, ch)
	}
	for i, g := range golden.Glob(t, "testdata/dump_chain_*.hex") {
		b := g.Bytes
		var ch Chain
		if err := ch.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if ch.Handle == 0 || ch.Flags != 1 { // NFT_CHAIN_BASE
			t.Errorf("chain %s: handle %d flags %#x; the kernel sets both", ch.Name, ch.Handle, ch.Flags)
		}
		ch.Handle, ch.Flags, ch.Use = 0, 0, 0
		if d := cmp.Diff(skel[i], ch); d != "" {
			t.Errorf("dumped chain %d (-sent +dumped):\n%s", i, d)
		}
	}
	var want []Rule
	for _, s := range []string{"masquerade 192.168.15.0/24 oif eth0", dumpForward} {
		want = append(want, mustParseNAT(t, s).rules()...)
	}
	var got []Rule
	for _, g := range golden.Glob(t, "testdata/dump_rule_*.hex") {
		b := g.Bytes
		var r Rule
		if err := r.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if r.Handle == 0 {
			t.Errorf("dumped rule without handle: %+v", r)
		}
		got = append(got, r)
	}
	if !sameRules(got, want) {
		t.Errorf("dumped rules are not what NATAdd sent:\n%s", cmp.Diff(want, got))
	}
}

func recordDumps(t *testing.T) {
	ns := newNS(t)
	loadForeign(t, ns)
	c := dialIn(t, ns)
	for _, s := range []string{"masquerade 192.168.15.0/24 oif eth0", dumpForward} {
		if _, err := c.NATAdd(mustParseNAT(t, s)); err != nil {
			t.Fatal(err)
		}
	}
	old, _ := filepath.Glob("testdata/dump_*.hex")
	for _, p := range old {
		if err := removeFile(p); err != nil {
			t.Fatal(err)
		}
	}
	rec := func(prefix string, typ uint16, body []byte, keep func([]byte) bool) {
		bodies, err := c.dump("record", typ, body)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, b := range bodies {
			if !keep(b) {
				continue
			}
			golden.Check(t, fmt.Sprintf("testdata/dump_%s_%d.hex", prefix, n), "reply to an NFT_MSG_GET dump recorded from kernel 6.18 (go test ./nft -run KernelDumps -update, as root): "+prefix, b)
			n++
		}
	}
	ours := func(b []byte) bool { return len(b) > 0 && Family(b[0]) == FamilyINet && containsName(b, NATTable) }
	rec("table", unix.NFT_MSG_GETTABLE, nfgenmsg(FamilyINet, 0), ours)
	rec("chain", unix.NFT_MSG_GETCHAIN, nfgenmsg(FamilyINet, 0), ours)
	filter, err := (&Rule{Family: FamilyINet, Table: NATTable}).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	rec("rule", unix.NFT_MSG_GETRULE, filter, func([]byte) bool { return true })
}
