package firewall

import (
	"fmt"
	"github.com/nsnet/nsnet/nft"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/nsnet/nsnet/internal/golden"
	"github.com/nsnet/nsnet/internal/nfttest"
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
	var tables []nft.Table
	for _, g := range golden.Glob(t, "testdata/dump_table_*.hex") {
		b := g.Bytes
		var tb nft.Table
		if err := tb.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	if len(tables) != 1 || tables[0].Family != nft.FamilyINet || tables[0].Name != NATTable || tables[0].Use != 3 {
		t.Errorf("tables: %+v, want inet nsnet using 3 chains", tables)
	}
	var skel []nft.Chain
	for _, ch := range natChains() {
		skel = append(skel, *ch)
	}
	for i, g := range golden.Glob(t, "testdata/dump_chain_*.hex") {
		b := g.Bytes
		var ch nft.Chain
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
	var want []nft.Rule
	for _, s := range []string{"masquerade 192.168.15.0/24 oif eth0", dumpForward} {
		want = append(want, mustParseNAT(t, s).rules()...)
	}
	var got []nft.Rule
	for _, g := range golden.Glob(t, "testdata/dump_rule_*.hex") {
		b := g.Bytes
		var r nft.Rule
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
	nfttest.LoadForeign(t, ns)
	c := dialIn(t, ns)
	for _, s := range []string{"masquerade 192.168.15.0/24 oif eth0", dumpForward} {
		if _, err := c.Add(mustParseNAT(t, s)); err != nil {
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
		var bodies [][]byte
		err := doIn(ns, func() error {
			nl, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
			if err != nil {
				return err
			}
			defer nl.Close()
			msgs, err := nl.Execute(netlink.Message{
				Header: netlink.Header{Type: netlink.HeaderType(unix.NFNL_SUBSYS_NFTABLES<<8 | typ), Flags: netlink.Request | netlink.Dump},
				Data:   body,
			})
			for _, m := range msgs {
				bodies = append(bodies, m.Data)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, b := range bodies {
			if !keep(b) {
				continue
			}
			golden.Check(t, fmt.Sprintf("testdata/dump_%s_%d.hex", prefix, n), "reply to an NFT_MSG_GET dump recorded from kernel 6.18 (go test ./firewall -run KernelDumps -update, as root): "+prefix, b)
			n++
		}
	}
	ours := func(b []byte) bool {
		return len(b) > 0 && nft.Family(b[0]) == nft.FamilyINet && containsName(b, NATTable)
	}
	inet := []byte{byte(nft.FamilyINet), unix.NFNETLINK_V0, 0, 0} // struct nfgenmsg
	rec("table", unix.NFT_MSG_GETTABLE, inet, ours)
	rec("chain", unix.NFT_MSG_GETCHAIN, inet, ours)
	filter, err := (&nft.Rule{Family: nft.FamilyINet, Table: NATTable}).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	rec("rule", unix.NFT_MSG_GETRULE, filter, func([]byte) bool { return true })
}
