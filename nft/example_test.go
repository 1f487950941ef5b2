package nft_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// A transaction is applied whole or not at all; the error names the
// message the kernel refused.
func ExampleTx() {
	c, err := nft.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	tx := c.Begin()
	tx.AddTable(&nft.Table{Family: nft.FamilyINet, Name: "demo"})
	tx.AddRule(&nft.Rule{Family: nft.FamilyINet, Table: "demo", Chain: "missing",
		Exprs: []nft.Expr{&nft.Counter{}}})
	if err := tx.Commit(); errors.Is(err, unix.ENOENT) {
		fmt.Println(err) // rule add inet demo missing: no such file or directory; table demo was not created
	}
}

// The doctor's question: does another table drop forwarded packets?
func ExampleConn_BaseChains() {
	c, err := nft.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	chains, err := c.BaseChains()
	if err != nil {
		log.Fatal(err)
	}
	for _, ch := range chains {
		if ch.Hook.Num == nft.HookForward && ch.Policy != nil && *ch.Policy == nft.PolicyDrop {
			fmt.Printf("%s: type %s hook %s priority %d policy %s\n", ch.String(), ch.Type, ch.Hook.Num, ch.Hook.Priority, *ch.Policy)
		}
	}
}
