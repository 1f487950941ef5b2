package rtnl

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

// linkCases are the links whose encoding is frozen in testdata/link_*.hex.
func linkCases() []struct {
	name string
	link Link
} {
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	return []struct {
		name string
		link Link
	}{
		{"bridge", Link{Name: "br0", Info: &Bridge{}}},
		{"bridge_up_stp", Link{Name: "br1", Flags: unix.IFF_UP, Change: unix.IFF_UP,
			Info: &Bridge{STPState: 1, VLANFiltering: 1, ForwardDelay: 200, Priority: 4096, AgeingTime: 1000}}},
		{"veth", Link{Name: "veth-red", Info: &Veth{Peer: Link{Name: "eth0"}}}},
		{"veth_up_master_noipv6", Link{Name: "veth-red", Flags: unix.IFF_UP, Change: unix.IFF_UP,
			Master: 2, AddrGenModeNone: true, Info: &Veth{Peer: Link{Name: "eth0", AddrGenModeNone: true}}}},
		{"set_up", Link{Index: 4, Flags: unix.IFF_UP, Change: unix.IFF_UP}},
		{"set_down", Link{Index: 4, Change: unix.IFF_UP}},
		{"set_nomaster", Link{Index: 4, NoMaster: true}},
		{"set_rename_mtu_mac", Link{Index: 4, Name: "veth-blue", MTU: 1400, Address: mac}},
		{"unknown_kind", Link{Name: "bu0", Info: &UnknownInfo{KindName: "bareudp",
			Data: []byte{8, 0, 1, 0, 42, 0, 0, 0}}}},
		{"get_by_name", Link{Name: "lo", Unknown: []RawAttr{extMaskSkipStats()}}},
		{"set_group_mode", Link{Index: 4, Group: 5, HasGroup: true, LinkMode: LinkModeDormant, HasLinkMode: true}},
		{"kernel_qdisc", Link{Index: 4, Name: "eth0", Qdisc: "noqueue", HasGroup: true, HasLinkMode: true}},
		{"bridge_port_info", Link{Index: 6, Master: 2, Info: &Veth{}, SlaveKind: "bridge",
			SlaveData: []byte{5, 0, 1, 0, 3, 0, 0, 0}}},
	}
}

func TestLinkGolden(t *testing.T) {
	for _, tt := range linkCases() {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.link.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/link_"+tt.name+".hex",
				"rtnl Link.MarshalBinary, TestLinkGolden/"+tt.name+" (ifinfomsg + IFLA_*)", got)
		})
	}
}

func TestLinkRoundTrip(t *testing.T) {
	for _, tt := range linkCases() {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.link.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got Link
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.link, got, cmpOpts()); diff != "" {
				t.Errorf("decode(encode(link)) differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLinkMatchesIproute2 decodes what `ip` sent and what we send for the
// same command: the two requests must mean the same thing (the bytes
// differ in trivia: NUL after IFLA_INFO_KIND, NLA_F_NESTED bits).
func TestLinkMatchesIproute2(t *testing.T) {
	for _, tt := range []struct {
		file string
		ours func(ip Link) Link
	}{
		{"ip_link_add_bridge_0", func(Link) Link { return Link{Name: "br0", Info: &Bridge{}} }},
		{"ip_link_add_veth_0", func(Link) Link { return Link{Name: "veth-red", Info: &Veth{Peer: Link{Name: "eth0"}}} }},
		{"ip_link_set_up_0", func(ip Link) Link { return Link{Index: ip.Index, Flags: unix.IFF_UP, Change: unix.IFF_UP} }},
		{"ip_link_set_master_0", func(ip Link) Link { return Link{Index: ip.Index, Master: ip.Master} }},
		{"ip_link_set_nomaster_0", func(ip Link) Link { return Link{Index: ip.Index, NoMaster: true} }},
		{"ip_link_set_mtu_0", func(ip Link) Link { return Link{Index: ip.Index, MTU: 1400} }},
		{"ip_link_set_addrgenmode_0", func(ip Link) Link { return Link{Index: ip.Index, AddrGenModeNone: true} }},
		{"ip_link_del_0", func(ip Link) Link { return Link{Index: ip.Index} }},
		{"ip_link_set_group_0", func(ip Link) Link { return Link{Index: ip.Index, Group: 5, HasGroup: true} }},
		{"ip_link_set_mode_0", func(ip Link) Link { return Link{Index: ip.Index, LinkMode: LinkModeDormant, HasLinkMode: true} }},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var ip Link
			if err := ip.UnmarshalBinary(golden.Read(t, "testdata/"+tt.file+".hex")); err != nil {
				t.Fatal(err)
			}
			want := tt.ours(ip)
			b, err := want.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var ours Link
			if err := ours.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ip, ours, cmpOpts()); diff != "" {
				t.Errorf("ip's request and ours differ (-ip +ours):\n%s", diff)
			}
			if ip.Index == 0 && tt.file != "ip_link_add_bridge_0" && tt.file != "ip_link_add_veth_0" {
				t.Errorf("capture has no ifindex: %+v", ip)
			}
		})
	}
}

// TestLinkDecodeKernelDump decodes the RTM_NEWLINK replies the kernel gave
// `ip -d link show` (testdata/capture/capture.sh) and checks what the
// capture shows.
func TestLinkDecodeKernelDump(t *testing.T) {
	byName := map[string]Link{}
	for _, g := range golden.Glob(t, "testdata/kernel_link_*.hex") {
		path, b := g.Path, g.Bytes
		var l Link
		if err := l.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		byName[l.Name] = l
	}
	lo, br, eth0, red := byName["lo"], byName["br0"], byName["eth0"], byName["veth-red"]
	if lo.Type != unix.ARPHRD_LOOPBACK || !lo.Up() || lo.OperState != OperUnknown || lo.MTU != 65536 || lo.Kind() != "" {
		t.Errorf("lo decoded as %+v", lo)
	}
	b, ok := br.Info.(*Bridge)
	if !ok || b.ForwardDelay != 1500 || b.AgeingTime != 30000 || b.Priority != 32768 || b.STPState != 0 || len(b.Unknown) == 0 {
		t.Errorf("br0 info decoded as %#v", br.Info)
	}
	if eth0.Kind() != "veth" || eth0.ParentIndex != red.Index || red.ParentIndex != eth0.Index || red.MTU != 1400 {
		t.Errorf("veth pair decoded as eth0=%+v veth-red=%+v", eth0, red)
	}
	if !red.Up() || red.OperState != OperUp || len(red.Address) != 6 || red.Broadcast.String() != "ff:ff:ff:ff:ff:ff" {
		t.Errorf("veth-red decoded as %+v", red)
	}
	for _, l := range []Link{lo, br, eth0, red} {
		if !l.HasGroup || l.Group != 0 || !l.HasLinkMode || l.LinkMode != LinkModeDefault {
			t.Errorf("%s: group/linkmode decoded as %v %d, %v %v; the capture has group 0, mode DEFAULT", l.Name, l.HasGroup, l.Group, l.HasLinkMode, l.LinkMode)
		}
	}
	if lo.Qdisc != "noqueue" || red.Qdisc != "noqueue" || lo.Type != HardwareLoopback || red.Type != HardwareEther {
		t.Errorf("qdisc/type decoded as lo %q %v, veth-red %q %v", lo.Qdisc, lo.Type, red.Qdisc, red.Type)
	}
	for _, a := range red.Unknown {
		if t0 := a.Type & nlaTypeMask; t0 == unix.IFLA_QDISC || t0 == unix.IFLA_GROUP || t0 == unix.IFLA_LINKMODE {
			t.Errorf("attribute %d is decoded but also kept in Unknown", t0)
		}
	}
	if len(red.Unknown) == 0 {
		t.Error("attributes not decoded were dropped instead of kept in Unknown")
	}
}

func TestLinkUnmarshalErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"short header": make([]byte, 15),
		"bad attr":     append(make([]byte, 16), 3, 0),
		"mtu not u32":  append(make([]byte, 16), 6, 0, unix.IFLA_MTU, 0, 1, 2, 0, 0),
		"veth peer short": append(make([]byte, 16),
			20, 0, unix.IFLA_LINKINFO, 0,
			9, 0, unix.IFLA_INFO_KIND, 0, 'v', 'e', 't', 'h', 0, 0, 0, 0,
			8, 0, unix.IFLA_INFO_DATA, 0), // truncated: length says 20, 16 bytes follow
	} {
		var l Link
		if err := l.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: decoded without error: %+v", name, l)
		}
	}
}

func TestOperStateString(t *testing.T) {
	for s, want := range map[OperState]string{
		OperUnknown: "UNKNOWN", OperNotPresent: "NOTPRESENT", OperDown: "DOWN",
		OperLowerLayerDown: "LOWERLAYERDOWN", OperTesting: "TESTING", OperDormant: "DORMANT",
		OperUp: "UP", 7: "0x7",
	} {
		if got := s.String(); got != want {
			t.Errorf("OperState(%d).String() = %q, want %q", s, got, want)
		}
	}
}

func TestLinkKindUp(t *testing.T) {
	if k := (&Link{}).Kind(); k != "" {
		t.Errorf("Kind of a link without info = %q", k)
	}
	for want, info := range map[string]LinkInfo{"veth": &Veth{}, "bridge": &Bridge{}, "dummy": &UnknownInfo{KindName: "dummy"}} {
		if got := (&Link{Info: info}).Kind(); got != want {
			t.Errorf("Kind = %q, want %q", got, want)
		}
	}
	if (&Link{Flags: unix.IFF_BROADCAST}).Up() || !(&Link{Flags: unix.IFF_UP}).Up() {
		t.Error("Up does not follow IFF_UP")
	}
}

func FuzzLinkUnmarshal(f *testing.F) {
	golden.FuzzRoundTrip[Link](f, "testdata/link_*.hex", "testdata/ip_link_*.hex", "testdata/kernel_link_*.hex")
}

func BenchmarkLinkMarshal(b *testing.B) {
	l := Link{Name: "veth-red", Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: 2,
		Info: &Veth{Peer: Link{Name: "eth0", AddrGenModeNone: true}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLinkUnmarshal(b *testing.B) {
	l := Link{Name: "veth-red", Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: 2,
		Info: &Veth{Peer: Link{Name: "eth0", AddrGenModeNone: true}}}
	buf, err := l.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var got Link
		if err := got.UnmarshalBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLinkAddrGenModePlans(t *testing.T) {
	up := Link{Name: "br0", Flags: unix.IFF_UP, Change: unix.IFF_UP, AddrGenModeNone: true, Master: 3, Info: &Bridge{}}
	plan, err := linkAddPlan(&up)
	if err != nil {
		t.Fatal(err)
	}
	want := []linkMsg{
		{netlink.Create | netlink.Excl, &Link{Name: "br0", Change: unix.IFF_UP, Master: 3, Info: &Bridge{}}},
		{0, &Link{Name: "br0", AddrGenModeNone: true}},
		{0, &Link{Name: "br0", Flags: unix.IFF_UP, Change: unix.IFF_UP}},
	}
	if diff := cmp.Diff(want, plan, cmpOpts(), cmp.AllowUnexported(linkMsg{})); diff != "" {
		t.Errorf("create up with AddrGenModeNone (-want +got):\n%s", diff)
	}
	if up.Flags != unix.IFF_UP || !up.AddrGenModeNone {
		t.Error("the plan changed the caller's Link")
	}
	veth := Link{Name: "va", Info: &Veth{Peer: Link{Name: "vb", AddrGenModeNone: true}}}
	plan, err = linkAddPlan(&veth)
	if err != nil || len(plan) != 2 || plan[1].link.Name != "vb" || plan[0].link.Info.(*Veth).Peer.AddrGenModeNone ||
		!veth.Info.(*Veth).Peer.AddrGenModeNone {
		t.Errorf("veth with peer mode: %+v, %v", plan, err)
	}
	if plan, err := linkAddPlan(&Link{Name: "x", Info: &Bridge{}}); err != nil || len(plan) != 1 {
		t.Errorf("plain create is not one message: %+v, %v", plan, err)
	}
	set := linkSetPlan(&Link{Index: 5, Name: "new", Flags: unix.IFF_UP, AddrGenModeNone: true})
	if len(set) != 2 || !set[0].link.AddrGenModeNone || set[0].link.Name != "" || set[1].link.AddrGenModeNone || set[1].link.Name != "new" {
		t.Errorf("set up with mode: %+v", set)
	}
	if set := linkSetPlan(&Link{Index: 5, Change: unix.IFF_UP, AddrGenModeNone: true}); len(set) != 1 {
		t.Errorf("set down with mode is not one message: %+v", set)
	}
}
