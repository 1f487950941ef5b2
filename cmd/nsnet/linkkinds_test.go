package main

import (
	"bytes"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"

	"github.com/nsnet/nsnet/rtnl"
)

// linkKindCases are `link add` commands for the kinds of linkkinds.go;
// name is the link they create.
var linkKindCases = []struct{ name, args string }{
	{"vx0", "vx0 type vxlan id 42 dstport 4789 local 10.0.0.1 remote 10.0.0.2 dev kv0 ttl 10 nolearning"},
	{"vx1", "vx1 type vxlan id 43 group 239.1.1.1 dev kv0 dstport 0 udpcsum"},
	{"vx6", "vx6 type vxlan id 44 local 2001:db8::1 remote 2001:db8::2 dstport 4789 ttl auto noudpcsum"},
	{"vx2", "vx2 type vxlan id 45 dstport 4789 local 2001:db8::5 tos inherit df set flowlabel 5 ageing 100 maxaddress 7 srcport 1000 2000 proxy rsc l2miss l3miss udp6zerocsumtx noudp6zerocsumrx"},
	{"vx3", "vx3 type vxlan external dstport 4789 gbp"},
	{"vx4", "vx4 type vxlan vni 0x2e dstport 4789 ttl inherit tos 0x10 df inherit ageing none"},
	{"mv0", "mv0 link kv0 type macvlan mode bridge"},
	{"mv1", "mv1 link kv0 type macvlan mode private"},
	{"mv2", "mv2 link kv0 type macvlan mode passthru nopromisc"},
	{"mv3", "mv3 link kv0 type macvlan"},
	{"mt0", "mt0 link kv0 type macvtap mode vepa"},
	{"ifb0", "ifb0 type ifb"},
}

// TestLinkKindsSameAsIP creates each kind with nsnet (as ip), compares
// `-d link show` and `-d -j link show` byte for byte with iproute2's,
// and deletes it; then does the same with the link created by iproute2.
func TestLinkKindsSameAsIP(t *testing.T) {
	sandbox.Require(t)
	realIP(t)
	nsnet(t, "link", "add", "kv0", "type", "veth", "peer", "name", "kv1")
	cleanup(t, nil, []string{"kv0"})
	for _, tt := range linkKindCases {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"link", "add"}, strings.Fields(tt.args)...)
			for _, maker := range []string{"nsnet", "ip"} {
				if maker == "nsnet" {
					var out, errb bytes.Buffer
					if code := run(append([]string{"ip"}, args...), &out, &errb); code != 0 {
						t.Fatalf("ip (nsnet) %s: exit %d: %s", tt.args, code, errb.String())
					}
				} else {
					ipRun(t, args...)
				}
				sameAsIP(t, false, "-d", "link", "show", "dev", tt.name)
				sameAsIP(t, false, "-d", "-j", "link", "show", "dev", tt.name)
				sameAsIP(t, false, "link", "show", "type", strings.Fields(tt.args)[slicesIndex(strings.Fields(tt.args), "type")+1])
				nsnet(t, "link", "del", tt.name)
				if _, _, code := nsnetCode("link", "show", "dev", tt.name); code == 0 {
					t.Fatalf("%s still there after link del", tt.name)
				}
			}
		})
	}
}

func slicesIndex(s []string, w string) int {
	for i, v := range s {
		if v == w {
			return i
		}
	}
	return -1
}

// TestLinkKindsRefusedAsIP: the kinds this kernel lacks are refused by
// the kernel, and nsnet linked as ip says so as iproute2 does, with its
// exit status; nothing is created.
func TestLinkKindsRefusedAsIP(t *testing.T) {
	sandbox.Require(t)
	ipPath := realIP(t)
	nsnet(t, "link", "add", "kr0", "type", "veth", "peer", "name", "kr1")
	cleanup(t, nil, []string{"kr0"})
	for _, c := range []string{
		"d0 type dummy",
		"vrf0 type vrf table 10",
		"link kr0 name kr0.5 type vlan id 5",
		"link kr0 name kr0.6 type vlan protocol 802.1ad id 6",
	} {
		args := append([]string{"link", "add"}, strings.Fields(c)...)
		var ipOut, ipErr bytes.Buffer
		cmd := exec.Command(ipPath, args...)
		cmd.Stdout, cmd.Stderr = &ipOut, &ipErr
		ipCode := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			ipCode = ee.ExitCode()
		}
		var out, errb bytes.Buffer
		code := run(append([]string{"ip"}, args...), &out, &errb)
		if code != ipCode || errb.String() != ipErr.String() || out.String() != ipOut.String() {
			t.Errorf("ip link add %s: nsnet exit %d %q, iproute2 exit %d %q", c, code, errb.String(), ipCode, ipErr.String())
		}
		if ipCode == 0 {
			t.Errorf("ip link add %s succeeded: does this kernel have the kind now? (test it for real)", c)
		}
	}
	if got := ipRun(t, "-o", "link", "show"); strings.Count(got, "\n") != 3 { // lo, kr0, kr1
		t.Errorf("a refused link add left something:\n%s", got)
	}
}

func TestParseLinkKinds(t *testing.T) {
	for _, tt := range []struct{ cmd, want string }{
		{"ip link add x type vxlan dstport 4789", "missing virtual network identifier"},
		{"ip link add x type vxlan id 1 group 10.0.0.1 dev y", "a group is a multicast address"},
		{"ip link add x type vxlan id 1 group 239.0.0.1", "group requires dev"},
		{"ip link add x type vxlan id 1 remote 10.0.0.1 group 239.0.0.1", "both group and remote"},
		{"ip link add x type vxlan id 1 external", "both external and id"},
		{"ip link add x type vxlan id 16777216", "VNI"},
		{"ip link add x type vxlan id 1 ttl 256", "TTL"},
		{"ip link add x type vxlan id 1 srcport 10 5", "below"},
		{"ip link add x type vxlan id 1 df maybe", "unset, set or inherit"},
		{"ip link add x type vxlan id 1 frob", `unknown vxlan option "frob"`},
		{"ip link add x type vxlan id 1 local 10.0.0.1 remote 2001:db8::1", "same family"},
		{"ip link add x link y type macvlan mode bri", `mode "bri" is invalid`},
		{"ip link add x link y type macvlan mode bridge nodst", "nodst only applies"},
		{"ip link add x type vrf", "table is required"},
		{"ip link add x type vrf table 0", "table"},
		{"ip link add x link y type vlan", "id is required"},
		{"ip link add x link y type vlan id 4095", "VLAN id"},
		{"ip link add x link y type vlan id 5 protocol 802.1x", "802.1Q or 802.1ad"},
		{"ip link add x type dummy foo", "takes no options"},
		{"ip link add x type wireguard", `type "wireguard" is not supported`},
		{"ip link set x link y", "only be given to link add"},
		{"ip link add x type veth peer name y link z", "no lower device"},
	} {
		_, err := parse(strings.Fields(tt.cmd))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to say %q", tt.cmd, err, tt.want)
		}
	}
	inv, err := parse(strings.Fields("ip -d link add x link y type vlan protocol 802.1AD id 7"))
	if err != nil || !inv.opts.details {
		t.Fatalf("parse: %v %+v", err, inv)
	}
	r := inv.req.(linkAddReq)
	if r.link.link != "y" || r.kind != "vlan" {
		t.Errorf("parsed as %+v", r)
	}
}

// FuzzParseLinkKinds: whatever `link add ... type KIND` accepts encodes,
// and the kernel's view of that request (rtnl's decoder) is what was
// parsed.
func FuzzParseLinkKinds(f *testing.F) {
	for _, c := range linkKindCases {
		f.Add(c.args)
	}
	f.Add("x link y type vlan protocol 802.1ad id 6")
	f.Add("x type vrf table 10")
	f.Fuzz(func(t *testing.T, s string) {
		inv, err := parse(append([]string{"ip", "link", "add"}, strings.Fields(s)...))
		if err != nil {
			return
		}
		r, ok := inv.req.(linkAddReq)
		if !ok || r.spec.info == nil {
			return
		}
		l := rtnl.Link{Name: "x", Info: r.spec.info}
		b, err := l.MarshalBinary()
		if err != nil {
			t.Fatalf("%q parsed but does not encode: %v", s, err)
		}
		var back rtnl.Link
		if err := back.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(back.Info, l.Info) {
			t.Fatalf("%q: the request decodes to %#v, parsed %#v (%v)", s, back.Info, l.Info, err)
		}
	})
}
