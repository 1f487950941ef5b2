package topo

import (
	"errors"
	"slices"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// TestAddUpLeavesAnExistingLinkAlone: when the name is taken, addUp fails
// with EEXIST, reports nothing created, and the link that was there keeps
// its state (down, IPv6 address generation unchanged): the follow-up
// requests by name must never reach it.
func TestAddUpLeavesAnExistingLinkAlone(t *testing.T) {
	sandbox.Require(t)
	sandbox.Run(t, "ip", "link", "add", "addup-x", "type", "bridge")
	defer sandbox.Run(t, "ip", "link", "del", "addup-x")
	c, err := rtnl.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	created, err := addUp(c, &rtnl.Link{Name: "addup-x", Info: &rtnl.Bridge{}}, true)
	if created != nil || !errors.Is(err, unix.EEXIST) {
		t.Fatalf("addUp on a taken name = created %v, %v; want false, EEXIST", created, err)
	}
	l := sandbox.IPJSON(t, "-d", "link", "show", "dev", "addup-x")[0]
	if flags, _ := l["flags"].([]any); slices.Contains(flags, any("UP")) {
		t.Errorf("the existing link was brought up: %v", flags)
	}
	if m := l["inet6_addr_gen_mode"]; m == "none" {
		t.Errorf("the existing link's addrgenmode was changed to %v", m)
	}

	created, err = addUp(c, &rtnl.Link{Name: "addup-y", Info: &rtnl.Bridge{}}, true)
	if created == nil || err != nil {
		t.Fatalf("addUp of a new bridge = created %v, %v", created, err)
	}
	defer sandbox.Run(t, "ip", "link", "del", "addup-y")
	l = sandbox.IPJSON(t, "-d", "link", "show", "dev", "addup-y")[0]
	if flags, _ := l["flags"].([]any); !slices.Contains(flags, any("UP")) || l["inet6_addr_gen_mode"] != "none" {
		t.Errorf("new bridge: flags %v, addrgenmode %v; want UP and none", l["flags"], l["inet6_addr_gen_mode"])
	}
}
