package nft_test

import (
	"errors"
	"fmt"
	"log"
	"net/netip"
	"strings"

	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// The seed's NAT: masquerade the bridge's network, publish blue's web
// server on the host's port 8080. Needs root (no Output: it is compiled,
// not run).
func ExampleConn_NATAdd() {
	c, err := nft.Dial(nil) // the calling thread's network namespace
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for _, r := range []nft.NATRule{
		nft.Masquerade{Src: netip.MustParsePrefix("192.168.15.0/24")},
		nft.Forward{Proto: "tcp", Port: 8080, To: netip.MustParseAddrPort("192.168.15.2:80")},
	} {
		added, err := c.NATAdd(r)
		switch {
		case err != nil:
			log.Fatal(err)
		case !added:
			fmt.Println(r, "(no change)")
		}
	}
	entries, err := c.NATList()
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Printf("%s packets %d bytes %d\n", e.Comment, e.Packets, e.Bytes)
	}
	if err := c.NATDel(nft.Masquerade{Src: netip.MustParsePrefix("10.0.0.0/8")}); errors.Is(err, nft.ErrNotFound) {
		fmt.Println(err) // nat del masquerade 10.0.0.0/8: no such nat rule
	}
}

// ParseNAT reads the command line's words; String is the canonical form
// that is also the rules' comment.
func ExampleParseNAT() {
	r, err := nft.ParseNAT(strings.Fields("masquerade 192.168.15.7/24 oif eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r)
	r, err = nft.ParseNAT(strings.Fields("forward udp 5353 [fd00::2]:53 iif eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r)
	_, err = nft.ParseNAT(strings.Fields("forward sctp 80 192.168.15.2:80"))
	fmt.Println(err)
	// Output:
	// masquerade 192.168.15.0/24 oif eth0
	// forward udp 5353 [fd00::2]:53 iif eth0
	// forward: protocol "sctp" is not tcp or udp
}

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
