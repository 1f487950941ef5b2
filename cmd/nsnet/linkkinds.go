package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/rtnl"
)

// The words after `link add ... type KIND` for the kinds beyond veth and
// bridge (those are in link.go): each kind is one entry of linkKinds and
// one parse function here, reading the words as that kind's
// *_parse_opt in iproute2 6.1 (ip/iplink_KIND.c) does.

// A kindSpec is a parsed `type KIND ...`: the rtnl kind, and the names
// its options refer to, looked up when the command runs.
type kindSpec struct {
	info rtnl.LinkInfo
	dev  string // vxlan "dev DEV": IFLA_VXLAN_LINK
}

// linkKind is one kind `link add` creates with its own options.
type linkKind struct {
	name  string
	parse func(ctx string, args []string) (kindSpec, error)
}

// linkKinds lists them, in no particular order (kinds are whole words).
func linkKinds() []linkKind {
	return []linkKind{
		{"vxlan", parseVxlan},
		{"macvlan", func(ctx string, args []string) (kindSpec, error) {
			m, err := parseMacvlan(ctx, args)
			return kindSpec{info: &m}, err
		}},
		{"macvtap", func(ctx string, args []string) (kindSpec, error) {
			m, err := parseMacvlan(ctx, args)
			return kindSpec{info: &rtnl.Macvtap{Macvlan: m}}, err
		}},
		{"dummy", noOptions(func() rtnl.LinkInfo { return &rtnl.Dummy{} })},
		{"ifb", noOptions(func() rtnl.LinkInfo { return &rtnl.Ifb{} })},
		{"vrf", parseVrf},
		{"vlan", parseVlan},
	}
}

// kindNames lists the kinds link add knows, for messages and help.
func kindNames() string {
	names := []string{"veth", "bridge"}
	for _, k := range linkKinds() {
		names = append(names, k.name)
	}
	return strings.Join(names, ", ")
}

// findKind returns the parser of a kind, or nil.
func findKind(name string) *linkKind {
	for _, k := range linkKinds() {
		if k.name == name {
			return &k
		}
	}
	return nil
}

func noOptions(mk func() rtnl.LinkInfo) func(string, []string) (kindSpec, error) {
	return func(ctx string, args []string) (kindSpec, error) {
		if len(args) > 0 {
			return kindSpec{}, fmt.Errorf("%s: unexpected %q: this kind takes no options", ctx, args[0])
		}
		return kindSpec{info: mk()}, nil
	}
}

// kindArgs walks the option words of a kind; val returns the word after
// the current keyword.
type kindArgs struct {
	ctx  string
	args []string
	i    int
}

func (k *kindArgs) val(what string) (string, error) {
	return nextArg(k.ctx, k.args, &k.i, k.args[k.i], what)
}

func (k *kindArgs) uint(what string, lo, hi uint64) (uint64, error) {
	v, err := k.val(what)
	if err != nil {
		return 0, err
	}
	return parseNumber(what, v, lo, hi)
}

// parseNumber reads a number as iproute2's get_u32(..., 0) does, with
// strtoul's base 0: decimal, 0x hex or 0 octal.
func parseNumber(what, s string, lo, hi uint64) (uint64, error) {
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil || n < lo || n > hi || strings.Contains(s, "_") {
		return 0, fmt.Errorf("%s %q is invalid: expected a number from %d to %d", what, s, lo, hi)
	}
	return n, nil
}

func (k *kindArgs) addr(what string) (netip.Addr, error) {
	v, err := k.val("an IPv4 or IPv6 address")
	if err != nil {
		return netip.Addr{}, err
	}
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%s: %s %q is invalid: expected an IPv4 or IPv6 address", k.ctx, what, v)
	}
	return a, nil
}

// parseVxlan is iproute2's vxlan_parse_opt: the same keywords, tried in
// its order so that abbreviations resolve as there.
func parseVxlan(ctx string, args []string) (kindSpec, error) {
	v := &rtnl.Vxlan{}
	spec := kindSpec{info: v}
	learning, hasID, isGroup := true, false, false
	k := &kindArgs{ctx: ctx, args: args}
	on := func(b bool) *bool { return &b }
	for ; k.i < len(args); k.i++ {
		w := args[k.i]
		var err error
		var n uint64
		switch {
		case matches(w, "id"), matches(w, "vni"):
			if n, err = k.uint("VNI", 0, 1<<24-1); err == nil {
				v.ID, hasID = uint32(n), true
			}
		case matches(w, "group"), matches(w, "remote"):
			if v.Group.IsValid() {
				return spec, fmt.Errorf("%s: both group and remote cannot be specified", ctx)
			}
			isGroup = matches(w, "group")
			what := map[bool]string{true: "group", false: "remote"}[isGroup]
			if v.Group, err = k.addr(what); err == nil && isGroup != v.Group.IsMulticast() {
				err = fmt.Errorf("%s: %s %s is invalid: a group is a multicast address, a remote is not", ctx, what, v.Group)
			}
		case matches(w, "local"):
			if v.Local, err = k.addr("local"); err == nil && v.Local.IsMulticast() {
				err = fmt.Errorf("%s: local %s is invalid: expected a unicast address", ctx, v.Local)
			}
		case matches(w, "dev"):
			if spec.dev, err = k.val("an interface name"); err == nil {
				err = checkIfName("interface name", spec.dev)
			}
		case matches(w, "ttl"), matches(w, "hoplimit"):
			var s string
			if s, err = k.val("a TTL, auto or inherit"); err != nil {
				break
			}
			switch s {
			case "inherit":
				v.TTLInherit = true
			case "auto":
				var z uint8
				v.TTL = &z
			default:
				n, err = parseNumber("TTL", s, 0, 255)
				t := uint8(n)
				v.TTL = &t
			}
		case matches(w, "tos"), matches(w, "dsfield"):
			var s string
			if s, err = k.val("a TOS or inherit"); err == nil {
				if s == "inherit" {
					v.TOS = rtnl.VxlanTOSInherit
				} else {
					n, err = parseNumber("TOS", s, 0, 255)
					v.TOS = uint8(n)
				}
			}
		case matches(w, "df"):
			var s string
			if s, err = k.val("unset, set or inherit"); err == nil {
				d, ok := map[string]uint8{"unset": rtnl.VxlanDFUnset, "set": rtnl.VxlanDFSet, "inherit": rtnl.VxlanDFInherit}[s]
				if !ok {
					err = fmt.Errorf("%s: df %q is invalid: expected unset, set or inherit", ctx, s)
				}
				v.DF = &d
			}
		case matches(w, "label"), matches(w, "flowlabel"):
			if n, err = k.uint("flow label", 0, 0xfffff); err == nil {
				v.Label = uint32(n)
			}
		case matches(w, "ageing"):
			var s string
			if s, err = k.val("seconds or none"); err == nil {
				if s != "none" {
					n, err = parseNumber("ageing", s, 0, 1<<32-1)
				}
				a := uint32(n)
				v.Ageing = &a
			}
		case matches(w, "maxaddress"):
			var s string
			if s, err = k.val("a number or unlimited"); err == nil && s != "unlimited" {
				n, err = parseNumber("maxaddress", s, 0, 1<<32-1)
				v.Limit = uint32(n)
			}
		case matches(w, "port"), matches(w, "srcport"):
			var lo, hi uint64
			if lo, err = k.uint("source port", 0, 65535); err == nil {
				if hi, err = k.uint("source port", 0, 65535); err == nil {
					if hi < lo {
						return spec, fmt.Errorf("%s: srcport %d %d: the high port is below the low one", ctx, lo, hi)
					}
					v.PortRange = &rtnl.VxlanPortRange{Low: uint16(lo), High: uint16(hi)}
				}
			}
		case matches(w, "dstport"):
			if n, err = k.uint("dstport", 0, 65535); err == nil {
				v.Port = uint16(n)
			}
		case matches(w, "nolearning"):
			learning = false
		case matches(w, "learning"):
			learning = true
		case matches(w, "noproxy"):
			v.Proxy = false
		case matches(w, "proxy"):
			v.Proxy = true
		case matches(w, "norsc"):
			v.RSC = false
		case matches(w, "rsc"):
			v.RSC = true
		case matches(w, "nol2miss"):
			v.L2Miss = false
		case matches(w, "l2miss"):
			v.L2Miss = true
		case matches(w, "nol3miss"):
			v.L3Miss = false
		case matches(w, "l3miss"):
			v.L3Miss = true
		case matches(w, "udpcsum"):
			v.UDPCsum = on(true)
		case matches(w, "noudpcsum"):
			v.UDPCsum = on(false)
		case matches(w, "udp6zerocsumtx"):
			v.UDPZeroCsum6TX = on(true)
		case matches(w, "noudp6zerocsumtx"):
			v.UDPZeroCsum6TX = on(false)
		case matches(w, "udp6zerocsumrx"):
			v.UDPZeroCsum6RX = on(true)
		case matches(w, "noudp6zerocsumrx"):
			v.UDPZeroCsum6RX = on(false)
		case matches(w, "remcsumtx"):
			v.RemCsumTX = true
		case matches(w, "noremcsumtx"):
			v.RemCsumTX = false
		case matches(w, "remcsumrx"):
			v.RemCsumRX = true
		case matches(w, "noremcsumrx"):
			v.RemCsumRX = false
		case matches(w, "external"):
			v.External, learning = true, false // iproute2: metadata implies nolearning
		case matches(w, "noexternal"):
			v.External = false
		case matches(w, "gbp"):
			v.GBP = true
		case matches(w, "gpe"):
			v.GPE = true
		default:
			return spec, fmt.Errorf("%s: unknown vxlan option %q, try \"nsnet link help\"", ctx, w)
		}
		if err != nil {
			return spec, err
		}
	}
	switch {
	case v.External && hasID:
		return spec, fmt.Errorf("%s: both external and id cannot be specified", ctx)
	case !v.External && !hasID:
		return spec, fmt.Errorf("%s: missing virtual network identifier: expected id VNI", ctx)
	case isGroup && spec.dev == "":
		return spec, fmt.Errorf("%s: group requires dev to be specified", ctx)
	case v.Local.IsValid() && v.Group.IsValid() && v.Local.Is4() != v.Group.Is4():
		return spec, fmt.Errorf("%s: local %s and %s are not of the same family", ctx, v.Local, v.Group)
	}
	if v.GPE && v.Port == 0 {
		v.Port = 4790
	}
	v.Learning = &learning // iproute2 always sends it at creation
	return spec, nil
}

// parseMacvlan is iproute2's macvlan_parse_opt (macvlan and macvtap):
// mode private|vepa|bridge|passthru|source, nopromisc, nodst, bcqueuelen.
func parseMacvlan(ctx string, args []string) (rtnl.Macvlan, error) {
	var m rtnl.Macvlan
	k := &kindArgs{ctx: ctx, args: args}
	for ; k.i < len(args); k.i++ {
		w := args[k.i]
		switch {
		case matches(w, "mode"):
			s, err := k.val("private, vepa, bridge, passthru or source")
			if err != nil {
				return m, err
			}
			mode, ok := rtnl.ParseMacvlanMode(s)
			if !ok {
				return m, fmt.Errorf("%s: mode %q is invalid: expected private, vepa, bridge, passthru or source", ctx, s)
			}
			m.Mode = mode
		case matches(w, "nopromisc"):
			m.Flags |= rtnl.MacvlanNoPromisc
		case matches(w, "nodst"):
			m.Flags |= rtnl.MacvlanNoDst
		case matches(w, "bcqueuelen"):
			n, err := k.uint("bcqueuelen", 0, 1<<32-1)
			if err != nil {
				return m, err
			}
			m.BCQueueLen = uint32(n)
		default:
			return m, fmt.Errorf("%s: unknown macvlan option %q: expected mode MODE, nopromisc, nodst or bcqueuelen N", ctx, w)
		}
	}
	if m.Flags&rtnl.MacvlanNoDst != 0 && m.Mode != rtnl.MacvlanPassthru && m.Mode != rtnl.MacvlanSource {
		return m, fmt.Errorf("%s: nodst only applies to mode passthru or source", ctx)
	}
	return m, nil
}

// parseVrf is iproute2's vrf_parse_opt: table N (required by the kernel).
func parseVrf(ctx string, args []string) (kindSpec, error) {
	v := &rtnl.Vrf{}
	k := &kindArgs{ctx: ctx, args: args}
	for ; k.i < len(args); k.i++ {
		if args[k.i] != "table" {
			return kindSpec{}, fmt.Errorf("%s: unknown vrf option %q: expected table N", ctx, args[k.i])
		}
		n, err := k.uint("table", 1, 1<<32-1)
		if err != nil {
			return kindSpec{}, err
		}
		v.Table = uint32(n)
	}
	if v.Table == 0 {
		return kindSpec{}, fmt.Errorf("%s: table is required: expected type vrf table N", ctx)
	}
	return kindSpec{info: v}, nil
}

// parseVlan is iproute2's vlan_parse_opt: id N (required), protocol
// 802.1Q|802.1ad.
func parseVlan(ctx string, args []string) (kindSpec, error) {
	v := &rtnl.Vlan{}
	hasID := false
	k := &kindArgs{ctx: ctx, args: args}
	for ; k.i < len(args); k.i++ {
		w := args[k.i]
		switch {
		case matches(w, "protocol"):
			s, err := k.val("802.1Q or 802.1ad")
			if err != nil {
				return kindSpec{}, err
			}
			p, ok := rtnl.ParseVlanProtocol(s)
			if !ok {
				return kindSpec{}, fmt.Errorf("%s: protocol %q is invalid: expected 802.1Q or 802.1ad", ctx, s)
			}
			v.Protocol = p
		case matches(w, "id"):
			n, err := k.uint("VLAN id", 0, 4094)
			if err != nil {
				return kindSpec{}, err
			}
			v.ID, hasID = uint16(n), true
		default:
			return kindSpec{}, fmt.Errorf("%s: unknown vlan option %q: expected id N [protocol 802.1Q|802.1ad]", ctx, w)
		}
	}
	if !hasID {
		return kindSpec{}, fmt.Errorf("%s: id is required: expected type vlan id N", ctx)
	}
	return kindSpec{info: v}, nil
}

// resolve looks up the names the kind's options refer to.
func (s kindSpec) resolve(byName func(name string) (int32, error)) error {
	if v, ok := s.info.(*rtnl.Vxlan); ok && s.dev != "" {
		i, err := byName(s.dev)
		if err != nil {
			return err
		}
		v.Link = uint32(i)
	}
	return nil
}
