package firewall

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

func mustParseNAT(t testing.TB, s string) NATRule {
	t.Helper()
	r, err := ParseNAT(strings.Fields(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNATAddListDelFlush(t *testing.T) {
	sandbox.Require(t)
	ns := newNS(t)
	c := dialIn(t, ns)
	// Nothing there yet: list is empty, del is ErrNotFound, flush is a no-op.
	if list, err := c.List(); err != nil || len(list) != 0 {
		t.Fatalf("NATList on an empty ruleset = %v, %v", list, err)
	}
	if err := c.Del(Masquerade{Src: mustPrefix("10.0.0.0/8")}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("NATDel on an empty ruleset = %v, want ErrNotFound", err)
	}
	rules := []NATRule{
		Masquerade{Src: netip.MustParsePrefix("192.168.15.0/24"), OutIface: "eth0"},
		Masquerade{Src: netip.MustParsePrefix("fd00:15::/64")},
		Forward{Proto: "tcp", Port: 8080, To: netip.MustParseAddrPort("192.168.15.2:80")},
		Forward{Proto: "udp", Port: 5353, To: netip.MustParseAddrPort("[fd00:15::2]:53"), InIface: "eth0"},
	}
	for _, r := range rules {
		added, err := c.Add(r)
		if err != nil || !added {
			t.Fatalf("NATAdd(%s) = %v, %v; want true, nil", r, added, err)
		}
	}
	for _, r := range rules {
		added, err := c.Add(r)
		if err != nil || added {
			t.Fatalf("second NATAdd(%s) = %v, %v; want false (no change), nil", r, added, err)
		}
	}
	out := runIn(t, ns, "nft", "list", "table", "inet", "nsnet")
	for _, want := range []string{
		`ip saddr 192.168.15.0/24 oifname "eth0" counter packets 0 bytes 0 masquerade comment "masquerade 192.168.15.0/24 oif eth0"`,
		`ip6 saddr fd00:15::/64 counter packets 0 bytes 0 masquerade comment "masquerade fd00:15::/64"`,
		`fib daddr type local tcp dport 8080 counter packets 0 bytes 0 dnat ip to 192.168.15.2:80 comment "forward tcp 8080 192.168.15.2:80"`,
		`ip daddr != 127.0.0.0/8 fib daddr type local tcp dport 8080 counter packets 0 bytes 0 dnat ip to 192.168.15.2:80 comment "forward tcp 8080 192.168.15.2:80"`,
		`ct status dnat ip daddr 192.168.15.2 tcp dport 80 counter packets 0 bytes 0 masquerade comment "forward tcp 8080 192.168.15.2:80"`,
		`iifname "eth0" meta nfproto ipv6 fib daddr type local udp dport 5353 counter packets 0 bytes 0 dnat ip6 to [fd00:15::2]:53 comment "forward udp 5353 [fd00:15::2]:53 iif eth0"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("nft list lacks\n\t%s\nin\n%s", want, out)
		}
	}
	list, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(rules) {
		t.Fatalf("NATList: %d entries, want %d: %+v", len(list), len(rules), list)
	}
	for i, e := range list {
		if e.Rule == nil || e.Rule.String() != rules[i].String() {
			t.Errorf("entry %d: %+v, want %s", i, e, rules[i])
		}
	}
	if n := len(list[2].Chains); n != 3 {
		t.Errorf("forward without iif: %d kernel rules, want 3 (prerouting, output, hairpin)", n)
	}
	if n := len(list[3].Chains); n != 2 {
		t.Errorf("forward with iif: %d kernel rules, want 2 (prerouting, hairpin)", n)
	}
	if err := c.Del(rules[0]); err != nil {
		t.Fatal(err)
	}
	err = c.Del(rules[0])
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("second NATDel: %v, want ErrNotFound", err)
	}
	t.Log(err)
	kept, err := c.Flush()
	if err != nil || len(kept) != 0 {
		t.Fatalf("Flush = %q, %v", kept, err)
	}
	kept, err = c.Flush()
	if err != nil || len(kept) != 0 {
		t.Fatalf("second Flush = %q, %v; want nothing, nil", kept, err)
	}
	if out := runIn(t, ns, "nft", "list", "ruleset"); strings.TrimSpace(out) != "" {
		t.Fatalf("ruleset after flush:\n%s", out)
	}
}
