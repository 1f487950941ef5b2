package main

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// FuzzParse feeds parse arbitrary argument vectors (words separated by
// one space, so empty words, tabs and newlines occur). Property: parse
// never panics, and whatever it accepts is valid, since nothing is checked
// after it: every interface name passes the kernel's rules, every
// namespace name iproute2's, every address is valid and the same parse
// gives the same request.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"ip link add veth-red type veth peer name veth-blue netns red",
		"ip link set dev v-net-0 up mtu 1400 master br0 name x address aa:bb:cc:dd:ee:ff",
		"ip -n red addr add 192.168.15.1/24 brd + dev veth-red label veth-red:1",
		"ip route add default via 192.168.15.5 dev x metric 5",
		"ip neigh add 192.168.15.9 lladdr aa:bb:cc:dd:ee:ff dev veth-red nud stale",
		"ip netns exec red ip link",
		"ping -c3 -W 1 192.168.15.2",
		"nsnet nat forward tcp 8080 192.168.15.2:80 iif eth0",
		"ip link add veth-red-is-too-long type veth peer name x",
		"ip -4 -j -p a s dev lo up",
	} {
		f.Add(s)
	}
	f.Add("ip tuntap add dev t0 mode tap user 1000 group 5 pi one_queue vnet_hdr multi_queue")
	f.Add("ip tuntap del name t0 mode tun")
	for _, c := range linkKindCases {
		f.Add("ip -d link add " + c.args)
	}
	for _, tt := range badInput {
		f.Add(tt.argv)
	}
	f.Fuzz(func(t *testing.T, s string) {
		argv := strings.Split(s, " ")
		inv, err := parse(argv)
		if err != nil {
			return
		}
		if inv.opts.netns != "" {
			if err := checkNSName(inv.opts.netns); err != nil {
				t.Fatalf("accepted -n %q: %v", inv.opts.netns, err)
			}
		}
		checkAccepted(t, reflect.ValueOf(inv.req), "")
		again, err := parse(argv)
		if err != nil || !reflect.DeepEqual(again, inv) {
			t.Fatalf("parse is not deterministic: %v\n%#v\n%#v", err, inv, again)
		}
	})
}

// checkAccepted walks a request and checks the names and addresses in it.
// typ is the name of the enclosing request type.
func checkAccepted(t *testing.T, v reflect.Value, typ string) {
	t.Helper()
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			checkAccepted(t, v.Elem(), typ)
		}
		return
	case reflect.Struct:
	default:
		return
	}
	if typ == "" || strings.HasPrefix(v.Type().Name(), "link") || strings.HasPrefix(v.Type().Name(), "netns") {
		typ = v.Type().Name()
	}
	if !v.CanAddr() {
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		v = c
	}
	for i := 0; i < v.NumField(); i++ {
		// Unexported fields are read through their address.
		fv := v.Field(i)
		fv = reflect.NewAt(fv.Type(), unsafe.Pointer(fv.UnsafeAddr())).Elem()
		name := v.Type().Field(i).Name
		switch x := fv.Interface().(type) {
		case string:
			if x == "" {
				continue
			}
			var err error
			switch {
			case name == "netns" || strings.HasPrefix(typ, "netns") && name == "name":
				err = checkNSName(x) // (a PID passes too)
			case name == "dev" || name == "master" || name == "name":
				err = checkIfName(name, x)
			}
			if err != nil {
				t.Fatalf("%s.%s = %q accepted: %v", typ, name, x, err)
			}
		case netip.Addr:
			if x.IsValid() && x.Zone() != "" {
				t.Fatalf("%s.%s = %v has a zone", typ, name, x)
			}
		case netip.Prefix:
			if x.IsValid() && (x.Bits() < 0 || x.Bits() > x.Addr().BitLen()) {
				t.Fatalf("%s.%s = %v is not a prefix", typ, name, x)
			}
		default:
			checkAccepted(t, fv, typ)
		}
	}
}
