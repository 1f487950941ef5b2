package firewall

import (
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nft"
)

// iptAdd appends a rule given as the iptables words after "-t TABLE -A".
func iptAdd(t *testing.T, c *testConn, table, chain, words string) {
	t.Helper()
	r, err := ParseIPTRule(strings.Fields(words), false)
	if err != nil {
		t.Fatal(err)
	}
	ipt, err := NewIPT(c.Conn, false, table)
	if err != nil {
		t.Fatal(err)
	}
	if err := ipt.Append(chain, r); err != nil {
		t.Fatalf("-t %s -A %s %s: %v", table, chain, words, err)
	}
}

// TestIPTTrafficTutorial: the tutorial's two iptables lines, written as
// iptables-nft writes them, carry real traffic in its picture: blue
// reaches the LAN namespace masqueraded, the LAN reaches blue's web
// server through the host's port 80; a filter FORWARD DROP policy blocks
// the forwarded connection and an ACCEPT rule opens it again.
func TestIPTTrafficTutorial(t *testing.T) {
	sandbox.Require(t)
	s := newSeedNet(t)
	t.Cleanup(func() {
		tryIn(nil, "nft", "delete", "table", "ip", "nat")
		tryIn(nil, "nft", "delete", "table", "ip", "filter")
	})
	serve(t, s.lan, "tcp", ":9000")
	serve(t, s.blue, "tcp", ":80")

	expectFail(t, "blue to lan before MASQUERADE", s.blue, "tcp", "192.168.1.10:9000")
	iptAdd(t, s.host, "nat", "POSTROUTING", "-s 192.168.15.0/24 -j MASQUERADE")
	expectPeer(t, "blue to lan masqueraded", s.blue, "tcp", "192.168.1.10:9000", "192.168.1.2")

	expectFail(t, "lan to host:80 before DNAT", s.lan, "tcp", "192.168.1.2:80")
	iptAdd(t, s.host, "nat", "PREROUTING", "-p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80")
	expectPeer(t, "lan to host:80, DNAT to blue:80", s.lan, "tcp", "192.168.1.2:80", "192.168.1.10")

	filter, err := NewIPT(s.host.Conn, false, "filter")
	if err != nil {
		t.Fatal(err)
	}
	if err := filter.SetPolicy("FORWARD", nft.PolicyDrop); err != nil {
		t.Fatal(err)
	}
	expectFail(t, "lan to host:80 with FORWARD policy DROP", s.lan, "tcp", "192.168.1.2:80")
	iptAdd(t, s.host, "filter", "FORWARD", "-d 192.168.15.2/32 -p tcp --dport 80 -j ACCEPT")
	iptAdd(t, s.host, "filter", "FORWARD", "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
	expectPeer(t, "lan to host:80 with an ACCEPT rule", s.lan, "tcp", "192.168.1.2:80", "192.168.1.10")

	// The counters moved: the DNAT rule saw the connections.
	nat, err := NewIPT(s.host.Conn, false, "nat")
	if err != nil {
		t.Fatal(err)
	}
	chains, err := nat.List("PREROUTING")
	if err != nil {
		t.Fatal(err)
	}
	if len(chains) != 1 || len(chains[0].Rules) != 1 || chains[0].Rules[0].Packets == 0 {
		t.Errorf("PREROUTING after traffic: %+v", chains)
	}
}
