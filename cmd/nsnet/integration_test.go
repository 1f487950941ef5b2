package main

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// TestDirectVeth builds the seed's first picture with nsnet (two
// namespaces joined by one veth pair), checks it with iproute2, compares
// every view, and sends ICMP and TCP both ways.
func TestDirectVeth(t *testing.T) {
	sandbox.Require(t)
	cleanup(t, []string{"dv-red", "dv-blue"}, nil)
	nsnet(t, "netns", "add", "dv-red")
	nsnet(t, "netns", "add", "dv-blue")
	nsnet(t, "link", "add", "veth-dvr", "type", "veth", "peer", "name", "veth-dvb")
	nsnet(t, "link", "set", "veth-dvr", "netns", "dv-red")
	nsnet(t, "link", "set", "veth-dvb", "netns", "dv-blue")
	nsnet(t, "-n", "dv-red", "addr", "add", "10.71.0.1/24", "dev", "veth-dvr")
	nsnet(t, "-n", "dv-blue", "addr", "add", "10.71.0.2/24", "dev", "veth-dvb")
	nsnet(t, "-n", "dv-red", "link", "set", "veth-dvr", "up")
	nsnet(t, "-n", "dv-blue", "link", "set", "dev", "veth-dvb", "up", "mtu", "1400")
	nsnet(t, "-n", "dv-red", "link", "set", "lo", "up")
	nsnet(t, "-n", "dv-red", "neigh", "add", "10.71.0.9", "lladdr", "02:00:00:00:00:09", "dev", "veth-dvr")
	nsnet(t, "-n", "dv-red", "route", "add", "10.72.0.0/16", "via", "10.71.0.2", "metric", "7")

	// What nsnet made, as iproute2 sees it.
	red := byName(t, ipJSON(t, "-n", "dv-red", "addr"), "veth-dvr")
	if red["operstate"] != "UP" && red["operstate"] != "LOWERLAYERDOWN" || red["link_netnsid"] == nil {
		t.Errorf("ip sees veth-dvr as %v", red)
	}
	if ai := red["addr_info"].([]any); len(ai) == 0 || ai[0].(map[string]any)["local"] != "10.71.0.1" {
		t.Errorf("ip sees no 10.71.0.1 on veth-dvr: %v", red["addr_info"])
	}
	if blue := byName(t, ipJSON(t, "-n", "dv-blue", "link"), "veth-dvb"); blue["mtu"] != float64(1400) {
		t.Errorf("ip sees veth-dvb mtu %v, want 1400", blue["mtu"])
	}
	routes := ipJSON(t, "-n", "dv-red", "route")
	found := false
	for _, r := range routes {
		found = found || r["dst"] == "10.72.0.0/16" && r["gateway"] == "10.71.0.2" && r["metric"] == float64(7)
	}
	if !found {
		t.Errorf("ip sees no route 10.72.0.0/16 via 10.71.0.2 metric 7: %v", routes)
	}
	neigh := ipJSON(t, "-n", "dv-red", "neigh")
	if len(neigh) == 0 || neigh[0]["lladdr"] != "02:00:00:00:00:09" || neigh[0]["state"].([]any)[0] != "PERMANENT" {
		t.Errorf("ip sees neighbours %v", neigh)
	}

	compareAll(t, "dv-red", "dv-blue")
	pingCheck(t, "dv-red", "10.71.0.2")
	pingCheck(t, "dv-blue", "10.71.0.1")
	tcpCheck(t, "dv-blue", "10.71.0.2", "dv-red")
	tcpCheck(t, "dv-red", "10.71.0.1", "dv-blue")

	// And it comes apart again: deleting one end deletes both.
	nsnet(t, "-n", "dv-red", "route", "del", "10.72.0.0/16", "via", "10.71.0.2", "metric", "7")
	nsnet(t, "-n", "dv-red", "neigh", "del", "10.71.0.9", "dev", "veth-dvr")
	nsnet(t, "-n", "dv-red", "addr", "del", "10.71.0.1/24", "dev", "veth-dvr")
	nsnet(t, "-n", "dv-red", "link", "del", "veth-dvr")
	if l := ipJSON(t, "-n", "dv-blue", "link", "show", "type", "veth"); len(l) != 0 {
		t.Errorf("veth-dvb survived its peer: %v", l)
	}
}

// TestBridge connects two namespaces and the host through a bridge, as
// the seed's bridge section does, all with nsnet: ICMP and TCP between
// the namespaces and from the host to a namespace through the bridge's
// address.
func TestBridge(t *testing.T) {
	sandbox.Require(t)
	cleanup(t, []string{"br-red", "br-blue"}, []string{"br-t0", "veth-brr-br", "veth-brb-br"})
	nsnet(t, "netns", "add", "br-red")
	nsnet(t, "netns", "add", "br-blue")
	nsnet(t, "link", "add", "br-t0", "type", "bridge")
	nsnet(t, "link", "set", "dev", "br-t0", "up")
	// One veth created with its peer already in the namespace, one moved.
	nsnet(t, "link", "add", "veth-brr-br", "type", "veth", "peer", "name", "veth-brr", "netns", "br-red")
	nsnet(t, "link", "add", "veth-brb", "type", "veth", "peer", "name", "veth-brb-br")
	nsnet(t, "link", "set", "veth-brb", "netns", "br-blue")
	nsnet(t, "link", "set", "veth-brr-br", "master", "br-t0", "up")
	nsnet(t, "link", "set", "veth-brb-br", "master", "br-t0")
	nsnet(t, "link", "set", "veth-brb-br", "up")
	nsnet(t, "-n", "br-red", "addr", "add", "10.73.0.1/24", "dev", "veth-brr")
	nsnet(t, "-n", "br-blue", "addr", "add", "10.73.0.2/24", "brd", "+", "dev", "veth-brb")
	nsnet(t, "-n", "br-red", "link", "set", "veth-brr", "up")
	nsnet(t, "-n", "br-blue", "link", "set", "veth-brb", "up")
	nsnet(t, "addr", "add", "10.73.0.5/24", "dev", "br-t0")
	nsnet(t, "-n", "br-blue", "route", "add", "default", "via", "10.73.0.5")

	ports := ipJSON(t, "link", "show", "master", "br-t0")
	if len(ports) != 2 {
		t.Fatalf("ip sees %d ports on br-t0, want 2: %v", len(ports), ports)
	}
	sameAsIP(t, true, "link", "show", "master", "br-t0")
	sameAsIP(t, false, "link", "show", "master", "br-t0")
	sameAsIP(t, true, "link", "show", "type", "bridge")
	// (ip -j link show type bridge_slave prints an empty {} for every
	// other link, an iproute2 quirk nsnet does not copy: compare names.)
	var slaves []string
	for _, l := range decodeList(t, nsnet(t, "-j", "link", "show", "type", "bridge_slave")) {
		slaves = append(slaves, l["ifname"].(string))
	}
	if strings.Join(slaves, ",") != "veth-brr-br,veth-brb-br" && strings.Join(slaves, ",") != "veth-brb-br,veth-brr-br" {
		t.Errorf("bridge_slave links: %v", slaves)
	}
	compareAll(t, "br-red", "br-blue")

	pingCheck(t, "br-red", "10.73.0.2")
	pingCheck(t, "br-blue", "10.73.0.1")
	pingCheck(t, "", "10.73.0.1")
	pingCheck(t, "br-blue", "10.73.0.5")
	tcpCheck(t, "br-blue", "10.73.0.2", "br-red")
	tcpCheck(t, "br-red", "10.73.0.1", "")  // host -> namespace through the bridge address
	tcpCheck(t, "", "10.73.0.5", "br-blue") // namespace -> host

	nsnet(t, "link", "set", "veth-brb-br", "nomaster")
	if ports := ipJSON(t, "link", "show", "master", "br-t0"); len(ports) != 1 {
		t.Errorf("after nomaster ip sees %d ports, want 1", len(ports))
	}
}

// TestIPStateReadByNsnet builds state with the real iproute2 and checks
// that nsnet prints what ip prints, JSON and text, for every view.
func TestIPStateReadByNsnet(t *testing.T) {
	sandbox.Require(t)
	cleanup(t, []string{"ip-red", "ip-blue"}, []string{"ip-br0", "veth-ipr-br"})
	for _, c := range [][]string{
		{"netns", "add", "ip-red"},
		{"netns", "add", "ip-blue"},
		{"link", "add", "ip-br0", "type", "bridge"},
		{"link", "set", "ip-br0", "up"},
		{"link", "add", "veth-ipr", "type", "veth", "peer", "name", "veth-ipr-br"},
		{"link", "set", "veth-ipr", "netns", "ip-red"},
		{"link", "set", "veth-ipr-br", "master", "ip-br0"},
		{"link", "set", "veth-ipr-br", "up"},
		{"link", "add", "veth-ipb", "type", "veth", "peer", "name", "veth-ipb2"},
		{"link", "set", "veth-ipb", "netns", "ip-blue"},
		{"link", "set", "veth-ipb2", "netns", "ip-blue"},
		{"-n", "ip-red", "addr", "add", "10.74.0.1/24", "brd", "+", "dev", "veth-ipr"},
		{"-n", "ip-red", "addr", "add", "fd74::1/64", "dev", "veth-ipr"},
		{"-n", "ip-red", "link", "set", "veth-ipr", "up"},
		{"-n", "ip-red", "link", "set", "lo", "up"},
		{"addr", "add", "10.74.0.5/24", "dev", "ip-br0"},
		{"-n", "ip-red", "route", "add", "default", "via", "10.74.0.5"},
		{"-n", "ip-red", "route", "add", "10.75.0.0/16", "via", "10.74.0.5", "metric", "20"},
		{"-n", "ip-red", "route", "add", "10.76.0.0/16", "dev", "veth-ipr", "proto", "static"},
		{"-n", "ip-red", "neigh", "add", "10.74.0.9", "lladdr", "02:00:00:00:00:09", "dev", "veth-ipr"},
		{"-n", "ip-blue", "link", "set", "veth-ipb", "up"},
	} {
		ipRun(t, c...)
	}
	pingCheck(t, "ip-red", "10.74.0.5") // fills a REACHABLE neighbour entry
	compareAll(t, "ip-red", "ip-blue")
	sameAsIP(t, false, "-n", "ip-red", "link", "show", "dev", "veth-ipr")
	sameAsIP(t, true, "-n", "ip-red", "addr", "show", "dev", "veth-ipr")
	sameAsIP(t, true, "-n", "ip-red", "neigh", "show", "dev", "veth-ipr")
	sameAsIP(t, true, "-n", "ip-red", "route", "show", "dev", "veth-ipr")
	sameAsIP(t, false, "-n", "ip-red", "route", "show", "dev", "veth-ipr")
	// A namespace made by ip is usable by nsnet, and the reverse.
	nsnet(t, "-n", "ip-blue", "addr", "add", "10.77.0.1/24", "dev", "veth-ipb")
	ipRun(t, "netns", "exec", "ip-blue", realIP(t), "addr", "show", "dev", "veth-ipb")
}

// TestBadInputChangesNothing runs every bad input through the whole
// program inside the sandbox and proves that nothing changed.
func TestBadInputChangesNothing(t *testing.T) {
	sandbox.Require(t)
	before := snapshot(t)
	for _, tt := range badInput {
		if _, _, code := nsnetCode(strings.Fields(tt.argv)[1:]...); code != 2 {
			t.Errorf("%s: exit %d, want 2", tt.argv, code)
		}
	}
	if after := snapshot(t); after != before {
		t.Errorf("bad input changed the system:\nbefore: %s\nafter:  %s", before, after)
	}
}

func snapshot(t *testing.T) string {
	var b strings.Builder
	for _, v := range [][]string{{"netns"}, {"link"}, {"addr"}, {"route"}, {"-6", "route"}, {"neigh"}} {
		b.WriteString(ipRun(t, append([]string{"-j"}, v...)...))
	}
	return b.String()
}

// TestKernelRefusals: exit 1, and a sentence that names the object and
// says why, never a bare errno.
func TestKernelRefusals(t *testing.T) {
	sandbox.Require(t)
	cleanup(t, []string{"kr-red"}, []string{"veth-kr"})
	nsnet(t, "netns", "add", "kr-red")
	nsnet(t, "-n", "kr-red", "link", "add", "veth-kr", "type", "veth", "peer", "name", "veth-kr2")
	nsnet(t, "-n", "kr-red", "addr", "add", "10.78.0.1/24", "dev", "veth-kr")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-n", "kr-red", "link", "add", "veth-kr", "type", "veth", "peer", "name", "x1"},
			"nsnet: link add veth-kr: file exists (a link named veth-kr is already in namespace kr-red)"},
		{[]string{"link", "add", "veth-kr", "type", "veth", "peer", "name", "veth-kr2", "netns", "kr-red"},
			"nsnet: link add veth-kr: file exists (a link named veth-kr2 is already in namespace kr-red)"},
		{[]string{"link", "add", "veth-kr", "netns", "kr-red", "type", "veth", "peer", "name", "zz9"},
			"nsnet: link add veth-kr: file exists (a link named veth-kr is already in namespace kr-red)"},
		{[]string{"-n", "kr-red", "link", "del", "nope0"},
			"nsnet: link del nope0: no such device (there is no link named nope0 in namespace kr-red)"},
		{[]string{"-n", "kr-red", "link", "set", "veth-kr", "master", "nobr"},
			"there is no bridge named nobr in namespace kr-red"},
		{[]string{"-n", "kr-red", "link", "set", "veth-kr", "name", "veth-kr2"},
			"a link named veth-kr2 is already in namespace kr-red"},
		{[]string{"-n", "kr-red", "addr", "add", "10.78.0.1/24", "dev", "veth-kr"},
			"nsnet: addr add 10.78.0.1/24: file exists"},
		{[]string{"-n", "kr-red", "addr", "del", "10.78.0.2/24", "dev", "veth-kr"},
			"the link has no such address"},
		{[]string{"-n", "kr-red", "route", "add", "10.79.0.0/16", "via", "10.99.0.1"},
			"nsnet: route add 10.79.0.0/16: network is unreachable (the gateway is not on a subnet"},
		{[]string{"-n", "kr-red", "route", "del", "10.79.0.0/16"},
			"there is no such route in the main table of namespace kr-red"},
		{[]string{"netns", "add", "kr-red"},
			"a namespace named kr-red already exists"},
		{[]string{"netns", "del", "kr-nope"},
			"there is no namespace named kr-nope"},
		{[]string{"-n", "kr-nope", "link"},
			"there is no namespace named kr-nope"},
		{[]string{"link", "set", "veth-kr", "netns", "kr-nope"},
			"there is no"},
	} {
		_, stderr, code := nsnetCode(tt.args...)
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("nsnet %s: exit %d, %q; want exit 1 and %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
}

// TestLinkNamespaces covers the namespace forms of link add/set: the new
// link itself born in a namespace, and a move to a process's namespace
// given by PID (as iproute2 reads an all-digits word).
func TestLinkNamespaces(t *testing.T) {
	sandbox.Require(t)
	cleanup(t, []string{"ln-red"}, []string{"veth-lnz"})
	nsnet(t, "netns", "add", "ln-red")
	nsnet(t, "link", "add", "veth-lnx", "netns", "ln-red", "type", "veth", "peer", "name", "veth-lny")
	byName(t, ipJSON(t, "-n", "ln-red", "link"), "veth-lnx")
	byName(t, ipJSON(t, "link"), "veth-lny")
	nsnet(t, "-n", "ln-red", "link", "add", "veth-lnz", "type", "veth", "peer", "name", "veth-lnw")
	nsnet(t, "-n", "ln-red", "link", "set", "veth-lnz", "netns", strconv.Itoa(os.Getpid()))
	byName(t, ipJSON(t, "link"), "veth-lnz")
	_, stderr, code := nsnetCode("link", "set", "lo", "netns", "ln-red")
	if code != 1 || !strings.Contains(stderr, "this link cannot move to another namespace") {
		t.Errorf("moving lo: exit %d %q", code, stderr)
	}
	nsnet(t, "link", "del", "veth-lny")
}
