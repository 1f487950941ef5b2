package nft

import (
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// TestCommitListedByNFT: a table, a base chain and a commented rule made
// by hand-built expressions are what nft lists.
func TestCommitListedByNFT(t *testing.T) {
	sandbox.Require(t)
	ns := newNS(t)
	c := dialIn(t, ns)
	tx := c.Begin()
	tx.AddTable(&Table{Family: FamilyINet, Name: "x"})
	accept := PolicyAccept
	tx.AddChain(&Chain{Family: FamilyINet, Table: "x", Name: "post", Type: "nat",
		Hook: &ChainHook{Num: HookPostrouting, Priority: 100}, Policy: &accept})
	tx.AddRule(&Rule{Family: FamilyINet, Table: "x", Chain: "post", Comment: "hello",
		Exprs: []Expr{&Meta{Key: unix.NFT_META_NFPROTO, Reg: 1}, &Cmp{Op: unix.NFT_CMP_EQ, Reg: 1, Data: []byte{2}}, &Counter{}, &Masq{}}})
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	out := runIn(t, ns, "nft", "list", "ruleset")
	if !strings.Contains(out, `meta nfproto ipv4 counter packets 0 bytes 0 masquerade comment "hello"`) {
		t.Fatalf("rule not listed as nft would write it:\n%s", out)
	}
}
