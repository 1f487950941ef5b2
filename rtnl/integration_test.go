package rtnl

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// Privileged tests: each makes its own named namespace with `ip netns
// add` (the sandbox has a private /run/netns), dials a Conn inside it and
// checks what rtnl did with the `ip -j` oracle, and what `ip` did with
// rtnl's decoders.

func TestMain(m *testing.M) { os.Exit(sandbox.Main(m)) }

// testNS is a namespace made by `ip netns add`, with a Conn inside it.
type testNS struct {
	name string
	f    *os.File
	c    *Conn
}

func newTestNS(t *testing.T, name string) *testNS {
	t.Helper()
	sandbox.Require(t)
	sandbox.Run(t, "ip", "netns", "add", name)
	f, err := os.Open("/run/netns/" + name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(f)
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		f.Close()
		sandbox.Run(t, "ip", "netns", "del", name)
	})
	return &testNS{name: name, f: f, c: c}
}

// ip runs `ip -j -n NS args...`.
func (ns *testNS) ip(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	return sandbox.IPJSON(t, append([]string{"-n", ns.name}, args...)...)
}

// run runs `ip -n NS args...`.
func (ns *testNS) run(t *testing.T, args ...string) {
	t.Helper()
	sandbox.Run(t, "ip", append([]string{"-n", ns.name}, args...)...)
}

func (ns *testNS) link(t *testing.T, name string) *Link {
	t.Helper()
	l, err := ns.c.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// one returns the only object of an `ip -j` answer.
func one(t *testing.T, v []map[string]any) map[string]any {
	t.Helper()
	if len(v) != 1 {
		t.Fatalf("ip -j printed %d objects, want 1: %v", len(v), v)
	}
	return v[0]
}

// flagNames returns iproute2's names of the IFF_ flags that ip -j lists.
func flagNames(flags uint32) []string {
	var out []string
	for _, f := range []struct {
		bit  uint32
		name string
	}{
		{unix.IFF_BROADCAST, "BROADCAST"}, {unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_POINTOPOINT, "POINTOPOINT"},
		{unix.IFF_MULTICAST, "MULTICAST"}, {unix.IFF_NOARP, "NOARP"}, {unix.IFF_UP, "UP"}, {unix.IFF_LOWER_UP, "LOWER_UP"},
	} {
		if flags&f.bit != 0 {
			out = append(out, f.name)
		}
	}
	return out
}

// compareLink checks a decoded link against `ip -j -d link show`, field
// by field.
func compareLink(t *testing.T, l *Link, names map[int32]string, j map[string]any) {
	t.Helper()
	check := func(field string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %s = %v (rtnl), %v (ip)", l.Name, field, got, want)
		}
	}
	check("ifindex", l.Index, j["ifindex"])
	check("ifname", l.Name, j["ifname"])
	check("mtu", l.MTU, j["mtu"])
	check("txqlen", l.TxQLen, j["txqlen"])
	check("operstate", l.OperState.String(), j["operstate"])
	check("address", l.Address.String(), j["address"])
	check("broadcast", l.Broadcast.String(), j["broadcast"])
	if l.Master != 0 {
		check("master", names[int32(l.Master)], j["master"])
	} else if j["master"] != nil {
		t.Errorf("%s: ip reports master %v, rtnl none", l.Name, j["master"])
	}
	var ipFlags []string
	for _, f := range j["flags"].([]any) {
		if s := f.(string); s != "M-DOWN" && s != "NO-CARRIER" {
			ipFlags = append(ipFlags, s)
		}
	}
	ours := flagNames(uint32(l.Flags))
	slices.Sort(ours)
	slices.Sort(ipFlags)
	check("flags", ours, ipFlags)
	kind := ""
	if li, ok := j["linkinfo"].(map[string]any); ok && li["info_kind"] != nil {
		kind = li["info_kind"].(string)
	}
	check("kind", l.Kind(), kind)
	if l.Kind() == "veth" && l.ParentIndex != 0 && !l.HasLinkNetNSID {
		check("link", names[l.ParentIndex], j["link"])
	}
}

// TestIntegrationDialStrict: the strict options (NETLINK_EXT_ACK,
// NETLINK_GET_STRICT_CHK) are accepted by this kernel, and a dump works
// under them.
func TestIntegrationDialStrict(t *testing.T) {
	sandbox.Require(t)
	c, err := Dial(nil)
	if err != nil {
		t.Fatalf("Dial with Strict: %v", err)
	}
	defer c.Close()
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	if len(links) == 0 || links[0].Name != "lo" {
		t.Errorf("Links() in the sandbox = %+v", links)
	}
}

// TestIntegrationVethOneMessage: the DESIGN's fast path. One RTM_NEWLINK
// creates the pair with the peer born in another namespace, the host end
// up and enslaved to a bridge, and neither end with IPv6 link-local.
func TestIntegrationVethOneMessage(t *testing.T) {
	host := newTestNS(t, "rtnl-host")
	red := newTestNS(t, "rtnl-red")

	if err := host.c.LinkAdd(&Link{Name: "br0", Flags: unix.IFF_UP, Change: unix.IFF_UP, AddrGenModeNone: true, Info: &Bridge{}}); err != nil {
		t.Fatal(err)
	}
	br := host.link(t, "br0")
	veth := &Link{
		Name: "veth-red", Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: uint32(br.Index),
		AddrGenModeNone: true,
		Info:            &Veth{Peer: Link{Name: "eth0", NetNS: red.f}},
	}
	if err := host.c.LinkAdd(veth); err != nil {
		t.Fatalf("one-message veth: %v", err)
	}
	// The peer's mode cannot be set from here at creation.
	bad := &Link{Name: "veth-x", Info: &Veth{Peer: Link{Name: "eth1", NetNS: red.f, AddrGenModeNone: true}}}
	if err := host.c.LinkAdd(bad); !errors.Is(err, errPeerAddrGenMode) {
		t.Errorf("peer AddrGenModeNone across namespaces = %v", err)
	}

	h := one(t, host.ip(t, "-d", "link", "show", "dev", "veth-red"))
	if h["master"] != "br0" || !slices.Contains(h["flags"].([]any), any("UP")) || h["inet6_addr_gen_mode"] != "none" {
		t.Errorf("host end: %v", h)
	}
	if _, err := host.c.LinkByName("eth0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("peer also exists in the host namespace: %v", err)
	}
	if p := one(t, red.ip(t, "link", "show", "dev", "eth0")); slices.Contains(p["flags"].([]any), any("UP")) {
		t.Errorf("peer: %v", p)
	}

	// The peer comes up from its own namespace's socket, addrgenmode none
	// first (LinkSet sends that as two messages in one write).
	eth0 := red.link(t, "eth0")
	if err := red.c.LinkSet(&Link{Index: eth0.Index, Flags: unix.IFF_UP, Change: unix.IFF_UP, AddrGenModeNone: true}); err != nil {
		t.Fatal(err)
	}
	// Carrier, and with it IPv6 configuration, reaches both ends through
	// linkwatch: wait for operstate UP before looking for addresses.
	deadline := time.Now().Add(10 * time.Second)
	for host.link(t, "veth-red").OperState != OperUp || red.link(t, "eth0").OperState != OperUp {
		if time.Now().After(deadline) {
			t.Fatal("veth pair never reached operstate UP")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, ns := range []*testNS{host, red} {
		addrs, err := ns.c.Addrs(unix.AF_INET6)
		if err != nil {
			t.Fatal(err)
		}
		if len(addrs) != 0 {
			t.Errorf("%s: links with addrgenmode none have IPv6 addresses: %+v", ns.name, addrs)
		}
	}
	if a := one(t, red.ip(t, "addr", "show", "dev", "eth0"))["addr_info"]; len(a.([]any)) != 0 {
		t.Errorf("ip shows addresses on eth0: %v", a)
	}
	if p := one(t, red.ip(t, "-d", "link", "show", "dev", "eth0")); p["inet6_addr_gen_mode"] != "none" {
		t.Errorf("peer: %v", p)
	}
	// Without AddrGenModeNone the whole pair is one RTM_NEWLINK: peer born
	// in red, host end up and enslaved.
	blue := &Link{Name: "veth-blue", Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: uint32(br.Index),
		Info: &Veth{Peer: Link{Name: "eth1", NetNS: red.f}}}
	if plan, _ := linkAddPlan(blue); len(plan) != 1 {
		t.Fatalf("plain veth planned as %d messages", len(plan))
	}
	if err := host.c.LinkAdd(blue); err != nil {
		t.Fatalf("one-message veth: %v", err)
	}
	if b := one(t, host.ip(t, "link", "show", "dev", "veth-blue")); b["master"] != "br0" || !slices.Contains(b["flags"].([]any), any("UP")) {
		t.Errorf("veth-blue: %v", b)
	}
	if _, err := red.c.LinkByName("eth1"); err != nil {
		t.Errorf("eth1 not born in red: %v", err)
	}
	// The host end sees its peer in another namespace.
	hv := host.link(t, "veth-red")
	if !hv.HasLinkNetNSID || hv.ParentIndex != eth0.Index || hv.Master != uint32(br.Index) || !hv.Up() {
		t.Errorf("host end decoded as %+v", hv)
	}
}

// TestIntegrationLinkCreateEcho checks that LinkCreate returns the new
// link as the kernel has it, the peer's index included, from the echo
// (no lookup after it: the Conn's socket sees one exchange).
func TestIntegrationLinkCreateEcho(t *testing.T) {
	host := newTestNS(t, "rtnl-echo-host")
	red := newTestNS(t, "rtnl-echo-red")
	if err := host.c.LinkAdd(&Link{Name: "br0", Flags: unix.IFF_UP, Change: unix.IFF_UP, Info: &Bridge{}}); err != nil {
		t.Fatal(err)
	}
	br := host.link(t, "br0")
	for _, tc := range []struct {
		name string
		l    *Link
	}{
		{"one message", &Link{Name: "veth-a", Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: uint32(br.Index),
			Info: &Veth{Peer: Link{Name: "eth0", NetNS: red.f}}}},
		{"with follow-ups", &Link{Name: "veth-b", Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: uint32(br.Index), AddrGenModeNone: true,
			Info: &Veth{Peer: Link{Name: "eth1", NetNS: red.f}}}},
	} {
		got, err := host.c.LinkCreate(tc.l)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want := host.link(t, tc.l.Name)
		peer := red.link(t, tc.l.Info.(*Veth).Peer.Name)
		if got.Index != want.Index || got.Name != tc.l.Name || got.ParentIndex != peer.Index || !got.HasLinkNetNSID {
			t.Errorf("%s: LinkCreate = index %d %q, peer %d (nsid %v); kernel has index %d, peer index %d",
				tc.name, got.Index, got.Name, got.ParentIndex, got.HasLinkNetNSID, want.Index, peer.Index)
		}
		if !want.Up() || want.Master != uint32(br.Index) {
			t.Errorf("%s: %s after LinkCreate: up %v, master %d", tc.name, tc.l.Name, want.Up(), want.Master)
		}
	}
	// A failed creation returns its error, and no link.
	if got, err := host.c.LinkCreate(&Link{Name: "veth-a", Info: &Veth{Peer: Link{Name: "eth9"}}}); !errors.Is(err, unix.EEXIST) || got != nil {
		t.Errorf("LinkCreate of an existing name = %v, %v; want EEXIST", got, err)
	}
	// The socket holds nothing left over from the echoes.
	if l, err := host.c.LinkByName("br0"); err != nil || l.Index != br.Index {
		t.Errorf("next request on the same Conn: %v, %v", l, err)
	}
}

// TestIntegrationVethPeerUpRefused records the kernel fact the design
// relies on: a veth peer cannot be created up (veth_newlink: ENOTCONN).
func TestIntegrationVethPeerUpRefused(t *testing.T) {
	ns := newTestNS(t, "rtnl-peerup")
	err := ns.c.LinkAdd(&Link{Name: "va", Info: &Veth{Peer: Link{Name: "vb", Flags: unix.IFF_UP, Change: unix.IFF_UP}}})
	if !errors.Is(err, unix.ENOTCONN) {
		t.Errorf("peer created up: err = %v, want ENOTCONN", err)
	}
}

// TestIntegrationLinksMatchIP compares every link rtnl dumps with `ip -j
// -d link show`, for links made by ip and by rtnl.
func TestIntegrationLinksMatchIP(t *testing.T) {
	ns := newTestNS(t, "rtnl-links")
	ns.run(t, "link", "add", "br-ip", "type", "bridge")
	ns.run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	ns.run(t, "link", "set", "va", "master", "br-ip", "mtu", "1400", "up")
	ns.run(t, "link", "set", "lo", "up")
	if err := ns.c.LinkAdd(&Link{Name: "br-go", Info: &Bridge{STPState: 1, ForwardDelay: 400}}); err != nil {
		t.Fatal(err)
	}
	brgo := ns.link(t, "br-go")
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0xaa, 0x01}
	if err := ns.c.LinkAdd(&Link{Name: "vc", MTU: 9000, Master: uint32(brgo.Index), Address: mac,
		Info: &Veth{Peer: Link{Name: "vd", TxQLen: 50}}}); err != nil {
		t.Fatal(err)
	}

	links, err := ns.c.Links()
	if err != nil {
		t.Fatal(err)
	}
	names := map[int32]string{}
	for _, l := range links {
		names[l.Index] = l.Name
	}
	oracle := map[string]map[string]any{}
	for _, j := range ns.ip(t, "-d", "link", "show") {
		oracle[j["ifname"].(string)] = j
	}
	if len(oracle) != len(links) || len(links) != 7 {
		t.Fatalf("rtnl dumps %d links, ip shows %d (want 7)", len(links), len(oracle))
	}
	for i := range links {
		compareLink(t, &links[i], names, oracle[links[i].Name])
	}
	b := oracle["br-go"]["linkinfo"].(map[string]any)["info_data"].(map[string]any)
	if b["stp_state"] != float64(1) || b["forward_delay"] != float64(400) {
		t.Errorf("bridge options not applied: %v", b)
	}
	for _, l := range links {
		if l.Name == "br-ip" {
			if br, ok := l.Info.(*Bridge); !ok || br.ForwardDelay != 1500 || br.Priority != 32768 {
				t.Errorf("ip's bridge decoded as %#v", l.Info)
			}
		}
	}
	if got := ns.link(t, "vc"); got.Address.String() != mac.String() || got.MTU != 9000 {
		t.Errorf("vc = %+v", got)
	}
}

// TestIntegrationLinkSet: one LinkSet per change, as `ip link set` does.
func TestIntegrationLinkSet(t *testing.T) {
	ns := newTestNS(t, "rtnl-set")
	other := newTestNS(t, "rtnl-set2")
	c := ns.c
	if err := c.LinkAdd(&Link{Name: "br0", Info: &Bridge{}}); err != nil {
		t.Fatal(err)
	}
	if err := c.LinkAdd(&Link{Name: "va", Info: &Veth{Peer: Link{Name: "vb"}}}); err != nil {
		t.Fatal(err)
	}
	br, va := ns.link(t, "br0"), ns.link(t, "va")

	// By name (Index 0): up, master, mtu together.
	if err := c.LinkSet(&Link{Name: "va", Flags: unix.IFF_UP, Change: unix.IFF_UP, Master: uint32(br.Index), MTU: 1280}); err != nil {
		t.Fatal(err)
	}
	j := one(t, ns.ip(t, "link", "show", "dev", "va"))
	if j["master"] != "br0" || j["mtu"] != float64(1280) || !slices.Contains(j["flags"].([]any), any("UP")) {
		t.Errorf("after set up master mtu: %v", j)
	}
	// nomaster, down, rename, address: by index.
	mac := "02:00:00:00:00:42"
	hw, _ := net.ParseMAC(mac)
	if err := c.LinkSet(&Link{Index: va.Index, Change: unix.IFF_UP, NoMaster: true, Name: "va-new", Address: hw}); err != nil {
		t.Fatal(err)
	}
	j = one(t, ns.ip(t, "link", "show", "dev", "va-new"))
	if j["master"] != nil || slices.Contains(j["flags"].([]any), any("UP")) || j["address"] != mac {
		t.Errorf("after nomaster down rename address: %v", j)
	}
	// Move to another namespace.
	if err := c.LinkSet(&Link{Index: va.Index, NetNS: other.f}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.c.LinkByName("va-new"); err != nil {
		t.Errorf("moved link not in the target namespace: %v", err)
	}
	if _, err := c.LinkByIndex(va.Index); !errors.Is(err, unix.ENODEV) {
		t.Errorf("moved link still in the source namespace: %v", err)
	}
	// Delete: the peer goes with it.
	vb := ns.link(t, "vb")
	if err := c.LinkDel(vb.Index); err != nil {
		t.Fatal(err)
	}
	if _, err := other.c.LinkByName("va-new"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("peer survived LinkDel: %v", err)
	}
	err := c.LinkDel(vb.Index)
	var oe *OpError
	if !errors.Is(err, unix.ENODEV) || !errors.As(err, &oe) || oe.Op != "link del" {
		t.Errorf("second LinkDel = %v", err)
	}
}

func TestIntegrationLinkErrors(t *testing.T) {
	ns := newTestNS(t, "rtnl-lerr")
	if _, err := ns.c.LinkByName("nope0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("LinkByName(missing) = %v, want ENODEV", err)
	}
	if err := ns.c.LinkAdd(&Link{Name: "br0", Info: &Bridge{}}); err != nil {
		t.Fatal(err)
	}
	err := ns.c.LinkAdd(&Link{Name: "br0", Info: &Bridge{}})
	if !errors.Is(err, unix.EEXIST) || !strings.HasPrefix(err.Error(), "link add br0: file exists") {
		t.Errorf("duplicate LinkAdd = %v", err)
	}
	// With AddrGenModeNone the follow-ups go by name: they must not reach
	// the bridge that already had that name.
	err = ns.c.LinkAdd(&Link{Name: "br0", Flags: unix.IFF_UP, Change: unix.IFF_UP, AddrGenModeNone: true, Info: &Bridge{}})
	if !errors.Is(err, unix.EEXIST) {
		t.Errorf("duplicate LinkAdd with AddrGenModeNone = %v", err)
	}
	if j := one(t, ns.ip(t, "-d", "link", "show", "dev", "br0")); j["inet6_addr_gen_mode"] != "eui64" || slices.Contains(j["flags"].([]any), any("UP")) {
		t.Errorf("a failed LinkAdd changed the existing br0: %v", j)
	}
	err = ns.c.LinkAdd(&Link{Name: "x0", Info: &UnknownInfo{KindName: "no-such-kind"}})
	var oe *OpError
	if !errors.As(err, &oe) || oe.Err == nil || oe.Hint == "" {
		t.Errorf("unknown kind: %#v, want an errno and the kernel's extended-ACK text", err)
	}
}

// TestIntegrationAddrs: addresses made by rtnl are what ip reports, and
// addresses made by ip decode to what ip reports.
func TestIntegrationAddrs(t *testing.T) {
	ns := newTestNS(t, "rtnl-addr")
	ns.run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	ns.run(t, "link", "set", "va", "up")
	va := ns.link(t, "va")
	ours := []Addr{
		{Index: va.Index, Local: netip.MustParseAddr("192.168.15.1"), PrefixLen: 24},
		{Index: va.Index, Local: netip.MustParseAddr("2001:db8::1"), PrefixLen: 64, Flags: unix.IFA_F_NODAD},
	}
	for i := range ours {
		if err := ns.c.AddrAdd(&ours[i]); err != nil {
			t.Fatal(err)
		}
	}
	ns.run(t, "addr", "add", "192.168.16.1/24", "brd", "+", "dev", "va", "label", "va:1")
	err := ns.c.AddrAdd(&ours[0])
	if !errors.Is(err, unix.EEXIST) || !strings.HasPrefix(err.Error(), "addr add 192.168.15.1/24: file exists") {
		t.Errorf("duplicate AddrAdd = %v", err)
	}

	addrs, err := ns.c.Addrs(0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Addr{}
	for _, a := range addrs {
		if a.Index == va.Index {
			got[a.Prefix().String()] = a
		}
	}
	info := one(t, ns.ip(t, "addr", "show", "dev", "va"))["addr_info"].([]any)
	if len(info) != len(got) {
		t.Errorf("ip shows %d addresses on va, rtnl %d: %v", len(info), len(got), info)
	}
	for _, x := range info {
		j := x.(map[string]any)
		key := fmt.Sprintf("%s/%v", j["local"], j["prefixlen"])
		a, ok := got[key]
		if !ok {
			t.Errorf("rtnl misses %s", key)
			continue
		}
		fam := map[Family]string{unix.AF_INET: "inet", unix.AF_INET6: "inet6"}[a.Family]
		scope := map[Scope]string{unix.RT_SCOPE_UNIVERSE: "global", unix.RT_SCOPE_LINK: "link", unix.RT_SCOPE_HOST: "host"}[a.Scope]
		brd := ""
		if a.Broadcast.IsValid() {
			brd = a.Broadcast.String()
		}
		for _, c := range [][3]any{
			{"family", fam, j["family"]}, {"scope", scope, j["scope"]},
			{"broadcast", brd, orEmpty(j["broadcast"])}, {"label", a.Label, orEmpty(j["label"])},
			{"valid_life_time", float64(a.ValidLft), j["valid_life_time"]},
		} {
			if fmt.Sprint(c[1]) != fmt.Sprint(c[2]) {
				t.Errorf("%s: %s = %v (rtnl), %v (ip)", key, c[0], c[1], c[2])
			}
		}
	}
	if a := got["192.168.16.1/24"]; a.Broadcast != netip.MustParseAddr("192.168.16.255") || a.Label != "va:1" {
		t.Errorf("ip's address decoded as %+v", a)
	}
	if a := got["2001:db8::1/64"]; a.Flags&unix.IFA_F_NODAD == 0 {
		t.Errorf("IFA_F_NODAD lost: %+v", a)
	}

	for i := range ours {
		if err := ns.c.AddrDel(&ours[i]); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range one(t, ns.ip(t, "addr", "show", "dev", "va"))["addr_info"].([]any) {
		if l := x.(map[string]any)["local"]; l == "192.168.15.1" || l == "2001:db8::1" {
			t.Errorf("%v survived AddrDel", l)
		}
	}
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// TestIntegrationRoutes: routes made by rtnl get what `ip route add`
// gives them (proto boot, scope link without a gateway), seen by ip -d.
func TestIntegrationRoutes(t *testing.T) {
	ns := newTestNS(t, "rtnl-route")
	ns.run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	ns.run(t, "link", "set", "va", "up")
	ns.run(t, "link", "set", "vb", "up")
	ns.run(t, "addr", "add", "192.168.15.1/24", "dev", "va")
	va := ns.link(t, "va")
	for _, r := range []Route{
		{Gateway: netip.MustParseAddr("192.168.15.254"), Priority: 100},
		{Dst: netip.MustParseAddr("10.8.0.0"), DstLen: 16, OutIndex: va.Index},
		{Dst: netip.MustParseAddr("10.9.0.0"), DstLen: 16, Gateway: netip.MustParseAddr("192.168.15.2")},
	} {
		if err := ns.c.RouteAdd(&r); err != nil {
			t.Fatal(err)
		}
	}
	ns.run(t, "route", "add", "10.10.0.0/16", "via", "192.168.15.3", "metric", "7")

	routes, err := ns.c.Routes(unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	all, err := ns.c.Routes(0)
	if err != nil {
		t.Fatal(err)
	}
	v6 := 0
	for _, r := range all {
		if r.Family == unix.AF_INET6 {
			v6++
		}
	}
	if v6 == 0 || len(all) != len(routes)+v6 {
		t.Errorf("Routes(0) = %d routes (%d IPv6), Routes(AF_INET) = %d", len(all), v6, len(routes))
	}
	oracle := ns.ip(t, "-d", "route", "show")
	if len(oracle) != len(routes) || len(routes) != 5 {
		t.Fatalf("rtnl has %d main routes, ip shows %d (want 5): %+v", len(routes), len(oracle), routes)
	}
	byDst := map[string]Route{}
	for _, r := range routes {
		k := r.DstPrefix().String()
		if r.DstLen == 0 {
			k = "default"
		}
		byDst[k] = r
	}
	protos := map[RouteProtocol]string{unix.RTPROT_BOOT: "boot", unix.RTPROT_KERNEL: "kernel"}
	scopes := map[Scope]string{unix.RT_SCOPE_UNIVERSE: "global", unix.RT_SCOPE_LINK: "link"}
	for _, j := range oracle {
		r, ok := byDst[j["dst"].(string)]
		if !ok {
			t.Errorf("rtnl misses %v", j["dst"])
			continue
		}
		gw := ""
		if r.Gateway.IsValid() {
			gw = r.Gateway.String()
		}
		metric := any(r.Priority)
		if r.Priority == 0 {
			metric = ""
		}
		for _, c := range [][3]any{
			{"gateway", gw, orEmpty(j["gateway"])}, {"dev", r.OutIndex, va.Index},
			{"metric", metric, orEmpty(j["metric"])}, {"protocol", protos[r.Protocol], j["protocol"]},
			{"scope", scopes[r.Scope], j["scope"]}, {"type", "unicast", j["type"]},
		} {
			if fmt.Sprint(c[1]) != fmt.Sprint(c[2]) {
				t.Errorf("route %v: %s = %v (rtnl), %v (ip)", j["dst"], c[0], c[1], c[2])
			}
		}
	}
	if r := byDst["10.10.0.0/16"]; r.Priority != 7 || r.Protocol != unix.RTPROT_BOOT {
		t.Errorf("ip's route decoded as %+v", r)
	}
	err = ns.c.RouteAdd(&Route{Gateway: netip.MustParseAddr("192.168.15.254"), Priority: 100})
	if !errors.Is(err, unix.EEXIST) || !strings.HasPrefix(err.Error(), "route add default: file exists") {
		t.Errorf("duplicate RouteAdd = %v", err)
	}
	if err := ns.c.RouteDel(&Route{Dst: netip.MustParseAddr("10.9.0.0"), DstLen: 16}); err != nil {
		t.Fatal(err)
	}
	if err := ns.c.RouteDel(&Route{Gateway: netip.MustParseAddr("192.168.15.254"), Priority: 100}); err != nil {
		t.Fatal(err)
	}
	if n := len(ns.ip(t, "route", "show")); n != 3 {
		t.Errorf("%d routes after two RouteDel, want 3", n)
	}
	err = ns.c.RouteAdd(&Route{Dst: netip.MustParseAddr("10.11.0.0"), DstLen: 16, Gateway: netip.MustParseAddr("172.16.0.1")})
	var oe *OpError
	if !errors.As(err, &oe) || oe.Hint == "" || oe.Obj != "10.11.0.0/16" {
		t.Errorf("route via an unreachable gateway = %#v, want the kernel's hint", err)
	}
}

func TestIntegrationNeighs(t *testing.T) {
	ns := newTestNS(t, "rtnl-neigh")
	ns.run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	va := ns.link(t, "va")
	mac, _ := net.ParseMAC("02:00:00:00:00:09")
	n := Neigh{Index: va.Index, IP: netip.MustParseAddr("192.168.15.9"), LLAddr: mac}
	if err := ns.c.NeighAdd(&n); err != nil {
		t.Fatal(err)
	}
	ns.run(t, "neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:0a", "dev", "va")
	j := ns.ip(t, "neigh", "show", "dev", "va")
	neighs, err := ns.c.Neighs(0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Neigh{}
	for _, x := range neighs {
		if x.Index == va.Index {
			got[x.IP.String()] = x
		}
	}
	if len(j) != 2 || len(got) != 2 {
		t.Fatalf("ip shows %v, rtnl %+v", j, neighs)
	}
	for _, e := range j {
		x := got[e["dst"].(string)]
		if x.LLAddr.String() != e["lladdr"] || x.State != unix.NUD_PERMANENT || fmt.Sprint(e["state"]) != "[PERMANENT]" {
			t.Errorf("%v: rtnl %+v", e, x)
		}
	}
	if err := ns.c.NeighAdd(&n); !errors.Is(err, unix.EEXIST) {
		t.Errorf("duplicate NeighAdd = %v", err)
	}
	if err := ns.c.NeighDel(&Neigh{Index: va.Index, IP: n.IP}); err != nil {
		t.Fatal(err)
	}
	if j := ns.ip(t, "neigh", "show", "dev", "va", "to", "192.168.15.9"); len(j) != 0 {
		t.Errorf("neighbour survived NeighDel: %v", j)
	}
}

// TestIntegrationBatch: a namespace set up in one batch, one failure in
// the middle mapped to its request, the others applied.
func TestIntegrationBatch(t *testing.T) {
	host := newTestNS(t, "rtnl-bhost")
	red := newTestNS(t, "rtnl-bred")
	if err := host.c.LinkAdd(&Link{Name: "veth-red", Info: &Veth{Peer: Link{Name: "eth0", NetNS: red.f}}}); err != nil {
		t.Fatal(err)
	}
	eth0 := red.link(t, "eth0")
	lo := red.link(t, "lo")
	ip := netip.MustParseAddr("192.168.15.2")
	b := red.c.Batch()
	b.LinkSet(&Link{Index: lo.Index, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	b.LinkSet(&Link{Index: eth0.Index, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	b.AddrAdd(&Addr{Index: eth0.Index, Local: ip, PrefixLen: 24})
	b.AddrAdd(&Addr{Index: eth0.Index, Local: ip, PrefixLen: 24}) // fails: EEXIST
	b.RouteAdd(&Route{Gateway: netip.MustParseAddr("192.168.15.1")})
	b.NeighAdd(&Neigh{Index: eth0.Index, IP: netip.MustParseAddr("192.168.15.1"), LLAddr: net.HardwareAddr{2, 0, 0, 0, 0, 1}})
	err := b.Flush()
	var oe *OpError
	if !errors.As(err, &oe) || oe.Op != "addr add" || !errors.Is(err, unix.EEXIST) {
		t.Fatalf("Flush() = %v, want the second addr add to fail with EEXIST", err)
	}
	if joined := err.(interface{ Unwrap() []error }).Unwrap(); len(joined) != 1 {
		t.Errorf("Flush() = %v, want exactly one error", err)
	}
	if d := one(t, red.ip(t, "route", "show", "default")); d["gateway"] != "192.168.15.1" {
		t.Errorf("default route: %v", d)
	}
	if j := one(t, red.ip(t, "link", "show", "dev", "lo")); !slices.Contains(j["flags"].([]any), any("UP")) {
		t.Errorf("lo not up: %v", j)
	}
	if j := red.ip(t, "neigh", "show", "192.168.15.1"); len(j) != 1 {
		t.Errorf("neighbour: %v", j)
	}
}

// TestIntegrationDumpManyLinks: a dump that spans many datagrams (and
// so many NLMSG_DONE-less reads) comes back whole.
func TestIntegrationDumpManyLinks(t *testing.T) {
	ns := newTestNS(t, "rtnl-many")
	b := ns.c.Batch()
	const n = 300
	for i := range n {
		b.LinkAdd(&Link{Name: fmt.Sprintf("br%d", i), Info: &Bridge{}})
	}
	start := time.Now()
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bridges in one batch: %v", n, time.Since(start))
	links, err := ns.c.Links()
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != n+1 {
		t.Errorf("dumped %d links, want %d", len(links), n+1)
	}
	if j := ns.ip(t, "link", "show"); len(j) != n+1 {
		t.Errorf("ip shows %d links", len(j))
	}
}
