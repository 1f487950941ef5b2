package nft

import (
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

func TestSmokeCommit(t *testing.T) {
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
	t.Log(out)
	if !strings.Contains(out, `meta nfproto ipv4 counter packets 0 bytes 0 masquerade comment "hello"`) {
		t.Fatal("rule not listed")
	}
	tx = c.Begin()
	tx.AddRule(&Rule{Family: FamilyINet, Table: "x", Chain: "post", Exprs: []Expr{&Masq{}}})
	tx.AddRule(&Rule{Family: FamilyINet, Table: "x", Chain: "nope", Exprs: []Expr{&Masq{}}})
	tx.AddRule(&Rule{Family: FamilyINet, Table: "x", Chain: "post", Exprs: []Expr{&Masq{}}})
	err := tx.Commit()
	t.Log(err)
	rs, err2 := c.Rules(FamilyINet, "x", "")
	t.Logf("%d rules %v %+v", len(rs), err2, rs)
}
