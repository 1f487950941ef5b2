package main

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/internal/ifname"
	"github.com/nsnet/nsnet/nsutil"
)

// checkIfName refuses, before anything changes, an interface name the
// kernel would refuse or rename (ifname.Check has the rule). what names
// the argument in the message ("interface name", "peer name"...).
func checkIfName(what, name string) error {
	if err := ifname.Check(name); err != nil {
		return fmt.Errorf("%s %q: %w", what, name, err)
	}
	return nil
}

// checkNSName accepts what iproute2's invalid_name() accepts for a named
// network namespace (nsutil.ValidName: non-empty, at most NAME_MAX bytes,
// no '/', not "." or ".."). It is a pure check: nothing is opened.
func checkNSName(name string) error {
	if err := nsutil.ValidName(name); err != nil {
		return fmt.Errorf("invalid netns name %q: %w", name, err)
	}
	return nil
}

// parseMAC reads a 6-byte Ethernet address like aa:bb:cc:dd:ee:ff.
func parseMAC(s string) (net.HardwareAddr, error) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return nil, fmt.Errorf("%q is not a MAC address: expected six hex bytes like aa:bb:cc:dd:ee:ff", s)
	}
	return hw, nil
}

// parseUint reads a decimal number in [lo, hi]; what names it.
func parseUint(what, s string, lo, hi uint64) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s %q is invalid: expected a whole number from %d to %d", what, s, lo, hi)
	}
	return n, nil
}

// checkFamily refuses an address of the other family when -4 or -6 was given.
func checkFamily(a netip.Addr, o opts, s string) error {
	switch {
	case o.family == 4 && !a.Is4():
		return fmt.Errorf("%q is not an IPv4 address, and -4 was given", s)
	case o.family == 6 && !a.Is6():
		return fmt.Errorf("%q is not an IPv6 address, and -6 was given", s)
	}
	return nil
}

// familyVerbose is iproute2's family_name_verbose() of -4/-6, for the
// ip dialect's messages.
func familyVerbose(o opts) string {
	switch o.family {
	case 4:
		return "inet"
	case 6:
		return "inet6"
	}
	return "any valid"
}

// parseIP reads one IPv4 or IPv6 address (no prefix length).
func parseIP(s string, o opts) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, withIP(fmt.Errorf("%q is not an IP address: expected e.g. 192.168.15.1 or fe80::1", s), 1,
			"Error: %s address is expected rather than %q.", familyVerbose(o), s) // utils.c get_addr
	}
	a = a.Unmap()
	return a, checkFamily(a, o, s)
}

// parseIfAddr reads an interface address, "192.168.15.1/24"; without a
// prefix length it is a host address (/32, /128), as in iproute2.
func parseIfAddr(s string, o opts) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := parseIP(s, o)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an address: expected ADDRESS/PREFIXLEN like 192.168.15.1/24", s)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || p.Addr().Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an address with prefix length: expected ADDRESS/PREFIXLEN like 192.168.15.1/24", s)
	}
	return p, checkFamily(p.Addr(), o, s)
}

// parseRoutePrefix reads a route destination: "default" (also "any",
// "all" as in iproute2), a network "192.168.1.0/24" with no host bits
// set, or one address (a host route). A bare "default" is IPv4 unless -6.
func parseRoutePrefix(s string, o opts) (netip.Prefix, error) {
	switch s {
	case "default", "any", "all":
		if o.family == 6 {
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0), nil
		}
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
	}
	p, err := parseIfAddr(s, o)
	if err != nil {
		return netip.Prefix{}, withIP(fmt.Errorf("%q is not a route destination: expected default or a network like 192.168.1.0/24", s), 1,
			"Error: %s prefix is expected rather than %q.", familyVerbose(o), s) // utils.c get_prefix
	}
	if p != p.Masked() {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set: expected the network address %s", s, p.Masked())
	}
	return p, nil
}
