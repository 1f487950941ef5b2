package main

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/rtnl"
)

// The expected texts below were printed by the real iproute2 6.1 (`ip`,
// `ip -j`) for the seed's state, in a private namespace; the fixtures are
// the same links, addresses, routes and neighbours as rtnl decodes them
// (MAC addresses copied from that run). nsnet must print the same bytes.

// kernelLink sets what a kernel dump carries for every link and iproute2
// prints: the qdisc, linkmode DEFAULT, group default.
func kernelLink(l rtnl.Link, qdisc string) rtnl.Link {
	l.Qdisc, l.HasLinkMode, l.HasGroup = qdisc, true, true
	return l
}

func hw(s string) []byte { return mac(s) }

// hostLinks is `ip link` of the host: lo, a bridge without ports up, and
// a veth pair with one end enslaved.
func hostLinks() []rtnl.Link {
	return []rtnl.Link{
		kernelLink(rtnl.Link{Index: 1, Type: 772, Flags: rtnl.LinkLoopback | rtnl.LinkUp | rtnl.LinkLowerUp | rtnl.LinkRunning, Name: "lo", MTU: 65536, TxQLen: 1000,
			Address: hw("00:00:00:00:00:00"), Broadcast: hw("00:00:00:00:00:00"), OperState: rtnl.OperUnknown}, "noqueue"),
		kernelLink(rtnl.Link{Index: 4, Type: 1, Flags: rtnl.LinkBroadcast | rtnl.LinkMulticast | rtnl.LinkUp, Name: "v-net-0", MTU: 1500, TxQLen: 1000,
			Address: hw("6e:ab:5e:81:99:b2"), Broadcast: hw("ff:ff:ff:ff:ff:ff"), OperState: rtnl.OperDown, Info: &rtnl.Bridge{}}, "noqueue"),
		kernelLink(rtnl.Link{Index: 5, Type: 1, Flags: rtnl.LinkBroadcast | rtnl.LinkMulticast, Name: "veth-x-br", MTU: 1500, TxQLen: 1000, Master: 4, ParentIndex: 6,
			Address: hw("6e:ab:5e:81:99:b2"), Broadcast: hw("ff:ff:ff:ff:ff:ff"), OperState: rtnl.OperDown, Info: &rtnl.Veth{}, SlaveKind: "bridge"}, "noop"),
		kernelLink(rtnl.Link{Index: 6, Type: 1, Flags: rtnl.LinkBroadcast | rtnl.LinkMulticast, Name: "veth-x", MTU: 1500, TxQLen: 1000, ParentIndex: 5,
			Address: hw("66:46:1a:73:d1:31"), Broadcast: hw("ff:ff:ff:ff:ff:ff"), OperState: rtnl.OperDown, Info: &rtnl.Veth{}}, "noop"),
	}
}

// redLinks is `ip -n red link`: lo down, and veth-red whose peer is in
// blue (nsid 1).
func redLinks() []rtnl.Link {
	return []rtnl.Link{
		kernelLink(rtnl.Link{Index: 1, Type: 772, Flags: rtnl.LinkLoopback, Name: "lo", MTU: 65536, TxQLen: 1000,
			Address: hw("00:00:00:00:00:00"), Broadcast: hw("00:00:00:00:00:00"), OperState: rtnl.OperDown}, "noop"),
		kernelLink(rtnl.Link{Index: 3, Type: 1, Flags: rtnl.LinkBroadcast | rtnl.LinkMulticast | rtnl.LinkUp | rtnl.LinkLowerUp | rtnl.LinkRunning, Name: "veth-red", MTU: 1500, TxQLen: 1000,
			ParentIndex: 2, HasLinkNetNSID: true, LinkNetNSID: 1,
			Address: hw("56:e8:b8:7d:02:dc"), Broadcast: hw("ff:ff:ff:ff:ff:ff"), OperState: rtnl.OperUp, Info: &rtnl.Veth{}}, "noqueue"),
	}
}

func redAddrs() []rtnl.Addr {
	a := netip.MustParseAddr
	return []rtnl.Addr{
		{Family: rtnl.FamilyInet, PrefixLen: 24, Flags: rtnl.AddrPermanent, Index: 3, Local: a("192.168.15.1"), Address: a("192.168.15.1"),
			Label: "veth-red", ValidLft: rtnl.Forever, PreferredLft: rtnl.Forever},
		{Family: rtnl.FamilyInet6, PrefixLen: 64, Flags: rtnl.AddrPermanent | 0x40, Scope: rtnl.ScopeLink, Index: 3, Address: a("fe80::54e8:b8ff:fe7d:2dc"),
			ValidLft: rtnl.Forever, PreferredLft: rtnl.Forever},
	}
}

func blueRoutes() []rtnl.Route {
	a := netip.MustParseAddr
	return []rtnl.Route{
		{Family: rtnl.FamilyInet, Table: rtnl.TableMain, Protocol: rtnl.ProtoBoot, Type: rtnl.RouteUnicast, Gateway: a("192.168.15.5"), OutIndex: 2},
		{Family: rtnl.FamilyInet, DstLen: 8, Dst: a("10.0.0.0"), Table: rtnl.TableMain, Protocol: rtnl.ProtoBoot, Type: rtnl.RouteUnicast, Gateway: a("192.168.15.1"), OutIndex: 2, Priority: 5},
		{Family: rtnl.FamilyInet, DstLen: 24, Dst: a("192.168.15.0"), Table: rtnl.TableMain, Protocol: rtnl.ProtoKernel, Scope: rtnl.ScopeLink, Type: rtnl.RouteUnicast, PrefSrc: a("192.168.15.2"), OutIndex: 2},
		{Family: rtnl.FamilyInet, DstLen: 24, Dst: a("192.168.16.0"), Table: rtnl.TableMain, Protocol: rtnl.ProtoKernel, Scope: rtnl.ScopeLink, Type: rtnl.RouteUnicast, PrefSrc: a("192.168.16.5"), OutIndex: 2, Flags: 0x10},
	}
}

func blueSet() *linkSet {
	return newLinkSet([]rtnl.Link{{Index: 2, Name: "veth-blue"}}, nil)
}

func nsNamesFixture(id int32) string {
	if id == 1 {
		return "blue"
	}
	return ""
}

func TestLinkText(t *testing.T) {
	const wantHost = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
4: v-net-0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000
    link/ether 6e:ab:5e:81:99:b2 brd ff:ff:ff:ff:ff:ff
5: veth-x-br@veth-x: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop master v-net-0 state DOWN mode DEFAULT group default qlen 1000
    link/ether 6e:ab:5e:81:99:b2 brd ff:ff:ff:ff:ff:ff
6: veth-x@veth-x-br: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether 66:46:1a:73:d1:31 brd ff:ff:ff:ff:ff:ff
`
	const wantRed = `1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
3: veth-red@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether 56:e8:b8:7d:02:dc brd ff:ff:ff:ff:ff:ff link-netns blue
`
	for name, tt := range map[string]struct {
		links []rtnl.Link
		want  string
	}{"host": {hostLinks(), wantHost}, "red": {redLinks(), wantRed}} {
		set := newLinkSet(tt.links, nsNamesFixture)
		var b bytes.Buffer
		for i := range set.links {
			set.writeLinkText(&b, &set.links[i], linkStyle{mode: true, lladdr: true})
		}
		if b.String() != tt.want {
			t.Errorf("%s: ip link text differs from iproute2's\n got:\n%s\nwant:\n%s", name, b.String(), tt.want)
		}
	}
}

func TestLinkTextUnnamedNetnsid(t *testing.T) {
	set := newLinkSet(redLinks(), func(int32) string { return "" })
	var b bytes.Buffer
	set.writeLinkText(&b, &set.links[1], linkStyle{mode: true, lladdr: true})
	if !strings.HasSuffix(b.String(), " link-netnsid 1\n") {
		t.Errorf("a peer namespace without a name must print link-netnsid N, got %q", b.String())
	}
}

func TestLinkJSON(t *testing.T) {
	const want = `[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00"},{"ifindex":4,"ifname":"v-net-0","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"mtu":1500,"qdisc":"noqueue","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"6e:ab:5e:81:99:b2","broadcast":"ff:ff:ff:ff:ff:ff"},{"ifindex":5,"link":"veth-x","ifname":"veth-x-br","flags":["BROADCAST","MULTICAST","M-DOWN"],"mtu":1500,"qdisc":"noop","master":"v-net-0","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"6e:ab:5e:81:99:b2","broadcast":"ff:ff:ff:ff:ff:ff"},{"ifindex":6,"link":"veth-x-br","ifname":"veth-x","flags":["BROADCAST","MULTICAST","M-DOWN"],"mtu":1500,"qdisc":"noop","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"66:46:1a:73:d1:31","broadcast":"ff:ff:ff:ff:ff:ff"}]
`
	set := newLinkSet(hostLinks(), nsNamesFixture)
	var out []jobj
	for i := range set.links {
		out = append(out, set.linkJSON(&set.links[i], linkStyle{mode: true, lladdr: true}))
	}
	var b bytes.Buffer
	if err := writeJSON(&b, opts{}, out); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("ip -j link differs from iproute2's\n got: %s\nwant: %s", b.String(), want)
	}
}

func TestAddrTextAndJSON(t *testing.T) {
	const wantText = `3: veth-red@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    link/ether 56:e8:b8:7d:02:dc brd ff:ff:ff:ff:ff:ff link-netns blue
    inet 192.168.15.1/24 scope global veth-red
       valid_lft forever preferred_lft forever
    inet6 fe80::54e8:b8ff:fe7d:2dc/64 scope link tentative 
       valid_lft forever preferred_lft forever
`
	const wantJSON = `{"ifindex":3,"link_index":2,"ifname":"veth-red","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"56:e8:b8:7d:02:dc","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":1,"addr_info":[{"family":"inet","local":"192.168.15.1","prefixlen":24,"scope":"global","label":"veth-red","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"fe80::54e8:b8ff:fe7d:2dc","prefixlen":64,"scope":"link","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]}
`
	set := newLinkSet(redLinks(), nsNamesFixture)
	addrs := redAddrs()
	l := &set.links[1]
	st := linkStyle{lladdr: true}
	var b bytes.Buffer
	set.writeLinkText(&b, l, st)
	for i := range addrs {
		writeAddrText(&b, &addrs[i])
	}
	if b.String() != wantText {
		t.Errorf("ip addr text differs from iproute2's\n got:\n%s\nwant:\n%s", b.String(), wantText)
	}
	o := set.linkJSON(l, st)
	info := []jobj{addrJSON(&addrs[0]), addrJSON(&addrs[1])}
	o.add(jAddrInfo, info)
	b.Reset()
	if err := writeJSON(&b, opts{}, o); err != nil {
		t.Fatal(err)
	}
	if b.String() != wantJSON {
		t.Errorf("ip -j addr differs from iproute2's\n got: %s\nwant: %s", b.String(), wantJSON)
	}
}

func TestRouteTextAndJSON(t *testing.T) {
	const wantText = "default via 192.168.15.5 dev veth-blue \n" +
		"10.0.0.0/8 via 192.168.15.1 dev veth-blue metric 5 \n" +
		"192.168.15.0/24 dev veth-blue proto kernel scope link src 192.168.15.2 \n" +
		"192.168.16.0/24 dev veth-blue proto kernel scope link src 192.168.16.5 linkdown \n"
	const wantJSON = `[{"dst":"default","gateway":"192.168.15.5","dev":"veth-blue","flags":[]},{"dst":"10.0.0.0/8","gateway":"192.168.15.1","dev":"veth-blue","metric":5,"flags":[]},{"dst":"192.168.15.0/24","dev":"veth-blue","protocol":"kernel","scope":"link","prefsrc":"192.168.15.2","flags":[]},{"dst":"192.168.16.0/24","dev":"veth-blue","protocol":"kernel","scope":"link","prefsrc":"192.168.16.5","flags":["linkdown"]}]
`
	set := blueSet()
	routes := blueRoutes()
	var b bytes.Buffer
	var out []jobj
	for i := range routes {
		writeRouteText(&b, &routes[i], set, routeMask{})
		out = append(out, routeJSON(&routes[i], set, routeMask{}))
	}
	if b.String() != wantText {
		t.Errorf("ip route text differs from iproute2's\n got:\n%s\nwant:\n%s", b.String(), wantText)
	}
	b.Reset()
	if err := writeJSON(&b, opts{}, out); err != nil {
		t.Fatal(err)
	}
	if b.String() != wantJSON {
		t.Errorf("ip -j route differs from iproute2's\n got: %s\nwant: %s", b.String(), wantJSON)
	}
}

func TestNeighTextAndJSON(t *testing.T) {
	set := newLinkSet(redLinks(), nil)
	ns := []rtnl.Neigh{
		{Family: rtnl.FamilyInet, Index: 3, State: rtnl.NeighPermanent, IP: netip.MustParseAddr("192.168.15.9"), LLAddr: mac("aa:bb:cc:dd:ee:ff")},
		{Family: rtnl.FamilyInet, Index: 3, State: rtnl.NeighReachable, IP: netip.MustParseAddr("192.168.15.2"), LLAddr: mac("aa:bb:cc:00:00:02")},
		{Family: rtnl.FamilyInet, Index: 3, State: rtnl.NeighFailed, IP: netip.MustParseAddr("192.168.15.7")},
		{Family: rtnl.FamilyInet, Index: 1, State: rtnl.NeighNoARP, IP: netip.MustParseAddr("127.0.0.1")},
	}
	const wantText = "192.168.15.9 dev veth-red lladdr aa:bb:cc:dd:ee:ff PERMANENT \n" +
		"192.168.15.2 dev veth-red lladdr aa:bb:cc:00:00:02 REACHABLE \n" +
		"192.168.15.7 dev veth-red FAILED \n"
	const wantJSON = `[{"dst":"192.168.15.9","dev":"veth-red","lladdr":"aa:bb:cc:dd:ee:ff","state":["PERMANENT"]},{"dst":"192.168.15.2","dev":"veth-red","lladdr":"aa:bb:cc:00:00:02","state":["REACHABLE"]},{"dst":"192.168.15.7","dev":"veth-red","state":["FAILED"]}]
`
	var b bytes.Buffer
	out := []jobj{}
	for i := range ns {
		if !neighShown(&ns[i]) {
			continue
		}
		writeNeighText(&b, &ns[i], set, false)
		out = append(out, neighJSON(&ns[i], set, false))
	}
	if b.String() != wantText {
		t.Errorf("ip neigh text\n got:\n%s\nwant:\n%s", b.String(), wantText)
	}
	b.Reset()
	if err := writeJSON(&b, opts{}, out); err != nil {
		t.Fatal(err)
	}
	if b.String() != wantJSON {
		t.Errorf("ip -j neigh\n got: %s\nwant: %s", b.String(), wantJSON)
	}
}

func TestLinkFlags(t *testing.T) {
	for _, tt := range []struct {
		flags rtnl.LinkFlags
		mdown bool
		want  string
	}{
		{rtnl.LinkUp | rtnl.LinkRunning | rtnl.LinkLowerUp | rtnl.LinkLoopback, false, "LOOPBACK,UP,LOWER_UP"},
		{rtnl.LinkUp | rtnl.LinkBroadcast | rtnl.LinkMulticast, false, "NO-CARRIER,BROADCAST,MULTICAST,UP"},
		{rtnl.LinkBroadcast | rtnl.LinkMulticast, true, "BROADCAST,MULTICAST,M-DOWN"},
		{rtnl.LinkBroadcast | 0x80000000, false, "BROADCAST,80000000"},
		{rtnl.LinkNoARP | rtnl.LinkPointToPoint | rtnl.LinkUp | rtnl.LinkRunning, false, "POINTOPOINT,NOARP,UP"},
	} {
		if got := strings.Join(linkFlags(tt.flags, tt.mdown), ","); got != tt.want {
			t.Errorf("linkFlags(%#x, %v) = %s, want %s", tt.flags, tt.mdown, got, tt.want)
		}
	}
}

func TestPrettyJSON(t *testing.T) {
	var b bytes.Buffer
	if err := writeJSON(&b, opts{pretty: true}, []jobj{{{jIfname, "a<b>"}, {jMTU, 1500}}}); err != nil {
		t.Fatal(err)
	}
	want := "[\n    {\n        \"ifname\": \"a<b>\",\n        \"mtu\": 1500\n    }\n]\n"
	if b.String() != want {
		t.Errorf("pretty JSON\n got: %q\nwant: %q", b.String(), want)
	}
}
