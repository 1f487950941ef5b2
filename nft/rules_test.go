package nft

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// Test rules built from the codec's pieces alone. nsnet's own rules (what
// table inet nsnet holds and why) live in package firewall; these are the
// same messages, written out by hand, so that nft's tests need no policy.

const (
	testTable = "nsnet"       // table inet nsnet, as firewall makes it
	testPost  = "postrouting" // its type nat hook postrouting chain
)

func testTableINet() *Table { return &Table{Family: FamilyINet, Name: testTable} }

// testSkeleton adds table inet nsnet and its three nat base chains, as
// `nft add table inet nsnet; nft add chain ... { type nat hook ... }`.
func testSkeleton(tx *Tx) {
	tx.AddTable(testTableINet())
	for _, ch := range []struct {
		name string
		hook Hook
		prio int32
	}{
		{"prerouting", HookPrerouting, -100},
		{"output", HookOutput, -100},
		{testPost, HookPostrouting, 100},
	} {
		tx.AddChain(&Chain{Family: FamilyINet, Table: testTable, Name: ch.name, Type: "nat",
			Hook: &ChainHook{Num: ch.hook, Priority: ch.prio}, Policy: policy(PolicyAccept)})
	}
}

// testMasq is `ip saddr SRC counter masquerade comment "masquerade SRC"`
// in inet nsnet postrouting, for a byte-aligned IPv4 prefix:
//
//	[ meta load nfproto => reg 1 ]
//	[ cmp eq reg 1 0x00000002 ]
//	[ payload load Nb @ network header + 12 => reg 1 ]
//	[ cmp eq reg 1 ... ]
//	[ counter pkts 0 bytes 0 ]
//	[ masq ]
func testMasq(src string) Rule {
	p := netip.MustParsePrefix(src).Masked()
	n := p.Bits() / 8
	return Rule{Family: FamilyINet, Table: testTable, Chain: testPost, Comment: "masquerade " + p.String(), Exprs: []Expr{
		&Meta{Key: MetaNfproto, Reg: unix.NFT_REG_1},
		&Cmp{Op: CmpEq, Reg: unix.NFT_REG_1, Data: []byte{unix.NFPROTO_IPV4}},
		&Payload{Base: unix.NFT_PAYLOAD_NETWORK_HEADER, Offset: 12, Len: uint32(n), Reg: unix.NFT_REG_1},
		&Cmp{Op: CmpEq, Reg: unix.NFT_REG_1, Data: p.Addr().AsSlice()[:n]},
		&Counter{},
		&Masq{},
	}}
}

// testFlush deletes table inet nsnet.
func testFlush(c *Conn) error {
	tx := c.Begin()
	tx.DelTable(testTableINet())
	return tx.Commit()
}
