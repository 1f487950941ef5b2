package topo

import (
	"errors"
	"fmt"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/netops"
	"github.com/nsnet/nsnet/nft"
)

// dialNFT opens an nf_tables socket in the namespace of h (the host's
// without a setns: every thread but nsutil's disposable ones is there).
func dialNFT(h *handle) (*nft.Conn, error) {
	if h.name == "" {
		return nft.Dial(nil)
	}
	return nft.Dial(h.ns.File())
}

// readNAT lists nsnet's NAT rules on the host, by their canonical text
// (firewall.NATRule's String, which is also their comment).
func readNAT(h *handle) (natLive, error) {
	nl := natLive{rules: map[string]bool{}}
	c, err := dialNFT(h)
	if err != nil {
		return nl, err
	}
	defer c.Close()
	entries, err := firewall.NewNAT(c).List()
	if err != nil {
		return nl, fmt.Errorf("list table inet nsnet: %w", err)
	}
	for _, e := range entries {
		if !e.Foreign {
			nl.rules[e.Comment] = true
		}
	}
	return nl, nil
}

// natRules returns the file's NAT rules, masquerades first.
func natRules(t *Topology) []firewall.NATRule {
	var rules []firewall.NATRule
	for _, m := range t.NAT.Masquerade {
		rules = append(rules, m)
	}
	for _, f := range t.NAT.Forward {
		rules = append(rules, f)
	}
	return rules
}

// natDel removes the NAT rules the file names; it returns their texts.
func natDel(h *handle, t *Topology) ([]string, error) {
	var done []string
	var errs []error
	for _, r := range natRules(t) {
		deleted, err := netops.DeleteNAT(h.ops, r)
		switch {
		case err != nil:
			errs = append(errs, err)
		case deleted:
			done = append(done, r.String())
		}
	}
	return done, errors.Join(errs...)
}
