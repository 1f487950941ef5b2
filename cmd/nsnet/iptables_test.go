package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/nfttest"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
)

// The iptables name against the real iptables-nft 1.8.9 (the oracle CI
// installs): the same commands in two fresh namespaces, one through each,
// must leave rulesets that both tools and nft list alike, and print the
// same words and exit codes.

func needIPTablesNFT(t *testing.T) {
	t.Helper()
	sandbox.Require(t)
	if _, err := exec.LookPath("iptables-nft"); err != nil {
		if os.Getenv("NSNET_REQUIRE_ORACLES") != "" {
			t.Fatal("iptables-nft is not installed and NSNET_REQUIRE_ORACLES is set")
		}
		t.Skip("iptables-nft is not installed")
	}
}

// nsIPT runs nsnet as argv0 ("iptables", "iptables-restore", ...) inside ns.
func nsIPT(t testing.TB, ns *nsutil.NetNS, stdin, argv0 string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	if err := nfttest.Do(ns, func() error {
		code = iptMain(argv0, args, strings.NewReader(stdin), &o, &e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// realIPT runs the real tool (iptables-nft, iptables-nft-save, ...) in ns.
func realIPT(t testing.TB, ns *nsutil.NetNS, stdin, tool string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	if err := nfttest.Do(ns, func() error {
		cmd := exec.Command(tool, args...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
			return nil
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// iptForms are the rule forms of firewall/testdata/ipt_forms.txt.
func iptForms(t *testing.T) [][3]string {
	b, err := os.ReadFile("../../firewall/testdata/ipt_forms.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out [][3]string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "" {
			continue
		}
		p := strings.Split(l, "|")
		out = append(out, [3]string{strings.TrimSpace(p[0]), strings.TrimSpace(p[1]), strings.TrimSpace(p[2])})
	}
	return out
}

// TestIPTablesFormsAsIPTablesNFT: every supported rule form, added by
// nsnet in one namespace and by iptables-nft in another, is listed alike
// by iptables-nft -S, by nsnet -S and by nft list ruleset.
func TestIPTablesFormsAsIPTablesNFT(t *testing.T) {
	needIPTablesNFT(t)
	for _, f := range iptForms(t) {
		t.Run(f[0], func(t *testing.T) {
			real, ours := nfttest.NewNS(t), nfttest.NewNS(t)
			var cmds [][]string
			for _, s := range strings.Split(f[1], ";") {
				if s = strings.TrimSpace(s); s != "" {
					cmds = append(cmds, shWordsTest(s))
				}
			}
			cmds = append(cmds, shWordsTest(f[2]))
			for _, c := range cmds {
				if _, e, code := realIPT(t, real, "", "iptables-nft", c...); code != 0 {
					t.Fatalf("iptables-nft %q: %d %s", c, code, e)
				}
				if _, e, code := nsIPT(t, ours, "", "iptables", c...); code != 0 {
					t.Fatalf("nsnet iptables %q: %d %s", c, code, e)
				}
			}
			table := "filter"
			if cmds[len(cmds)-1][0] == "-t" {
				table = cmds[len(cmds)-1][1]
			}
			want, _, _ := realIPT(t, real, "", "iptables-nft", "-t", table, "-S")
			got, e, code := realIPT(t, ours, "", "iptables-nft", "-t", table, "-S")
			if code != 0 || got != want {
				t.Errorf("iptables-nft -S of nsnet's rule (exit %d %s):\n%s\nof its own:\n%s", code, e, got, want)
			}
			if got, _, _ := nsIPT(t, ours, "", "iptables", "-t", table, "-S"); got != want {
				t.Errorf("nsnet -S:\n%s\niptables-nft -S:\n%s", got, want)
			}
			wantNFT := nfttest.Run(t, real, "nft", "list", "ruleset")
			if gotNFT := nfttest.Run(t, ours, "nft", "list", "ruleset"); gotNFT != wantNFT {
				t.Errorf("nft list ruleset of nsnet's:\n%s\nof iptables-nft's:\n%s", gotNFT, wantNFT)
			}
		})
	}
}

func shWordsTest(s string) []string {
	w, err := shellWords(s)
	if err != nil {
		panic(err)
	}
	return w
}

// TestIPTablesInterop: rules one tool adds, the other lists, checks and
// deletes; iptables-save of one restores through the other to the same
// -S.
func TestIPTablesInterop(t *testing.T) {
	needIPTablesNFT(t)
	ns := nfttest.NewNS(t)
	masq := []string{"-t", "nat", "-A", "POSTROUTING", "-s", "192.168.15.0/24", "-j", "MASQUERADE"}
	dnat := []string{"-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", "192.168.15.2:80"}
	with := func(c []string, cmd string) []string {
		out := append([]string{}, c...)
		out[2] = cmd
		return out
	}
	if _, e, code := realIPT(t, ns, "", "iptables-nft", masq...); code != 0 {
		t.Fatal(e)
	}
	if _, e, code := nsIPT(t, ns, "", "iptables", dnat...); code != 0 {
		t.Fatal(e)
	}
	s1, _, _ := realIPT(t, ns, "", "iptables-nft", "-t", "nat", "-S")
	s2, _, _ := nsIPT(t, ns, "", "iptables", "-t", "nat", "-S")
	if s1 != s2 || !strings.Contains(s1, "-A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE") || !strings.Contains(s1, "--to-destination 192.168.15.2:80") {
		t.Fatalf("-S differs or lacks a rule:\niptables-nft:\n%s\nnsnet:\n%s", s1, s2)
	}
	for _, c := range []struct {
		who  string
		args []string
	}{{"nsnet", with(masq, "-C")}, {"real", with(dnat, "-C")}, {"nsnet", with(masq, "-D")}, {"real", with(dnat, "-D")}} {
		var code int
		var e string
		if c.who == "nsnet" {
			_, e, code = nsIPT(t, ns, "", "iptables", c.args...)
		} else {
			_, e, code = realIPT(t, ns, "", "iptables-nft", c.args...)
		}
		if code != 0 {
			t.Fatalf("%s %q of the other's rule: exit %d %s", c.who, c.args, code, e)
		}
	}
	if s, _, _ := realIPT(t, ns, "", "iptables-nft", "-t", "nat", "-S"); strings.Contains(s, "-A ") {
		t.Fatalf("rules left after both -D:\n%s", s)
	}
	// save | restore, both ways.
	for _, c := range [][]string{masq, dnat,
		{"-N", "mine"}, {"-A", "FORWARD", "-i", "br0", "-o", "eth0", "-j", "mine"}, {"-P", "FORWARD", "DROP"},
		{"-A", "mine", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"},
		{"-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443", "-m", "comment", "--comment", "web in", "-j", "ACCEPT"}} {
		if _, e, code := realIPT(t, ns, "", "iptables-nft", c...); code != 0 {
			t.Fatal(e)
		}
	}
	dump := func(who string) string {
		var s string
		for _, tb := range []string{"filter", "nat"} {
			var out string
			if who == "nsnet" {
				out, _, _ = nsIPT(t, ns, "", "iptables", "-t", tb, "-S")
			} else {
				out, _, _ = realIPT(t, ns, "", "iptables-nft", "-t", tb, "-S")
			}
			s += out
		}
		return s
	}
	before := dump("real")
	saved, _, _ := realIPT(t, ns, "", "iptables-nft-save")
	if _, e, code := nsIPT(t, ns, saved, "iptables-restore"); code != 0 {
		t.Fatalf("nsnet iptables-restore of iptables-nft-save: %d %s", code, e)
	}
	if after := dump("real"); after != before {
		t.Fatalf("after iptables-nft-save | nsnet iptables-restore:\n%s\nbefore:\n%s", after, before)
	}
	saved2, _, _ := nsIPT(t, ns, "", "iptables-save")
	if strip(saved2) != strip(saved) {
		t.Errorf("nsnet iptables-save:\n%s\niptables-nft-save:\n%s", saved2, saved)
	}
	if _, e, code := realIPT(t, ns, saved2, "iptables-nft-restore"); code != 0 {
		t.Fatalf("iptables-nft-restore of nsnet's save: %d %s", code, e)
	}
	if after := dump("nsnet"); after != before {
		t.Fatalf("after nsnet save | iptables-nft-restore:\n%s\nbefore:\n%s", after, before)
	}
}

// strip drops iptables-save's dated comment lines.
func strip(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestIPTablesBadInput: every error case users hit gives iptables'
// message and exit code, and changes nothing.
func TestIPTablesBadInput(t *testing.T) {
	needIPTablesNFT(t)
	setup := [][]string{{"-N", "mine"}, {"-A", "mine", "-j", "ACCEPT"}}
	for _, args := range [][]string{
		{"-A", "FOO", "-j", "ACCEPT"},
		{"-t", "nat", "-A", "POSTROUTING", "-s", "10.0.0.0/8", "-j"},
		{"-A", "INPUT", "--dport", "80", "-j", "ACCEPT"},
		{"-A", "INPUT", "-s", "10.0.0.300/8", "-j", "ACCEPT"},
		{"-A", "INPUT", "-s", "10.0.0.0/33", "-j", "ACCEPT"},
		{"-D", "INPUT", "-s", "10.0.0.1", "-j", "ACCEPT"},
		{"-D", "INPUT", "5"},
		{"-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "DNAT"},
		{"-A", "INPUT", "-j", "NOPE"},
		{"-A", "INPUT", "-m", "frob", "-j", "ACCEPT"},
		{"-t", "bogus", "-L"},
		{"-X", "nochain"},
		{"-N", "INPUT"},
		{"-N", "mine"},
		{"-P", "mine", "DROP"},
		{"-P", "FORWARD", "BOGUS"},
		{"-E", "nochain", "x"},
		{"-L", "nochain"},
		{"-A", "INPUT", "--frob"},
		{"-A", "INPUT", "-p", "sctpx", "-j", "ACCEPT"},
		{"-t", "nat", "-A", "POSTROUTING", "-j", "MASQUERADE", "--to-ports", "70000"},
		{"-C", "INPUT", "-s", "1.2.3.4", "-j", "ACCEPT"},
		{},
		{"-I", "INPUT", "5", "-j", "ACCEPT"},
		{"-R", "INPUT", "1", "-j", "ACCEPT"},
		{"-A", "INPUT", "-j", "ACCEPT", "extra"},
		{"-A"},
		{"-A", "INPUT", "-i", "eth0", "-i", "eth1", "-j", "ACCEPT"},
		{"-t", "nat", "-A", "INPUT", "-j", "DNAT", "--to-destination", "1.2.3.4"},
		{"-A", "FORWARD", "-j", "MASQUERADE"},
		{"-X", "INPUT"},
		{"-F", "nochain"},
		{"-X", "mine"},
	} {
		real, ours := nfttest.NewNS(t), nfttest.NewNS(t)
		for _, s := range setup {
			realIPT(t, real, "", "iptables-nft", s...)
			nsIPT(t, ours, "", "iptables", s...)
		}
		before := nfttest.Run(t, ours, "nft", "list", "ruleset")
		_, wantErr, wantCode := realIPT(t, real, "", "iptables-nft", args...)
		_, gotErr, gotCode := nsIPT(t, ours, "", "iptables", args...)
		if gotCode != wantCode || gotErr != wantErr {
			t.Errorf("iptables %q:\n nsnet: exit %d %q\n  real: exit %d %q", args, gotCode, gotErr, wantCode, wantErr)
		}
		if after := nfttest.Run(t, ours, "nft", "list", "ruleset"); after != before {
			t.Errorf("iptables %q changed the ruleset:\n%s", args, after)
		}
	}
}

// TestIPTablesForeignUntouched: other tables (somebody's nft tables and
// nsnet's inet nsnet) are byte for byte the same after every iptables
// command.
func TestIPTablesForeignUntouched(t *testing.T) {
	sandbox.Require(t)
	ns := nfttest.NewNS(t)
	nfttest.LoadForeign(t, ns)
	if _, e, code := nsIPTRun(t, ns, "nat", "masquerade", "10.44.0.0/16"); code != 0 {
		t.Fatal(e)
	}
	// Table ip filter of the foreign ruleset is iptables' own: the
	// commands act on it as iptables-nft would. The others stay.
	snap := func() string {
		var s string
		for _, tb := range [][2]string{{"inet", "other"}, {"ip", "nsnet"}, {"inet", "nsnet"}} {
			s += nfttest.Run(t, ns, "nft", "-a", "list", "table", tb[0], tb[1])
			s += nfttest.Run(t, ns, "nft", "-a", "-j", "list", "table", tb[0], tb[1])
		}
		return s
	}
	before := snap()
	for _, c := range [][]string{
		{"-t", "nat", "-A", "POSTROUTING", "-s", "192.168.15.0/24", "-j", "MASQUERADE"},
		{"-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", "192.168.15.2:80"},
		{"-A", "FORWARD", "-j", "ACCEPT"}, {"-P", "FORWARD", "DROP"}, {"-N", "x"}, {"-E", "x", "y"},
		{"-I", "FORWARD", "1", "-j", "y"}, {"-R", "FORWARD", "1", "-j", "DROP"}, {"-Z"}, {"-L", "-n", "-v"}, {"-S"},
		{"-D", "FORWARD", "1"}, {"-F"}, {"-X"}, {"-t", "nat", "-F"}, {"-t", "nat", "-S"},
	} {
		// -L and -S may refuse the foreign rules of ip filter, which
		// nsnet's iptables does not read; they must not change anything.
		if _, e, code := nsIPT(t, ns, "", "iptables", c...); code != 0 && c[0] != "-L" && c[0] != "-S" {
			t.Fatalf("iptables %q: %d %s", c, code, e)
		}
		if after := snap(); after != before {
			t.Fatalf("after iptables %q other tables changed:\n%s\nbefore:\n%s", c, after, before)
		}
	}
	if _, e, code := nsIPT(t, ns, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n", "iptables-restore"); code != 0 {
		t.Fatal(e)
	}
	if after := snap(); after != before {
		t.Fatalf("after iptables-restore other tables changed:\n%s", after)
	}
}

// nsIPTRun runs nsnet's own words (nsnet nat ...) inside ns.
func nsIPTRun(t testing.TB, ns *nsutil.NetNS, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	if err := nfttest.Do(ns, func() error {
		code = run(append([]string{"nsnet"}, args...), &o, &e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// TestIPTablesNames: the multi-call names that make nsnet iptables.
func TestIPTablesNames(t *testing.T) {
	for _, tt := range []struct {
		argv0, tool string
		v6, ok      bool
	}{
		{"/usr/sbin/iptables", "iptables", false, true},
		{"iptables-nft", "iptables", false, true},
		{"ip6tables", "iptables", true, true},
		{"ip6tables-nft-save", "iptables-save", true, true},
		{"iptables-restore", "iptables-restore", false, true},
		{"iptables-nft-restore", "iptables-restore", false, true},
		{"iptables-legacy", "", false, false},
		{"nsnet", "", false, false},
	} {
		tool, v6, ok := iptablesName(tt.argv0)
		if tool != tt.tool || v6 != tt.v6 || ok != tt.ok {
			t.Errorf("iptablesName(%q) = %q %v %v, want %q %v %v", tt.argv0, tool, v6, ok, tt.tool, tt.v6, tt.ok)
		}
	}
	var o, e bytes.Buffer
	if code := iptMain("iptables", []string{"-V"}, nil, &o, &e); code != 0 || o.String() != "iptables v1.8.9 (nf_tables)\n" {
		t.Errorf("iptables -V = %d %q %q", code, o.String(), e.String())
	}
}

// TestIPTablesXTPorts: with NSNET_IPTABLES_XT_PORTS=1 ports go out as the
// xt tcp/udp match (what iptables 1.8.7 reads); iptables-nft 1.8.9 lists
// the rule with the same words, nft shows the xt match, and -C/-D of the
// native spelling still find it.
func TestIPTablesXTPorts(t *testing.T) {
	needIPTablesNFT(t)
	t.Setenv("NSNET_IPTABLES_XT_PORTS", "1")
	ns := nfttest.NewNS(t)
	rule := []string{"-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", "192.168.15.2:80"}
	if _, e, code := nsIPT(t, ns, "", "iptables", rule...); code != 0 {
		t.Fatal(e)
	}
	out, _, _ := realIPT(t, ns, "", "iptables-nft", "-t", "nat", "-S", "PREROUTING")
	if !strings.Contains(out, "-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80") {
		t.Errorf("iptables-nft -S:\n%s", out)
	}
	if l := nfttest.Run(t, ns, "nft", "--debug=netlink", "list", "ruleset"); !strings.Contains(l, "[ match name tcp rev 0 ]") {
		t.Errorf("nft does not show an xt tcp match:\n%s", l)
	}
	t.Setenv("NSNET_IPTABLES_XT_PORTS", "0")
	rule[2] = "-D"
	if _, e, code := nsIPT(t, ns, "", "iptables", rule...); code != 0 {
		t.Fatalf("-D of the native spelling: %d %s", code, e)
	}
}

// TestIP6Tables: ip6tables writes table ip6 filter/nat as ip6tables-nft
// does; ip6tables-nft lists nsnet's rules with the same words.
func TestIP6Tables(t *testing.T) {
	needIPTablesNFT(t)
	ours, real := nfttest.NewNS(t), nfttest.NewNS(t)
	for _, c := range [][]string{
		{"-A", "FORWARD", "-s", "fd00:15::/64", "-o", "eth0", "-j", "ACCEPT"},
		{"-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP"},
		{"-t", "nat", "-A", "POSTROUTING", "-s", "fd00:15::/64", "-j", "MASQUERADE"},
		{"-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", "[fd00:15::2]:80"},
	} {
		if _, e, code := nsIPT(t, ours, "", "ip6tables", c...); code != 0 {
			t.Fatalf("nsnet ip6tables %q: %d %s", c, code, e)
		}
		if _, e, code := realIPT(t, real, "", "ip6tables-nft", c...); code != 0 {
			t.Fatalf("ip6tables-nft %q: %d %s", c, code, e)
		}
	}
	for _, tb := range []string{"filter", "nat"} {
		want, _, _ := realIPT(t, real, "", "ip6tables-nft", "-t", tb, "-S")
		if got, e, _ := realIPT(t, ours, "", "ip6tables-nft", "-t", tb, "-S"); got != want {
			t.Errorf("ip6tables-nft -t %s -S of nsnet's rules (%s):\n%s\nof its own:\n%s", tb, e, got, want)
		}
		if got, _, _ := nsIPT(t, ours, "", "ip6tables", "-t", tb, "-S"); got != want {
			t.Errorf("nsnet ip6tables -t %s -S:\n%s\nwant:\n%s", tb, got, want)
		}
	}
	if a, b := nfttest.Run(t, ours, "nft", "list", "ruleset"), nfttest.Run(t, real, "nft", "list", "ruleset"); a != b {
		t.Errorf("nft list ruleset:\n%s\nip6tables-nft's:\n%s", a, b)
	}
}

// TestNATShowSeesIPTables: nat show lists the iptables nat rules too, in
// iptables' words, after nsnet's own.
func TestNATShowSeesIPTables(t *testing.T) {
	sandbox.Require(t)
	ns := nfttest.NewNS(t)
	if _, e, code := nsIPTRun(t, ns, "nat", "masquerade", "10.44.0.0/16"); code != 0 {
		t.Fatal(e)
	}
	if _, e, code := nsIPT(t, ns, "", "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "192.168.15.0/24", "-j", "MASQUERADE"); code != 0 {
		t.Fatal(e)
	}
	out, e, code := nsIPTRun(t, ns, "nat", "show")
	if code != 0 || !strings.Contains(out, "masquerade 10.44.0.0/16") || !strings.Contains(out, "iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE") {
		t.Errorf("nat show (%d %s):\n%s", code, e, out)
	}
}
