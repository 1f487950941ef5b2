package main

import (
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nsnet/nsnet/probe"
	"github.com/nsnet/nsnet/rtnl"
)

// allFields lets cmp compare the unexported fields of request values.
var allFields = cmp.Exporter(func(reflect.Type) bool { return true })

func ptr[T any](v T) *T { return &v }

func mac(s string) net.HardwareAddr {
	hw, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return hw
}

// TestParse covers every command form of issue 2, the abbreviations
// iproute2 users type, and the multi-call names. parse is pure, so this
// needs no privileges and changes nothing.
func TestParse(t *testing.T) {
	pfx := netip.MustParsePrefix
	ip := netip.MustParseAddr
	for _, tt := range []struct {
		argv string
		opts opts
		req  request
	}{
		// netns
		{argv: "ip netns", req: netnsListReq{}},
		{argv: "ip netns list", req: netnsListReq{}},
		{argv: "ip netns l", req: netnsListReq{}},
		{argv: "ip netns show", req: netnsListReq{}},
		{argv: "ip net", req: netnsListReq{}},
		{argv: "ip netns add red", req: netnsAddReq{"red"}},
		{argv: "ip netns a red", req: netnsAddReq{"red"}},
		{argv: "ip netns del red", req: netnsDelReq{"red"}},
		{argv: "ip netns delete blue", req: netnsDelReq{"blue"}},
		{argv: "ip netns exec red ip link", req: netnsExecReq{"red", []string{"ip", "link"}}},
		{argv: "ip netns exec red ping 192.168.15.2", req: netnsExecReq{"red", []string{"ping", "192.168.15.2"}}},
		{argv: "ip netns e red sh -c true", req: netnsExecReq{"red", []string{"sh", "-c", "true"}}},
		{argv: "ip netns help", req: helpReq{netnsUsage}},
		// link show, with abbreviations
		{argv: "ip link", req: linkShowReq{}},
		{argv: "ip l", req: linkShowReq{}},
		{argv: "ip -n red link", opts: opts{netns: "red"}, req: linkShowReq{}},
		{argv: "ip -netns red link", opts: opts{netns: "red"}, req: linkShowReq{}},
		{argv: "ip --json link", opts: opts{json: true}, req: linkShowReq{}},
		{argv: "ip -j -p l", opts: opts{json: true, pretty: true}, req: linkShowReq{}},
		{argv: "ip -br a", opts: opts{brief: true}, req: addrShowReq{}},
		{argv: "ip -brief -j link", opts: opts{brief: true, json: true}, req: linkShowReq{}},
		{argv: "ip link show", req: linkShowReq{}},
		{argv: "ip link ls", req: linkShowReq{}},
		{argv: "ip link list", req: linkShowReq{}},
		{argv: "ip link show dev veth-red", req: linkShowReq{dev: "veth-red"}},
		{argv: "ip link sh veth-red", req: linkShowReq{dev: "veth-red"}},
		{argv: "ip link show master v-net-0", req: linkShowReq{master: "v-net-0"}},
		{argv: "ip link show type bridge", req: linkShowReq{kind: "bridge"}},
		{argv: "ip link show up type veth", req: linkShowReq{kind: "veth", up: true}},
		// link add
		{argv: "ip link add veth-red type veth peer name veth-blue",
			req: linkAddReq{link: linkArgs{name: "veth-red"}, kind: "veth", peer: &linkArgs{name: "veth-blue"}}},
		{argv: "ip link add veth-red type veth peer name veth-red-br netns red",
			req: linkAddReq{link: linkArgs{name: "veth-red"}, kind: "veth", peer: &linkArgs{name: "veth-red-br", netns: "red"}}},
		{argv: "ip link add name veth-red up mtu 9000 master v-net-0 type veth peer veth-br",
			req: linkAddReq{link: linkArgs{name: "veth-red", state: 1, mtu: 9000, master: "v-net-0"}, kind: "veth", peer: &linkArgs{name: "veth-br"}}},
		{argv: "ip link add dev x type veth", req: linkAddReq{link: linkArgs{name: "x"}, kind: "veth"}},
		{argv: "ip link add v-net-0 type bridge", req: linkAddReq{link: linkArgs{name: "v-net-0"}, kind: "bridge"}},
		{argv: "ip link a v-net-0 ty bridge", req: linkAddReq{link: linkArgs{name: "v-net-0"}, kind: "bridge"}},
		// link set: every setting, several at once, abbreviations
		{argv: "ip link set dev v-net-0 up", req: linkSetReq{linkArgs{dev: "v-net-0", state: 1}}},
		{argv: "ip link set veth-red netns red", req: linkSetReq{linkArgs{dev: "veth-red", netns: "red"}}},
		{argv: "ip link set veth-red netns 1234", req: linkSetReq{linkArgs{dev: "veth-red", netns: "1234"}}},
		{argv: "ip -n red link set veth-red up", opts: opts{netns: "red"}, req: linkSetReq{linkArgs{dev: "veth-red", state: 1}}},
		{argv: "ip link set veth-red-br master v-net-0", req: linkSetReq{linkArgs{dev: "veth-red-br", master: "v-net-0"}}},
		{argv: "ip link set veth-red-br nomaster", req: linkSetReq{linkArgs{dev: "veth-red-br", nomaster: true}}},
		{argv: "ip link set x down mtu 1400 name y address aa:bb:cc:dd:ee:01 txqueuelen 500",
			req: linkSetReq{linkArgs{dev: "x", state: -1, mtu: 1400, name: "y", addr: mac("aa:bb:cc:dd:ee:01"), txqlen: 500}}},
		{argv: "ip link s x up", req: linkSetReq{linkArgs{dev: "x", state: 1}}},
		{argv: "ip link change x addr aa:bb:cc:dd:ee:02", req: linkSetReq{linkArgs{dev: "x", addr: mac("aa:bb:cc:dd:ee:02")}}},
		// link del
		{argv: "ip -n red link del veth-red", opts: opts{netns: "red"}, req: linkDelReq{"veth-red"}},
		{argv: "ip link delete dev veth-red", req: linkDelReq{"veth-red"}},
		{argv: "ip link d x", req: linkDelReq{"x"}},
		// addr
		{argv: "ip a", req: addrShowReq{}},
		{argv: "ip addr", req: addrShowReq{}},
		{argv: "ip address show", req: addrShowReq{}},
		{argv: "ip addr sh", req: addrShowReq{}},
		{argv: "ip a s dev lo", req: addrShowReq{dev: "lo"}},
		{argv: "ip a ls lo up", req: addrShowReq{dev: "lo", f: addrFilter{up: true}}},
		{argv: "ip addr show dev x scope link -tentative permanent label 'x*' to 10.0.0.0/8", req: addrShowReq{dev: "x",
			f: addrFilter{scope: rtnl.ScopeLink, scopeMask: 0xff, flags: rtnl.AddrPermanent, flagMask: rtnl.AddrPermanent | rtnl.AddrTentative, label: "'x*'", to: pfx("10.0.0.0/8")}, family: 4}},
		{argv: "ip a s primary dynamic", req: addrShowReq{f: addrFilter{flagMask: rtnl.AddrSecondary | rtnl.AddrPermanent}}},
		{argv: "ip a s -temporary", req: addrShowReq{f: addrFilter{flagMask: rtnl.AddrSecondary}}},
		{argv: "ip addr flush dev eth0", req: addrShowReq{dev: "eth0", flush: true}},
		{argv: "ip -4 addr flush dev eth0 scope global", opts: opts{family: 4}, req: addrShowReq{dev: "eth0", flush: true, f: addrFilter{scopeMask: 0xff}, family: 4}},
		{argv: "ip a f label eth0:* mngtmpaddr", req: addrShowReq{flush: true, f: addrFilter{label: "eth0:*", flags: rtnl.AddrMngTmpAddr, flagMask: rtnl.AddrMngTmpAddr}}},
		{argv: "ip addr flush dev x scope all", req: addrShowReq{dev: "x", flush: true}},
		{argv: "ip -4 a", opts: opts{family: 4}, req: addrShowReq{family: 4}},
		{argv: "ip -n red addr add 192.168.15.1/24 dev veth-red", opts: opts{netns: "red"},
			req: addrReq{prefix: pfx("192.168.15.1/24"), dev: "veth-red"}},
		{argv: "ip addr add 192.168.15.5/24 dev v-net-0", req: addrReq{prefix: pfx("192.168.15.5/24"), dev: "v-net-0"}},
		{argv: "ip a a 10.0.0.1/8 brd + dev x label x:1", req: addrReq{prefix: pfx("10.0.0.1/8"), dev: "x", brd: ip("10.255.255.255"), label: "x:1"}},
		{argv: "ip addr add local 10.0.0.1 dev x scope link", req: addrReq{prefix: pfx("10.0.0.1/32"), dev: "x", scope: rtnl.ScopeLink}},
		{argv: "ip -6 addr add fd00::1/64 dev x", opts: opts{family: 6}, req: addrReq{prefix: pfx("fd00::1/64"), dev: "x"}},
		{argv: "ip addr del 192.168.15.1/24 dev veth-red", req: addrReq{del: true, prefix: pfx("192.168.15.1/24"), dev: "veth-red"}},
		{argv: "ip a d 192.168.15.1/24 dev veth-red", req: addrReq{del: true, prefix: pfx("192.168.15.1/24"), dev: "veth-red"}},
		// busybox zcip.script: a bare address matches any prefix length
		{argv: "ip address del dev eth0 local 169.254.10.20", req: addrReq{del: true, prefix: pfx("169.254.10.20/32"), dev: "eth0", anyLen: true}},
		{argv: "ip -6 addr del fd00::1 dev x", opts: opts{family: 6}, req: addrReq{del: true, prefix: pfx("fd00::1/128"), dev: "x"}},
		// busybox ifupdown's loopback: 127/8 defaults to scope host
		{argv: "ip addr add 127.0.0.1/8 dev lo", req: addrReq{prefix: pfx("127.0.0.1/8"), dev: "lo", scope: rtnl.ScopeHost}},
		{argv: "ip addr add 127.0.0.2/8 dev lo scope global", req: addrReq{prefix: pfx("127.0.0.2/8"), dev: "lo"}},
		{argv: "ip addr add 10.0.0.1/24 dev x valid_lft forever preferred_lft 3600", req: addrReq{prefix: pfx("10.0.0.1/24"), dev: "x",
			lft: true, valid: rtnl.Forever, preferred: 3600}},
		{argv: "ip -6 addr add fd00::1/64 dev x nodad noprefixroute", opts: opts{family: 6}, req: addrReq{prefix: pfx("fd00::1/64"), dev: "x",
			flags: rtnl.AddrNoDAD | rtnl.AddrNoPrefixRoute}},
		// route
		{argv: "ip r", req: routeShowReq{}},
		{argv: "ip ro", req: routeShowReq{}},
		{argv: "ip route show", req: routeShowReq{}},
		{argv: "ip route sh dev veth-red", req: routeShowReq{dev: "veth-red"}},
		{argv: "ip -6 r", opts: opts{family: 6}, req: routeShowReq{}},
		{argv: "ip route add 192.168.1.0/24 via 192.168.15.5", req: routeReq{dst: pfx("192.168.1.0/24"), via: ip("192.168.15.5")}},
		{argv: "ip route add default via 192.168.15.5", req: routeReq{dst: pfx("0.0.0.0/0"), via: ip("192.168.15.5")}},
		{argv: "ip route add default via fe80::1 dev x", req: routeReq{dst: pfx("::/0"), via: ip("fe80::1"), dev: "x"}},
		{argv: "ip r a 10.0.0.0/8 dev x metric 100 src 10.1.1.1 proto static scope link",
			req: routeReq{dst: pfx("10.0.0.0/8"), dev: "x", metric: 100, src: ip("10.1.1.1"), proto: rtnl.ProtoStatic, scope: rtnl.ScopeLink, hasScope: true}},
		{argv: "ip route add to 10.9.9.9 dev x table main", req: routeReq{dst: pfx("10.9.9.9/32"), dev: "x", table: "main"}},
		{argv: "ip route add blackhole 10.4.0.0/16 table 100", req: routeReq{dst: pfx("10.4.0.0/16"), typ: rtnl.RouteBlackhole, table: "100"}},
		{argv: "ip route add unreachable default", req: routeReq{dst: pfx("0.0.0.0/0"), typ: rtnl.RouteUnreachable}},
		{argv: "ip route del local 10.8.0.1 dev x", req: routeReq{del: true, dst: pfx("10.8.0.1/32"), typ: rtnl.RouteLocal, dev: "x"}},
		{argv: "ip route show table all", req: routeShowReq{f: routeFilter{table: "all"}}},
		{argv: "ip route replace default via 10.0.0.1", req: routeReq{dst: pfx("0.0.0.0/0"), via: ip("10.0.0.1"), mode: rtnl.RouteModeReplace}},
		{argv: "ip route chg 10.1.0.0/16 dev x", req: routeReq{dst: pfx("10.1.0.0/16"), dev: "x", mode: rtnl.RouteModeChange}},
		{argv: "ip route append 10.1.0.0/16 dev x", req: routeReq{dst: pfx("10.1.0.0/16"), dev: "x", mode: rtnl.RouteModeAppend}},
		{argv: "ip route prepend 10.1.0.0/16 dev x", req: routeReq{dst: pfx("10.1.0.0/16"), dev: "x", mode: rtnl.RouteModePrepend}},
		{argv: "ip route flush table 100 proto static", req: routeShowReq{flush: true, f: routeFilter{table: "100", proto: ptr(rtnl.ProtoStatic)}}},
		{argv: "ip route show root 10.0.0.0/8 type blackhole", req: routeShowReq{f: routeFilter{root: pfx("10.0.0.0/8"), typ: ptr(rtnl.RouteBlackhole)}}},
		{argv: "ip route show match 10.9.1.5", req: routeShowReq{f: routeFilter{mtch: pfx("10.9.1.5/32")}}},
		{argv: "ip route show 10.9.0.0/16 dev x", req: routeShowReq{dev: "x", f: routeFilter{root: pfx("10.9.0.0/16"), mtch: pfx("10.9.0.0/16")}}},
		{argv: "ip rule add from 10.1.0.0/16 table wan pref 5", req: ruleReq{ruleArgs: ruleArgs{table: "wan",
			rule: rtnl.Rule{Family: rtnl.FamilyInet, Src: ip("10.1.0.0"), SrcLen: 16, Priority: 5, HasPriority: true}}}},
		{argv: "ip route del default", req: routeReq{del: true, dst: pfx("0.0.0.0/0")}},
		{argv: "ip route d 192.168.1.0/24 via 192.168.15.5 metric 5", req: routeReq{del: true, dst: pfx("192.168.1.0/24"), via: ip("192.168.15.5"), metric: 5}},
		// neigh
		{argv: "ip n", req: neighShowReq{}},
		{argv: "ip neigh", req: neighShowReq{}},
		{argv: "ip neighbour show dev veth-red", req: neighShowReq{dev: "veth-red"}},
		{argv: "ip neighbor ls veth-red", req: neighShowReq{dev: "veth-red"}},
		{argv: "ip neigh add 192.168.15.9 lladdr aa:bb:cc:dd:ee:ff dev veth-red",
			req: neighReq{ip: ip("192.168.15.9"), lladdr: mac("aa:bb:cc:dd:ee:ff"), dev: "veth-red"}},
		{argv: "ip n a 192.168.15.9 lladdr aa:bb:cc:dd:ee:ff dev veth-red nud reachable",
			req: neighReq{ip: ip("192.168.15.9"), lladdr: mac("aa:bb:cc:dd:ee:ff"), dev: "veth-red", nud: rtnl.NeighReachable}},
		{argv: "ip neigh del 192.168.15.9 dev veth-red", req: neighReq{del: true, ip: ip("192.168.15.9"), dev: "veth-red"}},
		// help, version, multi-call
		{argv: "ip help", req: helpReq{mainUsage}},
		{argv: "ip help link", req: helpReq{linkUsage}},
		{argv: "ip link help", req: helpReq{linkUsage}},
		{argv: "ip a help", req: helpReq{addrUsage}},
		{argv: "ip route help", req: helpReq{routeUsage}},
		{argv: "ip n help", req: helpReq{neighUsage}},
		{argv: "ip -V", req: versionReq{}},
		{argv: "nsnet -Version", req: versionReq{}},
		{argv: "/usr/local/bin/nsnet link", req: linkShowReq{}},
		{argv: "ping -c 3 192.168.15.2", req: pingReq{dst: ip("192.168.15.2"), opts: probe.PingOptions{Count: 3}}},
		{argv: "/tmp/x/ping 192.168.15.2", req: pingReq{dst: ip("192.168.15.2")}},
		{argv: "ping -nq -c2 192.168.15.2", req: pingReq{dst: ip("192.168.15.2"), opts: probe.PingOptions{Count: 2}, quiet: true}},
		{argv: "nsnet -n red ping -c1 -W 2 -i 0.2 192.168.15.2", opts: opts{netns: "red"},
			req: pingReq{dst: ip("192.168.15.2"), opts: probe.PingOptions{Count: 1, Timeout: 2 * time.Second, Interval: 200 * time.Millisecond}}},
		{argv: "nsnet -n red arping veth-red 192.168.15.2", opts: opts{netns: "red"}, req: arpingReq{dev: "veth-red", dst: ip("192.168.15.2")}},
		{argv: "arping -c 2 -I veth-red 192.168.15.2", req: arpingReq{dev: "veth-red", dst: ip("192.168.15.2"), opts: probe.ArpingOptions{Count: 2}}},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			inv, err := parse(strings.Fields(tt.argv))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if diff := cmp.Diff(tt.opts, inv.opts, allFields); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.req, inv.req, allFields); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

// badInput is every bad-input class of issue 2's "How it is checked", and
// more: each must be refused by parse (exit 2, nothing changed) with a
// message that names what was expected.
var badInput = []struct {
	argv string
	want string // in the message
}{
	// interface names: > 15 bytes, '/', space-free, ':'...
	{"ip link add veth-red-is-too-long type veth peer name x", "at most 15"},
	{"ip link add x type veth peer name sixteen-bytes-xx", "at most 15"},
	{"ip link set dev sixteen-bytes-xx up", "at most 15"},
	{"ip link set x name sixteen-bytes-xx", "at most 15"},
	{"ip addr add 10.0.0.1/8 dev sixteen-bytes-xx", "at most 15"},
	{"ip link add a/b type veth peer name b", "'/'"},
	{"ip link add x type veth peer name a/b", "'/'"},
	{"ip link set x master a/b", "'/'"},
	{"ip link add a:b type bridge", "':'"},
	{"ip link add .. type bridge", "other than . and .."},
	// namespace names
	{"ip netns add ../x", "invalid netns name"},
	{"ip netns add a/b", "invalid netns name"},
	{"ip netns del ..", "invalid netns name"},
	{"ip netns exec ../x ls", "invalid netns name"},
	{"ip -n ../x link", "invalid netns name"},
	{"ip link set x netns ../x", "invalid netns name"},
	{"ip link add x type veth peer name y netns ../x", "invalid netns name"},
	// CIDRs and addresses
	{"ip addr add 192.168.15.300/24 dev x", "ADDRESS/PREFIXLEN"},
	{"ip addr add 192.168.15.1/33 dev x", "ADDRESS/PREFIXLEN"},
	{"ip addr add 192.168.15.1/ dev x", "ADDRESS/PREFIXLEN"},
	{"ip addr add banana dev x", "ADDRESS/PREFIXLEN"},
	{"ip -6 addr add 10.0.0.1/8 dev x", "not an IPv6 address"},
	{"ip route add 192.168.1.5/24 via 192.168.15.5", "host bits set"},
	{"ip route add 192.168.1.0/24 via 192.168.15", "not an IP address"},
	{"ip route add 10.0.0.0/8 via fe80::1", "other address family"},
	{"ip neigh add 192.168.15.999 lladdr aa:bb:cc:dd:ee:ff dev x", "not an IP address"},
	// MAC, MTU, metric, queue length
	{"ip link set x address zz:bb:cc:dd:ee:ff", "MAC address"},
	{"ip neigh add 10.0.0.1 lladdr aa:bb dev x", "MAC address"},
	{"ip link set x mtu 0", "MTU"},
	{"ip link set x mtu big", "MTU"},
	{"ip link set x mtu -5", "MTU"},
	{"ip route add 10.0.0.0/8 dev x metric -1", "metric"},
	{"ip route add 10.0.0.0/8 dev x metric 4294967296", "metric"},
	{"ip link set x txqueuelen many", "txqueuelen"},
	// unknown object, verb, option, kind
	{"ip foo", `object "foo" is unknown`},
	{"ip link foo", `command "foo" is unknown`},
	{"ip addr bar", `command "bar" is unknown`},
	{"ip netns frob", `command "frob" is unknown`},
	{"ip -Z link", `option "-Z" is unknown`},
	{"ip -b cmds.txt", "not supported"},
	{"ip tunnel", "not implemented"},
	{"ip rule add", "expected a selector"},
	{"ip rule add pref bar", "preference value is invalid"},
	{"ip rule add from foo", `"foo" is not an address`},
	{"ip rule add uidrange 5", "invalid UID range"},
	{"ip rule add sport 1-x", "invalid port range"},
	{"ip rule show fwmark x", "fwmark value is invalid"},
	{"ip rule add l3mdev table 5", "cannot be given for an l3mdev rule"},
	{"ip link replace x type bridge", "not implemented"},
	{"ip route get 1.1.1.1", "not implemented"},
	{"ip route replace 10.0.0.0/8", "expected a gateway"},
	{"ip route flush", "expected a selector"},
	{"ip route show type frob", "frob"},
	{"ip route show root 10.0.0.0/33", "10.0.0.0/33"},
	{"ip link add x type bareudp", `type "bareudp" is not supported`},
	{"ip link add x type bridge stp_state 1", "no bridge options"},
	{"ip link add x type veth peer name y up", "cannot be created up"},
	{"ip link set x master br0 nomaster", "contradict"},
	{"ip link add x type veth garbage", "expected peer name PEER"},
	{"ip link set x y", "garbage"},
	{"ip route add 10.0.0.0/8 dev x 10.1.0.0/16", "garbage"},
	// missing arguments
	{"ip", "expected an OBJECT"},
	{"ip link add", "expected NAME type veth"},
	{"ip link add x", `"type" is required`},
	{"ip link add x type", "needs a value"},
	{"ip link add x type veth peer name", "needs a value"},
	{"ip link set", `"dev" is required`},
	{"ip link set up", `"dev" is required`},
	{"ip link set x mtu", "needs a value"},
	{"ip link set x netns", "needs a value"},
	{"ip link del", `"dev" is required`},
	{"ip addr add 10.0.0.1/8", `"dev" is required`},
	{"ip addr add dev x", "address is missing"},
	{"ip addr del 10.0.0.1/8 dev", "needs a value"},
	{"ip route add", "destination is missing"},
	{"ip route add 10.0.0.0/8", "expected a gateway"},
	{"ip route add default via", "needs a value"},
	{"ip neigh add 10.0.0.1 dev x", `"lladdr" is required`},
	{"ip neigh add lladdr aa:bb:cc:dd:ee:ff dev x", "required"},
	{"ip netns add", "exactly one namespace NAME"},
	{"ip netns add red blue", "exactly one namespace NAME"},
	{"ip netns exec", "expected a namespace NAME"},
	{"ip netns exec red", "no command specified"},
	{"ip -n", "needs a namespace name"},
	{"ping", "one destination"},
	{"ping -c 0 10.0.0.1", "ping: -c"},
	{"ping -c 10.0.0.1", "one destination"},
	{"nsnet arping 10.0.0.1", "expected an interface and an address"},
}

func TestParseBadInput(t *testing.T) {
	for _, tt := range badInput {
		t.Run(tt.argv, func(t *testing.T) {
			inv, err := parse(strings.Fields(tt.argv))
			if err == nil {
				t.Fatalf("parse accepted it: %#v", inv.req)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestAbbreviationsFollowIproute2 pins the prefix-matching order of
// ip.c's cmds[]: the first object the word abbreviates wins.
func TestAbbreviationsFollowIproute2(t *testing.T) {
	for word, want := range map[string]string{
		"a": "address", "ad": "address", "addr": "address", "r": "route", "ro": "route",
		"n": "neighbor", "ne": "neighbor", "neighbour": "neighbour", "l": "link", "li": "link",
		"net": "netns", "netns": "netns", "m": "maddress", "ru": "rule", "h": "help",
		"ping": "ping", "arping": "arping",
	} {
		ob, err := findObject(word)
		if err != nil || ob.name != want {
			t.Errorf("findObject(%q) = %q, %v; want %q", word, ob.name, err, want)
		}
	}
	// nsnet's own objects are never abbreviated.
	for _, word := range []string{"pin", "arp"} {
		if ob, err := findObject(word); err == nil {
			t.Errorf("findObject(%q) = %q; nsnet's own objects must be typed in full", word, ob.name)
		}
	}
}

// TestRunBadInputExit2 runs the whole program on bad input: exit 2, the
// message on stderr, nothing on stdout. parse refuses before any system
// call, so this is safe without a sandbox.
func TestRunBadInputExit2(t *testing.T) {
	for _, tt := range badInput {
		var out, errb strings.Builder
		argv := strings.Fields(tt.argv)
		argv[0] = "nsnet" // nsnet's dialect; as ip, iproute2's codes (TestIPDialectUsage)
		code := run(argv, &out, &errb)
		if code != 2 || out.Len() != 0 || !strings.HasPrefix(errb.String(), "nsnet: ") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and a message", tt.argv, code, out.String(), errb.String())
		}
		out.Reset()
		errb.Reset()
		argv[0] = "ip"
		if code := run(argv, &out, &errb); code == 0 || out.Len() != 0 || errb.Len() == 0 {
			t.Errorf("as ip, %s: exit %d, stdout %q, stderr %q; want a failure and a message", tt.argv, code, out.String(), errb.String())
		}
	}
}
