package rtnl_test

import (
	"fmt"
	"log"
	"net/netip"
	"os"

	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// A veth pair whose peer is born in another namespace, with the host end
// already up and enslaved to a bridge: one RTM_NEWLINK.
func ExampleConn_LinkAdd() {
	red, err := os.Open("/run/netns/red")
	if err != nil {
		log.Fatal(err)
	}
	defer red.Close()
	c, err := rtnl.Dial(nil) // the calling thread's namespace
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	br, err := c.LinkByName("br0")
	if err != nil {
		log.Fatal(err)
	}
	err = c.LinkAdd(&rtnl.Link{
		Name: "veth-red", Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: uint32(br.Index),
		Info: &rtnl.Veth{Peer: rtnl.Link{Name: "eth0", NetNS: red}},
	})
	if err != nil {
		log.Fatal(err) // e.g. "link add veth-red: file exists"
	}
}

// Bringing a namespace's side up in one write: lo, the interface, its
// address and the default route.
func ExampleBatch() {
	red, err := os.Open("/run/netns/red")
	if err != nil {
		log.Fatal(err)
	}
	defer red.Close()
	c, err := rtnl.Dial(red) // the socket lives in red; no setns per request
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	eth0, err := c.LinkByName("eth0")
	if err != nil {
		log.Fatal(err)
	}
	b := c.Batch()
	b.LinkSet(&rtnl.Link{Name: "lo", Flags: unix.IFF_UP, Change: unix.IFF_UP})
	b.LinkSet(&rtnl.Link{Index: eth0.Index, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	b.AddrAdd(&rtnl.Addr{Index: eth0.Index, Local: netip.MustParseAddr("192.168.15.2"), PrefixLen: 24})
	b.RouteAdd(&rtnl.Route{Gateway: netip.MustParseAddr("192.168.15.1")})
	if err := b.Flush(); err != nil {
		log.Fatal(err) // one *rtnl.OpError per failed request
	}
}

func ExampleOperState_String() {
	fmt.Println(rtnl.OperUp, rtnl.OperLowerLayerDown, rtnl.OperState(7))
	// Output: UP LOWERLAYERDOWN 0x7
}
