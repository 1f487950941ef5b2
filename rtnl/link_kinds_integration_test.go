package rtnl

import (
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// TestIntegrationLinkKinds creates the kinds this kernel has through
// rtnl, checks that ip -d -j reads back what was asked, that rtnl decodes
// what the kernel reports, and deletes them.
func TestIntegrationLinkKinds(t *testing.T) {
	ns := newTestNS(t, "rtnl-kinds")
	if err := ns.c.LinkAdd(&Link{Name: "v0", Info: &Veth{Peer: Link{Name: "v1"}}}); err != nil {
		t.Fatal(err)
	}
	v0 := ns.link(t, "v0")
	for _, l := range []*Link{
		{Name: "vx0", Info: &Vxlan{ID: 42, Port: 4789, Link: uint32(v0.Index), TTL: ptr[uint8](10), Learning: ptr(false),
			Local: netip.MustParseAddr("10.0.0.1"), Group: netip.MustParseAddr("10.0.0.2")}},
		{Name: "vx6", Info: &Vxlan{ID: 44, Port: 4789, UDPCsum: ptr(false), Learning: ptr(true),
			Local: netip.MustParseAddr("2001:db8::1"), Group: netip.MustParseAddr("2001:db8::2")}},
		{Name: "mv0", ParentIndex: v0.Index, Info: &Macvlan{Mode: MacvlanBridge}},
		{Name: "mt0", ParentIndex: v0.Index, Info: &Macvtap{Macvlan{Mode: MacvlanVEPA}}},
		{Name: "ifb0", Info: &Ifb{}},
	} {
		if err := ns.c.LinkAdd(l); err != nil {
			t.Fatalf("LinkAdd %s: %v", l.Name, err)
		}
	}
	data := func(name string) map[string]any {
		j := one(t, ns.ip(t, "-d", "link", "show", "dev", name))
		li, _ := j["linkinfo"].(map[string]any)
		d, _ := li["info_data"].(map[string]any)
		if d == nil {
			d = map[string]any{}
		}
		d["kind"] = li["info_kind"]
		return d
	}
	if d := data("vx0"); d["kind"] != "vxlan" || d["id"] != 42.0 || d["port"] != 4789.0 || d["ttl"] != 10.0 || d["learning"] != false ||
		d["local"] != "10.0.0.1" || d["remote"] != "10.0.0.2" || d["link"] != "v0" {
		t.Errorf("vx0 as ip sees it: %v", d)
	}
	if d := data("vx6"); d["local6"] != "2001:db8::1" || d["remote6"] != "2001:db8::2" || d["udp_csum"] != false {
		t.Errorf("vx6 as ip sees it: %v", d)
	}
	if d := data("mv0"); d["kind"] != "macvlan" || d["mode"] != "bridge" {
		t.Errorf("mv0 as ip sees it: %v", d)
	}
	if d := data("mt0"); d["kind"] != "macvtap" || d["mode"] != "vepa" {
		t.Errorf("mt0 as ip sees it: %v", d)
	}
	if d := data("ifb0"); d["kind"] != "ifb" {
		t.Errorf("ifb0 as ip sees it: %v", d)
	}
	// What ip makes, rtnl decodes. (Not "ageing 0": on 6.18 a vxlan
	// created with IFLA_VXLAN_AGEING 0 reports 300, the default.)
	ns.run(t, "link", "add", "vx9", "type", "vxlan", "id", "9", "group", "239.1.1.9", "dev", "v0", "dstport", "4789", "ageing", "200", "noudpcsum")
	vx, ok := ns.link(t, "vx9").Info.(*Vxlan)
	if !ok || vx.ID != 9 || vx.Group != netip.MustParseAddr("239.1.1.9") || vx.Ageing == nil || *vx.Ageing != 200 ||
		vx.UDPCsum == nil || *vx.UDPCsum || vx.Link != uint32(v0.Index) {
		t.Errorf("vx9 decoded as %+v", vx)
	}
	for _, name := range []string{"vx0", "vx6", "vx9", "mv0", "mt0", "ifb0"} {
		if err := ns.c.LinkDel(ns.link(t, name).Index); err != nil {
			t.Errorf("LinkDel %s: %v", name, err)
		}
	}
	// The kinds this kernel lacks are refused with EOPNOTSUPP and the
	// kernel's extended ACK ("Unknown device type"), as ip reports.
	for _, l := range []*Link{{Name: "d0", Info: &Dummy{}}, {Name: "vrf0", Info: &Vrf{Table: 10}},
		{Name: "v0.5", ParentIndex: v0.Index, Info: &Vlan{ID: 5}}} {
		err := ns.c.LinkAdd(l)
		var oe *OpError
		if !errors.Is(err, unix.EOPNOTSUPP) || !errors.As(err, &oe) || oe.Hint != "Unknown device type" {
			t.Errorf("LinkAdd %s on a kernel without it: %v", l.Kind(), err)
		}
	}
}
