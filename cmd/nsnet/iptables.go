package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/nft"
)

// The iptables dialect: under the names iptables, ip6tables,
// iptables-save, iptables-restore (and their -nft and ip6 spellings)
// nsnet is iptables 1.8.9 in its nf_tables flavour for the commands,
// matches and targets of the README's list, with its grammar, messages
// and exit codes (0 ok, 1 a command the ruleset refused, 2 bad usage, 3
// no such table, 4 the kernel refused), writing the ruleset as
// iptables-nft does (firewall.IPT).

// iptablesVersion is what iptables -V prints and what messages start with.
const iptablesVersion = "v1.8.9 (nf_tables)"

// iptablesName maps the name nsnet runs as to (tool, v6): "iptables",
// "iptables-save" or "iptables-restore"; ok is false for any other name.
func iptablesName(argv0 string) (tool string, v6, ok bool) {
	n := strings.Replace(filepath.Base(argv0), "-nft", "", 1)
	switch n {
	case "iptables", "iptables-save", "iptables-restore":
		return n, false, true
	case "ip6tables", "ip6tables-save", "ip6tables-restore":
		return strings.Replace(n, "ip6", "ip", 1), true, true
	}
	return "", false, false
}

// iptMain runs one iptables-family invocation and returns its exit code.
func iptMain(argv0 string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	tool, v6, _ := iptablesName(argv0)
	prog := "iptables"
	if v6 {
		prog = "ip6tables"
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	d := &iptDialect{prog: prog, v6: v6, out: out, stderr: stderr}
	switch tool {
	case "iptables-save":
		return d.save(args)
	case "iptables-restore":
		return d.restore(args, stdin)
	}
	return d.iptables(args)
}

// iptDialect prints as iptables does.
type iptDialect struct {
	prog   string // iptables or ip6tables
	v6     bool
	out    *bufio.Writer
	stderr io.Writer
}

// usage prints an iptables usage error (exit 2).
func (d *iptDialect) usage(msg string, bare, blank bool) int {
	if !bare {
		msg = d.prog + " " + iptablesVersion + ": " + msg
	}
	if blank {
		msg += "\n"
	}
	fmt.Fprintf(d.stderr, "%s\nTry `%s -h' or '%s --help' for more information.\n", msg, d.prog, d.prog)
	return 2
}

// fail prints the error of a command that ran, with iptables' exit code.
func (d *iptDialect) fail(err error, op, chain string) int {
	var syn *firewall.IPTSyntaxError
	var uns *firewall.IPTUnsupportedError
	var mt *firewall.IPTMissingTargetError
	var inc *firewall.IPTIncompatibleError
	var oe *nft.OpError
	short := func(s string) int { fmt.Fprintf(d.stderr, "%s: %s.\n", d.prog, s); return 1 }
	switch {
	case errors.As(err, &syn):
		return d.usage(syn.Msg, syn.Bare, syn.Blank)
	case errors.As(err, &uns):
		return d.usage(uns.Error(), false, false)
	case errors.As(err, &mt):
		return d.usage(mt.Error(), false, false)
	case errors.As(err, &inc):
		fmt.Fprintf(d.stderr, "%s %s: %s\n", d.prog, iptablesVersion, inc.Error())
		return 1
	case errors.Is(err, firewall.ErrIPTNoChain):
		return short("No chain/target/match by that name")
	case errors.Is(err, firewall.ErrIPTBadRule):
		return short("Bad rule (does a matching rule exist in that chain?)")
	case errors.Is(err, firewall.ErrIPTChainExists):
		return short("Chain already exists")
	case errors.Is(err, firewall.ErrIPTIndex):
		return short("Index of insertion too big")
	case errors.Is(err, firewall.ErrIPTBuiltin):
		return short("Bad built-in chain name")
	case errors.As(err, &oe) && errors.Is(oe.Err, os.ErrPermission):
		fmt.Fprintf(d.stderr, "%s %s: Could not fetch rule set generation id: Permission denied (you must be root)\n", d.prog, iptablesVersion)
		return 4
	case errors.As(err, &oe):
		reason := oe.Err.Error()
		if len(reason) > 0 {
			reason = strings.ToUpper(reason[:1]) + reason[1:]
		}
		obj := "rule in chain " + chain
		if strings.HasPrefix(op, "CHAIN_") {
			obj = "chain " + chain
		}
		fmt.Fprintf(d.stderr, "%s %s:  %s failed (%s): %s\n", d.prog, iptablesVersion, op, reason, obj)
		return 4
	}
	fmt.Fprintf(d.stderr, "%s %s: %s\n", d.prog, iptablesVersion, err)
	return 4
}

// An iptCmd is one parsed iptables command line.
type iptCmd struct {
	cmd     byte // 'A', 'I', 'D', 'R', 'C', 'L', 'S', 'F', 'Z', 'P', 'N', 'X', 'E', 'V', 'h'
	long    string
	table   string
	chain   string
	arg     string // -P's policy, -E's new name
	num     int    // -I, -D, -R, -L/-S/-Z rule number; 0 none
	rule    []string
	numeric bool
	verbose bool
	exact   bool
	lineNum bool
}

var iptCommands = map[string]byte{
	"-A": 'A', "--append": 'A', "-I": 'I', "--insert": 'I', "-D": 'D', "--delete": 'D',
	"-R": 'R', "--replace": 'R', "-C": 'C', "--check": 'C', "-L": 'L', "--list": 'L',
	"-S": 'S', "--list-rules": 'S', "-F": 'F', "--flush": 'F', "-Z": 'Z', "--zero": 'Z',
	"-P": 'P', "--policy": 'P', "-N": 'N', "--new-chain": 'N', "--new": 'N',
	"-X": 'X', "--delete-chain": 'X', "-E": 'E', "--rename-chain": 'E',
	"-V": 'V', "--version": 'V', "-h": 'h', "--help": 'h',
}

// parseIPT reads an iptables command line (pure).
func parseIPT(args []string) (*iptCmd, error) {
	c := &iptCmd{table: "filter"}
	isNum := func(s string) bool { n, err := strconv.Atoi(s); return err == nil && n > 0 }
	synErr := func(f string, a ...any) error { return &firewall.IPTSyntaxError{Msg: fmt.Sprintf(f, a...)} }
	for i := 0; i < len(args); i++ {
		a := args[i]
		if cmd, ok := iptCommands[a]; ok {
			if c.cmd != 0 {
				return nil, synErr("Cannot use -%c with -%c\n", cmd, c.cmd)
			}
			c.cmd, c.long = cmd, a
			optional := func() bool { return i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") }
			switch cmd {
			case 'A', 'I', 'D', 'R', 'C', 'N', 'P', 'E':
				if !optional() {
					return nil, synErr("option %q requires an argument", a)
				}
				i++
				c.chain = args[i]
			case 'L', 'S', 'F', 'Z', 'X':
				if optional() {
					i++
					c.chain = args[i]
				}
			}
			switch cmd {
			case 'I', 'D', 'L', 'S', 'Z':
				if i+1 < len(args) && isNum(args[i+1]) {
					i++
					c.num, _ = strconv.Atoi(args[i])
				}
			case 'R':
				if i+1 >= len(args) || !isNum(args[i+1]) {
					return nil, synErr("-R requires a rule number")
				}
				i++
				c.num, _ = strconv.Atoi(args[i])
			case 'P', 'E':
				if i+1 >= len(args) || strings.HasPrefix(args[i+1], "-") {
					return nil, synErr("-%c requires old-chain-name and new-chain-name", cmd)
				}
				i++
				c.arg = args[i]
			}
			continue
		}
		switch {
		case a == "-t" || a == "--table":
			if i+1 >= len(args) {
				return nil, synErr("option %q requires an argument", a)
			}
			i++
			c.table = args[i]
		case strings.HasPrefix(a, "--table="):
			c.table = strings.TrimPrefix(a, "--table=")
		case a == "-n" || a == "--numeric":
			c.numeric = true
		case a == "-v" || a == "--verbose":
			c.verbose = true
		case a == "-x" || a == "--exact":
			c.exact = true
		case a == "--line-numbers":
			c.lineNum = true
		case a == "-w" || a == "--wait":
			if i+1 < len(args) && isNum(args[i+1]) {
				i++ // nf_tables needs no lock: accepted, as iptables-nft does
			}
		case a == "-W" || a == "--wait-interval":
			i++
		case strings.HasPrefix(a, "--wait=") || strings.HasPrefix(a, "--wait-interval="):
		case a == "-4" || a == "--ipv4" || a == "-6" || a == "--ipv6":
		case a == "-c" || a == "--set-counters":
			return nil, &firewall.IPTUnsupportedError{Word: a}
		case len(a) > 2 && a[0] == '-' && a[1] != '-' && iptCombined(a):
			for _, f := range a[1:] {
				switch f {
				case 'n':
					c.numeric = true
				case 'v':
					c.verbose = true
				case 'x':
					c.exact = true
				case 'L', 'S':
					if c.cmd != 0 {
						return nil, synErr("Cannot use -%c with -%c\n", f, c.cmd)
					}
					c.cmd = byte(f)
				}
			}
		default:
			c.rule = append(c.rule, a)
		}
	}
	if c.cmd == 0 {
		return nil, synErr("no command specified")
	}
	return c, nil
}

// iptCombined reports whether a is short flags run together (-nvL).
func iptCombined(a string) bool {
	for _, f := range a[1:] {
		if !strings.ContainsRune("nvxLS", f) {
			return false
		}
	}
	return true
}

func (d *iptDialect) iptables(args []string) int {
	c, err := parseIPT(args)
	if err != nil {
		var uns *firewall.IPTUnsupportedError
		if errors.As(err, &uns) {
			return d.usage(uns.Error(), false, false)
		}
		var syn *firewall.IPTSyntaxError
		errors.As(err, &syn)
		return d.usage(strings.TrimSuffix(syn.Msg, "\n"), false, false)
	}
	switch c.cmd {
	case 'V':
		fmt.Fprintf(d.out, "%s %s\n", d.prog, iptablesVersion)
		return 0
	case 'h':
		fmt.Fprintf(d.out, "%s %s (nsnet)\n\n%s", d.prog, iptablesVersion, iptablesUsage)
		return 0
	}
	switch c.table {
	case "nat", "filter":
	case "mangle", "raw", "security":
		return d.usage("table "+c.table+" is not supported by nsnet's iptables", false, false)
	default:
		fmt.Fprintf(d.stderr, "%s %s: table '%s' does not exist\nPerhaps %s or your kernel needs to be upgraded.\n", d.prog, iptablesVersion, c.table, d.prog)
		return 3
	}
	var rule firewall.IPTRule
	switch c.cmd {
	case 'A', 'I', 'C', 'R':
		if rule, err = firewall.ParseIPTRule(c.rule, d.v6); err != nil {
			return d.fail(err, "", "")
		}
	case 'D':
		if c.num == 0 {
			if rule, err = firewall.ParseIPTRule(c.rule, d.v6); err != nil {
				return d.fail(err, "", "")
			}
		} else if len(c.rule) > 0 {
			return d.usage(fmt.Sprintf("Bad argument `%s'", c.rule[0]), true, false)
		}
	default:
		if len(c.rule) > 0 {
			return d.usage(fmt.Sprintf("Bad argument `%s'", c.rule[0]), true, false)
		}
	}
	rule.XTPorts = xtPorts()
	if c.cmd == 'P' && c.arg != "ACCEPT" && c.arg != "DROP" {
		fmt.Fprintf(d.stderr, "%s: Bad policy name. Run `dmesg' for more information.\n", d.prog)
		return 1
	}
	conn, err := nft.Dial(nil)
	if err != nil {
		return d.fail(err, "", "")
	}
	defer conn.Close()
	t, err := firewall.NewIPT(conn, d.v6, c.table)
	if err != nil {
		return d.fail(err, "", "")
	}
	switch c.cmd {
	case 'A':
		return d.done(t.Append(c.chain, rule), "RULE_APPEND", c.chain)
	case 'I':
		return d.done(t.Insert(c.chain, max(c.num, 1), rule), "RULE_INSERT", c.chain)
	case 'C':
		return d.done(t.Check(c.chain, rule), "RULE_CHECK", c.chain)
	case 'D':
		if c.num > 0 {
			return d.done(t.DeleteNum(c.chain, c.num), "RULE_DELETE", c.chain)
		}
		return d.done(t.Delete(c.chain, rule), "RULE_DELETE", c.chain)
	case 'R':
		return d.done(t.Replace(c.chain, c.num, rule), "RULE_REPLACE", c.chain)
	case 'F':
		return d.done(t.Flush(c.chain), "RULE_FLUSH", c.chain)
	case 'Z':
		return d.done(t.Zero(c.chain), "RULE_REPLACE", c.chain)
	case 'P':
		p := nft.PolicyAccept
		if c.arg == "DROP" {
			p = nft.PolicyDrop
		}
		return d.done(t.SetPolicy(c.chain, p), "CHAIN_ADD", c.chain)
	case 'N':
		return d.done(t.NewChain(c.chain), "CHAIN_ADD", c.chain)
	case 'X':
		return d.done(t.DelChain(c.chain), "CHAIN_DEL", c.chain)
	case 'E':
		return d.done(t.RenameChain(c.chain, c.arg), "CHAIN_RENAME", c.chain)
	case 'L', 'S':
		chains, err := t.List(c.chain)
		if err != nil {
			if errors.Is(err, firewall.ErrIPTNoChain) && c.cmd == 'L' {
				return d.fail(&firewall.IPTIncompatibleError{Chain: c.chain, Table: c.table}, "", "")
			}
			return d.fail(err, "", "")
		}
		for _, ch := range chains {
			for _, r := range ch.Rules {
				if r.Incompatible {
					return d.fail(&firewall.IPTIncompatibleError{Chain: ch.Name, Table: c.table}, "", "")
				}
			}
		}
		if c.cmd == 'S' {
			d.listRules(chains, c.chain != "", c.num, false)
		} else {
			d.list(chains, c)
		}
		return 0
	}
	return 0
}

// xtPorts reports whether ports are to be written as the xt tcp/udp
// match, which iptables 1.8.7 (Ubuntu 22.04) needs to read them back:
// NSNET_IPTABLES_XT_PORTS=1. -C and -D find a rule in either form.
func xtPorts() bool { return os.Getenv("NSNET_IPTABLES_XT_PORTS") == "1" }

func (d *iptDialect) done(err error, op, chain string) int {
	if err != nil {
		return d.fail(err, op, chain)
	}
	return 0
}

const iptablesUsage = `Commands: -A -I -D -R -C -L -S -F -Z -P -N -X -E -V, with -t nat|filter,
-n -v -x --line-numbers, and -w (accepted; nf_tables needs no lock).
Matches: -s -d -i -o -p (with !), --sport/--dport, -m tcp|udp|conntrack|state|
comment|multiport|addrtype. Targets: ACCEPT DROP RETURN REJECT MASQUERADE SNAT
DNAT REDIRECT LOG and user chains. Written as iptables-nft 1.8.9 writes them.
`
