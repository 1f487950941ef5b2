package main

import (
	"fmt"
	"strings"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/nft"
)

const natUsage = `Usage: nsnet [-n NS] nat masquerade SRC_CIDR [oif DEV]
       nsnet [-n NS] nat forward tcp|udp PORT DEST_IP:PORT [iif DEV] [hairpin CIDR]
       nsnet [-n NS] nat del masquerade ...|forward ...   (the same words as add)
       nsnet [-n NS] [-j] nat show
       nsnet [-n NS] nat flush
Rules live in nsnet's own nftables table, inet nsnet; nobody else's rules
are read or changed, and flush deletes that table only. masquerade is the
seed's "iptables -t nat -A POSTROUTING -s SRC -j MASQUERADE"; forward is its
DNAT port forward, and also works from the host itself and hairpin. Adding
a rule that is there changes nothing and says so; deleting one that is not
there fails. Packet routing between interfaces also needs "nsnet forward on".
`

// natAddReq is `nat masquerade ...` / `nat forward ...`.
type natAddReq struct{ rule firewall.NATRule }

// natDelReq is `nat del ...`.
type natDelReq struct{ rule firewall.NATRule }

type natShowReq struct{}

type natFlushReq struct{}

// parseNAT reads `nat ...`; the rule words are firewall.ParseNAT's, which
// checks them without touching the kernel.
func parseNAT(args []string, _ opts) (request, error) {
	if len(args) == 0 {
		return natShowReq{}, nil
	}
	rule := func(words []string) (firewall.NATRule, error) {
		r, err := firewall.ParseNAT(words)
		if err != nil {
			return nil, fmt.Errorf("nat %s: %w: expected masquerade SRC_CIDR [oif DEV] or forward tcp|udp PORT DEST_IP:PORT [iif DEV]", strings.Join(words, " "), err)
		}
		return r, nil
	}
	switch args[0] {
	case "masquerade", "forward":
		r, err := rule(args)
		if err != nil {
			return nil, err
		}
		return natAddReq{r}, nil
	case "del", "delete":
		r, err := rule(args[1:])
		if err != nil {
			return nil, err
		}
		return natDelReq{r}, nil
	case "show", "list":
		if len(args) > 1 {
			return nil, fmt.Errorf("nat show: unexpected %q: show takes no arguments", args[1])
		}
		return natShowReq{}, nil
	case "flush":
		if len(args) > 1 {
			return nil, fmt.Errorf("nat flush: unexpected %q: flush takes no arguments", args[1])
		}
		return natFlushReq{}, nil
	case "help":
		return helpReq{text: natUsage}, nil
	}
	return nil, fmt.Errorf("command %q is unknown for nat, try \"nsnet nat help\"", args[0])
}

// natDial opens an nf_tables connection inside the -n namespace.
func (e *env) natDial() (*nft.Conn, error) {
	f, closeNS, err := e.nsFile()
	if err != nil {
		return nil, err
	}
	defer closeNS()
	return nft.Dial(f)
}

// natOpen is natDial with nsnet's NAT table on the connection.
func (e *env) natOpen() (*nft.Conn, *firewall.NAT, error) {
	c, err := e.natDial()
	if err != nil {
		return nil, nil, err
	}
	return c, firewall.NewNAT(c), nil
}

func (r natAddReq) run(e *env) error {
	c, nat, err := e.natOpen()
	if err != nil {
		return err
	}
	defer c.Close()
	added, err := nat.Add(r.rule)
	if err != nil {
		return &refused{err: err, where: e.where(), op: "nat add", obj: r.rule.String()}
	}
	if !added {
		fmt.Fprintf(e.out, "nat %s: already there, nothing changed\n", r.rule)
	}
	return nil
}

func (r natDelReq) run(e *env) error {
	c, nat, err := e.natOpen()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := nat.Del(r.rule); err != nil {
		return &refused{err: err, where: e.where(), op: "nat del", obj: r.rule.String()}
	}
	return nil
}

func (natFlushReq) run(e *env) error {
	c, nat, err := e.natOpen()
	if err != nil {
		return err
	}
	defer c.Close()
	kept, err := nat.Flush()
	if err != nil {
		return &refused{err: err, where: e.where(), op: "nat flush", obj: "inet " + firewall.NATTable}
	}
	if len(kept) > 0 {
		fmt.Fprintf(e.out, "nat flush: nsnet's rules are gone; table inet %s stays because it also holds %s\n", firewall.NATTable, strings.Join(kept, "; "))
	}
	return nil
}

func (natShowReq) run(e *env) error {
	c, nat, err := e.natOpen()
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := nat.List()
	if err != nil {
		return &refused{err: err, where: e.where(), op: "nat show", obj: "inet " + firewall.NATTable}
	}
	list = append(list, iptablesNAT(c)...)
	if e.opts.json {
		out := []jobj{}
		for _, n := range list {
			chains := []jobj{}
			for _, cc := range n.Chains {
				chains = append(chains, jobj{{jChain, cc.Chain}, {jHandle, cc.Handle}, {jPackets, cc.Packets}, {jBytes, cc.Bytes}})
			}
			o := jobj{{jRule, n.Comment}, {jPackets, n.Packets}, {jBytes, n.Bytes}, {jChains, chains}}
			if n.Foreign {
				o = append(o, jfield{jForeign, true})
			}
			out = append(out, o)
		}
		return writeJSON(e.out, e.opts, out)
	}
	width := 0
	for _, n := range list {
		width = max(width, len(natShowText(n)))
	}
	for _, n := range list {
		fmt.Fprintf(e.out, "%-*s  packets %d bytes %d\n", width, natShowText(n), n.Packets, n.Bytes)
	}
	return nil
}

// natShowText is an entry as nat show prints it: nsnet's rule in its own
// words, or a rule somebody else put in the table, marked as such (issue 9
// L6: never a blank line).
func natShowText(n firewall.NATEntry) string {
	if !n.Foreign || strings.HasPrefix(n.Comment, "iptables ") || strings.HasPrefix(n.Comment, "ip6tables ") {
		return n.Comment
	}
	s := fmt.Sprintf("(not nsnet's) chain %s handle %d", n.Chains[0].Chain, n.Chains[0].Handle)
	if n.Comment != "" {
		s += fmt.Sprintf(" comment %q", n.Comment)
	}
	return s
}

// iptablesNAT lists the rules of the iptables nat tables (ip and ip6 nat,
// as iptables-nft and nsnet's iptables name write them) as entries of nat
// show, in iptables' words ("iptables -t nat -A POSTROUTING ..."), so
// that nat show sees both worlds. A table that is not there lists
// nothing; a rule iptables cannot read is left to nft list ruleset.
func iptablesNAT(c *nft.Conn) []firewall.NATEntry {
	var out []firewall.NATEntry
	for _, v6 := range []bool{false, true} {
		t, err := firewall.NewIPT(c, v6, "nat")
		if err != nil {
			continue
		}
		chains, err := t.List("")
		if err != nil {
			continue
		}
		prog := "iptables"
		if v6 {
			prog = "ip6tables"
		}
		for _, ch := range chains {
			for _, r := range ch.Rules {
				if r.Incompatible {
					continue
				}
				out = append(out, firewall.NATEntry{
					Comment: prog + " -t nat -A " + ch.Name + " " + r.Rule.Spec(),
					Foreign: true, Packets: r.Packets, Bytes: r.Bytes,
					Chains: []firewall.ChainCounter{{Chain: ch.Name, Handle: r.Handle, Packets: r.Packets, Bytes: r.Bytes}},
				})
			}
		}
	}
	return out
}
