package main

import (
	"fmt"
	"strings"

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
type natAddReq struct{ rule nft.NATRule }

// natDelReq is `nat del ...`.
type natDelReq struct{ rule nft.NATRule }

type natShowReq struct{}

type natFlushReq struct{}

// parseNAT reads `nat ...`; the rule words are nft.ParseNAT's, which
// checks them without touching the kernel.
func parseNAT(args []string, _ opts) (request, error) {
	if len(args) == 0 {
		return natShowReq{}, nil
	}
	rule := func(words []string) (nft.NATRule, error) {
		r, err := nft.ParseNAT(words)
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

func (r natAddReq) run(e *env) error {
	c, err := e.natDial()
	if err != nil {
		return err
	}
	defer c.Close()
	added, err := c.NATAdd(r.rule)
	if err != nil {
		return &refused{err: err, where: e.where(), op: "nat add", obj: r.rule.String()}
	}
	if !added {
		fmt.Fprintf(e.out, "nat %s: already there, nothing changed\n", r.rule)
	}
	return nil
}

func (r natDelReq) run(e *env) error {
	c, err := e.natDial()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.NATDel(r.rule); err != nil {
		return &refused{err: err, where: e.where(), op: "nat del", obj: r.rule.String()}
	}
	return nil
}

func (natFlushReq) run(e *env) error {
	c, err := e.natDial()
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.NATFlush(); err != nil {
		return &refused{err: err, where: e.where(), op: "nat flush", obj: "inet " + nft.NATTable}
	}
	return nil
}

func (natShowReq) run(e *env) error {
	c, err := e.natDial()
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := c.NATList()
	if err != nil {
		return &refused{err: err, where: e.where(), op: "nat show", obj: "inet " + nft.NATTable}
	}
	if e.opts.json {
		out := []jobj{}
		for _, n := range list {
			chains := []jobj{}
			for _, cc := range n.Chains {
				chains = append(chains, jobj{{jChain, cc.Chain}, {jHandle, cc.Handle}, {jPackets, cc.Packets}, {jBytes, cc.Bytes}})
			}
			out = append(out, jobj{{jRule, n.Comment}, {jPackets, n.Packets}, {jBytes, n.Bytes}, {jChains, chains}})
		}
		return writeJSON(e.out, e.opts, out)
	}
	width := 0
	for _, n := range list {
		width = max(width, len(n.Comment))
	}
	for _, n := range list {
		fmt.Fprintf(e.out, "%-*s  packets %d bytes %d\n", width, n.Comment, n.Packets, n.Bytes)
	}
	return nil
}
