package main

import (
	"encoding/json"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/internal/sandbox"
)

func TestParseNATAndForward(t *testing.T) {
	for _, tt := range []struct {
		argv string
		opts opts
		req  request
	}{
		{argv: "nsnet nat", req: natShowReq{}},
		{argv: "nsnet nat show", req: natShowReq{}},
		{argv: "nsnet nat flush", req: natFlushReq{}},
		{argv: "nsnet nat masquerade 192.168.15.0/24", req: natAddReq{firewall.Masquerade{Src: netip.MustParsePrefix("192.168.15.0/24")}}},
		{argv: "nsnet nat masquerade 192.168.15.0/24 oif eth0", req: natAddReq{firewall.Masquerade{Src: netip.MustParsePrefix("192.168.15.0/24"), OutIface: "eth0"}}},
		{argv: "nsnet nat forward tcp 8080 192.168.15.2:80", req: natAddReq{firewall.Forward{Proto: "tcp", Port: 8080, To: netip.MustParseAddrPort("192.168.15.2:80")}}},
		{argv: "nsnet -n red nat del forward udp 53 192.168.15.2:53 iif eth0", opts: opts{netns: "red"},
			req: natDelReq{firewall.Forward{Proto: "udp", Port: 53, To: netip.MustParseAddrPort("192.168.15.2:53"), InIface: "eth0"}}},
		{argv: "nsnet forward", req: forwardReq{show: true}},
		{argv: "nsnet forward show", req: forwardReq{show: true, v4: true, v6: true}},
		{argv: "nsnet forward on", req: forwardReq{on: true, v4: true, v6: true}},
		{argv: "nsnet -4 forward off", opts: opts{family: 4}, req: forwardReq{v4: true}},
		{argv: "nsnet -n red -6 forward on", opts: opts{netns: "red", family: 6}, req: forwardReq{on: true, v6: true}},
	} {
		inv, err := parse(strings.Fields(tt.argv))
		if err != nil {
			t.Errorf("%s: %v", tt.argv, err)
			continue
		}
		if d := cmp.Diff(tt.opts, inv.opts, allFields) + cmp.Diff(tt.req, inv.req, allFields); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.argv, d)
		}
	}
	for _, bad := range []string{
		"nsnet nat masquerade", "nsnet nat masquerade 192.168.15.0/33", "nsnet nat masquerade 10.0.0.0/8 oif a/b",
		"nsnet nat forward sctp 80 10.0.0.1:80", "nsnet nat forward tcp 0 10.0.0.1:80", "nsnet nat forward tcp 80 10.0.0.1",
		"nsnet nat del", "nsnet nat frob", "nsnet nat flush now", "nsnet forward maybe", "nsnet forward on off",
		"nsnet na", "nsnet forw on",
	} {
		if _, err := parse(strings.Fields(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// realNFT returns the nft CLI, the oracle for rulesets.
func realNFT(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("NSNET_REQUIRE_ORACLES") == "1" {
		t.Fatal("oracle nft is not installed and NSNET_REQUIRE_ORACLES=1")
	}
	t.Skip("oracle nft is not installed")
	return ""
}

func nftRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(realNFT(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("nft %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestNATCommands drives nat and forward through the command line and
// checks them with the nft CLI, /proc, and a port forward carrying TCP
// from the host to a namespace.
func TestNATCommands(t *testing.T) {
	sandbox.Require(t)
	realNFT(t)
	cleanup(t, []string{"nat-blue"}, []string{"nat-br0"})
	t.Cleanup(func() { nsnetCode("nat", "flush"); exec.Command(realNFT(t), "delete", "table", "ip", "foreign").Run() })

	// Someone else's table, which nsnet must never touch.
	nftRun(t, "add", "table", "ip", "foreign")
	nftRun(t, "add", "chain", "ip", "foreign", "c", "{ type filter hook forward priority 0; policy accept; }")
	nftRun(t, "add", "rule", "ip", "foreign", "c", "ip saddr 10.9.9.9 counter accept")
	foreign := nftRun(t, "list", "table", "ip", "foreign")

	nsnet(t, "netns", "add", "nat-blue")
	nsnet(t, "link", "add", "nat-br0", "type", "bridge")
	nsnet(t, "link", "add", "veth-natb", "type", "veth", "peer", "name", "veth-natb-br")
	nsnet(t, "link", "set", "veth-natb", "netns", "nat-blue")
	nsnet(t, "link", "set", "veth-natb-br", "master", "nat-br0", "up")
	nsnet(t, "link", "set", "nat-br0", "up")
	nsnet(t, "addr", "add", "10.81.0.5/24", "dev", "nat-br0")
	nsnet(t, "-n", "nat-blue", "addr", "add", "10.81.0.2/24", "dev", "veth-natb")
	nsnet(t, "-n", "nat-blue", "link", "set", "veth-natb", "up")
	nsnet(t, "-n", "nat-blue", "route", "add", "default", "via", "10.81.0.5")

	if out := nsnet(t, "nat", "masquerade", "10.81.0.0/24"); out != "" {
		t.Errorf("first add printed %q", out)
	}
	if out := nsnet(t, "nat", "masquerade", "10.81.0.0/24"); !strings.Contains(out, "already there, nothing changed") {
		t.Errorf("second add printed %q, want it to say nothing changed", out)
	}
	nsnet(t, "nat", "forward", "tcp", "8080", "10.81.0.2:80")
	ruleset := nftRun(t, "list", "table", "inet", "nsnet")
	for _, want := range []string{"ip saddr 10.81.0.0/24", "masquerade", "tcp dport 8080", "dnat ip to 10.81.0.2:80"} {
		if !strings.Contains(ruleset, want) {
			t.Errorf("nft list table inet nsnet lacks %q:\n%s", want, ruleset)
		}
	}
	var shown []map[string]any
	must(t, json.Unmarshal([]byte(nsnet(t, "-j", "nat", "show")), &shown))
	if len(shown) != 2 || shown[0]["rule"] != "masquerade 10.81.0.0/24" || shown[1]["rule"] != "forward tcp 8080 10.81.0.2:80" {
		t.Errorf("nat show -j: %v", shown)
	}

	// The forward carries TCP from the host itself (output hook) to blue.
	var ln net.Listener
	doIn(t, "nat-blue", func() (err error) { ln, err = net.Listen("tcp", "10.81.0.2:80"); return err })
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(c.RemoteAddr().String() + "\n"))
	}()
	c, err := net.DialTimeout("tcp", "10.81.0.5:8080", 5*time.Second)
	if err != nil {
		t.Fatalf("host -> 10.81.0.5:8080 -> nat-blue:80: %v", err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	peer, err := io.ReadAll(c)
	c.Close()
	if err != nil || !strings.HasPrefix(string(peer), "10.81.0.5:") {
		t.Errorf("through the forward, blue saw peer %q (%v), want the host's 10.81.0.5", peer, err)
	}

	// forward on/off, checked in /proc inside the namespace.
	nsnet(t, "-n", "nat-blue", "forward", "on")
	readFwd := func() string {
		var v string
		doIn(t, "nat-blue", func() error {
			b, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
			v = strings.TrimSpace(string(b))
			return err
		})
		return v
	}
	if v := readFwd(); v != "1" {
		t.Errorf("after forward on, ip_forward = %s", v)
	}
	if out := nsnet(t, "-n", "nat-blue", "forward", "show"); out != "ipv4 on\nipv6 on\n" {
		t.Errorf("forward show: %q", out)
	}
	nsnet(t, "-n", "nat-blue", "-4", "forward", "off")
	if v := readFwd(); v != "0" {
		t.Errorf("after forward off, ip_forward = %s", v)
	}

	// Deleting what is not there fails in words; del and flush touch
	// nsnet's table only.
	_, stderr, code := nsnetCode("nat", "del", "masquerade", "10.99.0.0/16")
	if code != 1 || !strings.Contains(stderr, "there is no such rule in table inet nsnet") {
		t.Errorf("del of a missing rule: exit %d %q", code, stderr)
	}
	nsnet(t, "nat", "del", "forward", "tcp", "8080", "10.81.0.2:80")
	nsnet(t, "nat", "flush")
	if out := nsnet(t, "nat", "show"); out != "" {
		t.Errorf("after flush nat show prints %q", out)
	}
	if got := nftRun(t, "list", "table", "ip", "foreign"); got != foreign {
		t.Errorf("the foreign table changed:\n%s\nwas:\n%s", got, foreign)
	}
}
