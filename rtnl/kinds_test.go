package rtnl

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// The words below are iproute2 6.1's, as `ip` prints them (and as the
// tables in its sources named at each String method list them).

func TestLinkFlagsWords(t *testing.T) {
	for _, tt := range []struct {
		f    LinkFlags
		want string
	}{
		{LinkUp | LinkRunning | LinkLowerUp | LinkLoopback, "LOOPBACK,UP,LOWER_UP"},
		{LinkUp | LinkBroadcast | LinkMulticast, "NO-CARRIER,BROADCAST,MULTICAST,UP"},
		{LinkBroadcast | 0x80000000, "BROADCAST,80000000"},
		{LinkNoARP | LinkPointToPoint | LinkUp | LinkRunning, "POINTOPOINT,NOARP,UP"},
		{LinkPromisc | LinkAllMulti | LinkMaster | LinkSlave | LinkDebug | LinkDynamic | LinkAutoMedia | LinkPortSel | LinkNoTrailers | LinkDormant | LinkEcho,
			"ALLMULTI,PROMISC,MASTER,SLAVE,DEBUG,DYNAMIC,AUTOMEDIA,PORTSEL,NOTRAILERS,DORMANT,ECHO"},
		{0, ""},
	} {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("LinkFlags(%#x) = %q, want %q", uint32(tt.f), got, tt.want)
		}
	}
	if LinkUp != unix.IFF_UP || LinkLowerUp != unix.IFF_LOWER_UP || LinkPointToPoint != unix.IFF_POINTOPOINT {
		t.Error("LinkFlags constants are not the kernel's IFF_* bits")
	}
}

func TestKindStrings(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{LinkModeDefault.String(), "DEFAULT"}, {LinkModeDormant.String(), "DORMANT"}, {LinkMode(9).String(), "9"},
		{HardwareEther.String(), "ether"}, {HardwareLoopback.String(), "loopback"}, {HardwareNone.String(), "none"},
		{HardwareType(65533).String(), "[65533]"},
		{FamilyInet.String(), "inet"}, {FamilyInet6.String(), "inet6"}, {FamilyBridge.String(), "bridge"},
		{FamilyPacket.String(), "link"}, {Family(42).String(), "42"},
		{ScopeUniverse.String(), "global"}, {ScopeLink.String(), "link"}, {ScopeHost.String(), "host"},
		{ScopeSite.String(), "site"}, {ScopeNowhere.String(), "nowhere"}, {Scope(100).String(), "100"},
		{RouteUnicast.String(), "unicast"}, {RouteUnspec.String(), "none"}, {RouteBlackhole.String(), "blackhole"},
		{RouteXResolve.String(), "xresolve"}, {RouteType(12).String(), "12"},
		{ProtoKernel.String(), "kernel"}, {ProtoBoot.String(), "boot"}, {ProtoDHCP.String(), "dhcp"},
		{RouteProtocol(99).String(), "openr"}, {RouteProtocol(200).String(), "200"},
		{PrefMedium.String(), "medium"}, {PrefHigh.String(), "high"}, {PrefLow.String(), "low"}, {RoutePref(2).String(), "2"},
		{strings.Join((RouteOnLink | RouteLinkDown | RouteDead).Words(), " "), "dead onlink linkdown"},
		{NeighReachable.String(), "REACHABLE"}, {NeighNone.String(), "NONE"},
		{(NeighStale | NeighPermanent).String(), "STALE PERMANENT"}, {NeighState(0x100).String(), "0x100"},
		{(AddrNoDAD | AddrPermanent).String(), "nodad permanent"},
		{strings.Join((AddrPermanent).Words(FamilyInet), " "), ""},
		{strings.Join((AddrSecondary).Words(FamilyInet), " "), "secondary dynamic"},
		{strings.Join((AddrSecondary | AddrPermanent | AddrTentative).Words(FamilyInet6), " "), "temporary tentative"},
		{strings.Join((AddrMngTmpAddr | AddrNoPrefixRoute | AddrStablePrivacy | AddrPermanent).Words(FamilyInet6), " "),
			"mngtmpaddr noprefixroute stable-privacy"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if w := RouteFlags(0).Words(); w == nil || len(w) != 0 {
		t.Errorf("no route flags = %#v, want an empty list (ip -j prints flags:[])", w)
	}
}

// TestParseNames: every value a parser accepts by name is the one whose
// String is that name, for all 256 values of each one-byte kind.
func TestParseNames(t *testing.T) {
	for v := range 256 {
		if s, ok := ParseScope(Scope(v).String()); !ok || s != Scope(v) {
			t.Errorf("ParseScope(%q) = %d, %v", Scope(v), s, ok)
		}
		if p, ok := ParseRouteProtocol(RouteProtocol(v).String()); !ok || p != RouteProtocol(v) {
			t.Errorf("ParseRouteProtocol(%q) = %d, %v", RouteProtocol(v), p, ok)
		}
		if r, ok := ParseRouteType(RouteType(v).String()); !ok || r != RouteType(v) {
			t.Errorf("ParseRouteType(%q) = %d, %v", RouteType(v), r, ok)
		}
	}
	for _, n := range addrFlagNames {
		if f, ok := ParseAddrFlag(n.name); !ok || f != n.bit {
			t.Errorf("ParseAddrFlag(%q) = %#x, %v", n.name, f, ok)
		}
	}
	if s, ok := ParseScope("universe"); !ok || s != ScopeUniverse {
		t.Error("universe is not scope 0")
	}
	for _, bad := range []string{"", "256", "globa", "-1", "link "} {
		if _, ok := ParseScope(bad); ok {
			t.Errorf("ParseScope(%q) accepted", bad)
		}
	}
}

// fuzzParse checks a name parser: a word it accepts names a value whose
// String the parser reads back as the same value.
func fuzzParse[T interface{ String() string }](f *testing.F, parse func(string) (T, bool), seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parse(s)
		if !ok {
			return
		}
		w, ok := parse(v.String())
		if !ok || w.String() != v.String() {
			t.Fatalf("%q parses as %v, whose name %q parses as %v, %v", s, v, v.String(), w, ok)
		}
	})
}

func FuzzParseScope(f *testing.F) {
	fuzzParse(f, ParseScope, "global", "universe", "link", "host", "0x10", "017", "255", "nowhere")
}

func FuzzParseRouteProtocol(f *testing.F) {
	fuzzParse(f, ParseRouteProtocol, "boot", "kernel", "static", "dhcp", "42", "0xff")
}

func FuzzParseRouteType(f *testing.F) {
	fuzzParse(f, ParseRouteType, "unicast", "local", "none", "blackhole", "12", "0x1")
}

func FuzzParseAddrFlag(f *testing.F) {
	fuzzParse(f, ParseAddrFlag, "nodad", "temporary", "secondary", "mngtmpaddr", "stable-privacy", "home")
}
