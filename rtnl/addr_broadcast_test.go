package rtnl

import (
	"net/netip"
	"testing"
)

// TestBroadcast: the address `ip addr add ... brd +` sets, the one rule
// the CLI, topo and netops share.
func TestBroadcast(t *testing.T) {
	for in, want := range map[string]string{
		"192.168.15.1/24": "192.168.15.255",
		"10.20.3.4/16":    "10.20.255.255",
		"10.0.0.1/8":      "10.255.255.255",
		"10.0.0.1/30":     "10.0.0.3",
		"0.0.0.0/0":       "255.255.255.255",
		"10.0.0.1/31":     "invalid IP",
		"10.0.0.1/32":     "invalid IP",
		"fd00::1/64":      "invalid IP",
	} {
		if got := Broadcast(netip.MustParsePrefix(in)).String(); got != want {
			t.Errorf("Broadcast(%s) = %s, want %s", in, got, want)
		}
	}
}
