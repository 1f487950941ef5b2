package firewall_test

import (
	"errors"
	"fmt"
	"log"
	"net/netip"
	"strings"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/nft"
)

// The seed's NAT: masquerade the bridge's network, publish blue's web
// server on the host's port 8080. Needs root (no Output: it is compiled,
// not run).
func ExampleNAT_Add() {
	c, err := nft.Dial(nil) // the calling thread's network namespace
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	nat := firewall.NewNAT(c)
	for _, r := range []firewall.NATRule{
		firewall.Masquerade{Src: netip.MustParsePrefix("192.168.15.0/24")},
		firewall.Forward{Proto: "tcp", Port: 8080, To: netip.MustParseAddrPort("192.168.15.2:80")},
	} {
		added, err := nat.Add(r)
		switch {
		case err != nil:
			log.Fatal(err)
		case !added:
			fmt.Println(r, "(no change)")
		}
	}
	entries, err := nat.List()
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Printf("%s packets %d bytes %d\n", e.Comment, e.Packets, e.Bytes)
	}
	if err := nat.Del(firewall.Masquerade{Src: netip.MustParsePrefix("10.0.0.0/8")}); errors.Is(err, firewall.ErrNotFound) {
		fmt.Println(err) // nat del masquerade 10.0.0.0/8: no such nat rule
	}
}

// ParseNAT reads the command line's words; String is the canonical form
// that is also the rules' comment.
func ExampleParseNAT() {
	r, err := firewall.ParseNAT(strings.Fields("masquerade 192.168.15.7/24 oif eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r)
	r, err = firewall.ParseNAT(strings.Fields("forward udp 5353 [fd00::2]:53 iif eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r)
	_, err = firewall.ParseNAT(strings.Fields("forward sctp 80 192.168.15.2:80"))
	fmt.Println(err)
	// Output:
	// masquerade 192.168.15.0/24 oif eth0
	// forward udp 5353 [fd00::2]:53 iif eth0
	// forward: protocol "sctp" is not tcp or udp
}
