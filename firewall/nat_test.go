package firewall

import (
	"github.com/nsnet/nsnet/nft"
	"strings"
	"testing"
)

func TestParseNAT(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"masquerade 192.168.15.0/24", "masquerade 192.168.15.0/24"},
		{"masquerade 192.168.15.7/24 oif eth0", "masquerade 192.168.15.0/24 oif eth0"},
		{"masquerade fd00::1/64", "masquerade fd00::/64"},
		{"forward tcp 8080 192.168.15.2:80", "forward tcp 8080 192.168.15.2:80"},
		{"forward udp 53 [fd00::2]:53 iif eth0", "forward udp 53 [fd00::2]:53 iif eth0"},
		{"forward tcp 8080 192.168.15.2:80 hairpin 192.168.15.9/24 iif br0", "forward tcp 8080 192.168.15.2:80 iif br0 hairpin 192.168.15.0/24"},
	} {
		r, err := ParseNAT(strings.Fields(tt.in))
		if err != nil {
			t.Errorf("ParseNAT(%q): %v", tt.in, err)
			continue
		}
		if r.String() != tt.want {
			t.Errorf("ParseNAT(%q) = %q, want %q", tt.in, r, tt.want)
		}
	}
	for _, tt := range []struct{ in, err string }{
		{"", "expected masquerade or forward"},
		{"snat 10.0.0.0/8", `"snat": expected masquerade or forward`},
		{"masquerade", "masquerade: expected SRC_CIDR [oif DEV]"},
		{"masquerade 10.0.0.0", `masquerade: "10.0.0.0" is not a network in CIDR form ADDRESS/LENGTH`},
		{"masquerade 10.0.0.0/33", `masquerade: "10.0.0.0/33" is not a network in CIDR form`},
		{"forward tcp 80 10.0.0.1:80 hairpin 10.0.0.0", `forward: hairpin: "10.0.0.0" is not a network in CIDR form`},
		{"masquerade 10.0.0.0/8 oif", "masquerade: oif needs a value"},
		{"masquerade 10.0.0.0/8 oif a oif b", "masquerade: oif given twice"},
		{"masquerade 10.0.0.0/8 iif eth0", `masquerade: unexpected "iif" (expected oif)`},
		{"masquerade 10.0.0.0/8 oif averyveryverylongname", `masquerade oif: invalid interface name "averyveryverylongname"`},
		{"masquerade ::ffff:10.0.0.0/104", "masquerade ::ffff:10.0.0.0/104: use the IPv4 form"},
		{"forward tcp 8080", "forward: expected tcp|udp PORT DEST_IP:PORT [iif DEV]"},
		{"forward icmp 1 10.0.0.1:1", `forward: protocol "icmp" is not tcp or udp`},
		{"forward tcp 0 10.0.0.1:80", "forward: port 0"},
		{"forward tcp 65536 10.0.0.1:80", `forward: port "65536"`},
		{"forward tcp 80 10.0.0.1", `forward: target "10.0.0.1" is not ADDRESS:PORT`},
		{"forward tcp 80 10.0.0.1:0", "forward: target 10.0.0.1:0 has port 0"},
		{"forward tcp 80 0.0.0.0:80", "forward: target 0.0.0.0 is not a unicast address"},
		{"forward tcp 80 10.0.0.1:80 hairpin fd00::/64", "forward: hairpin network fd00::/64 and target 10.0.0.1 are not the same family"},
		{"forward tcp 80 10.0.0.1:80 iif a/b", `forward iif: invalid interface name "a/b"`},
	} {
		_, err := ParseNAT(strings.Fields(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("ParseNAT(%q) = %v, want an error starting %q", tt.in, err, tt.err)
		}
		// Issue 9 L6: no Go internals in what the user reads.
		if err != nil && strings.Contains(err.Error(), "netip.") {
			t.Errorf("ParseNAT(%q): %q shows Go's parser", tt.in, err)
		}
	}
}

// TestNATRuleChains: which kernel rules each NAT rule is made of.
func TestNATRuleChains(t *testing.T) {
	for _, tt := range []struct{ in, chains string }{
		{"masquerade 10.0.0.0/8", "postrouting"},
		{"forward tcp 80 10.0.0.1:80", "prerouting output postrouting"},
		{"forward tcp 80 10.0.0.1:80 iif eth0", "prerouting postrouting"},
	} {
		var got []string
		for _, r := range mustParseNAT(t, tt.in).rules() {
			if r.Family != nft.FamilyINet || r.Table != NATTable || r.Comment != tt.in {
				t.Errorf("%s: rule %+v is not in inet nsnet with the canonical comment", tt.in, r)
			}
			got = append(got, r.Chain)
		}
		if strings.Join(got, " ") != tt.chains {
			t.Errorf("%s: chains %v, want %s", tt.in, got, tt.chains)
		}
	}
}
