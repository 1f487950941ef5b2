package topo

import (
	"errors"
	"fmt"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/nft"
)

// natRule converts a masquerade or forward step of the file into
// firewall's rule value.
func natRule(s *Step) (firewall.NATRule, error) {
	switch s.Kind {
	case KindMasquerade:
		return s.masq, nil
	case KindForward:
		return s.fwd, nil
	}
	return nil, fmt.Errorf("step %s is not NAT", s.Kind)
}

// dialNFT opens an nf_tables socket in the namespace of h (the host's
// without a setns: every thread but nsutil's disposable ones is there).
func dialNFT(h *handle) (*nft.Conn, error) {
	if h.name == "" {
		return nft.Dial(nil)
	}
	return nft.Dial(h.ns.File())
}

// readNAT lists nsnet's NAT rules on the host, by their canonical text.
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

// natText is the canonical text firewall gives a rule of the file, which is how
// it finds the rule again ("" if the rule does not convert).
func natText(s *Step) string {
	r, err := natRule(s)
	if err != nil {
		return ""
	}
	return r.String()
}

// natAdd adds one NAT rule of the file, and records its removal.
func (r *run) natAdd(s *Step) error {
	rule, err := natRule(s)
	if err != nil {
		return err
	}
	c, err := dialNFT(r.sys.host)
	if err != nil {
		return err
	}
	defer c.Close()
	added, err := firewall.NewNAT(c).Add(rule)
	if err != nil {
		return err
	}
	if added {
		r.record(undo{what: rule.String(), do: func(r *run) error {
			c, err := dialNFT(r.sys.host)
			if err != nil {
				return err
			}
			defer c.Close()
			if err := firewall.NewNAT(c).Del(rule); err != nil && !errors.Is(err, firewall.ErrNotFound) {
				return err
			}
			return nil
		}})
	}
	return nil
}

// natDel removes the NAT rules the file names; it returns their texts.
func natDel(h *handle, t *Topology) ([]string, error) {
	c, err := dialNFT(h)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	nat := firewall.NewNAT(c)
	var rules []firewall.NATRule
	for _, m := range t.NAT.Masquerade {
		rules = append(rules, m)
	}
	for _, f := range t.NAT.Forward {
		rules = append(rules, f)
	}
	var done []string
	var errs []error
	for _, r := range rules {
		err := nat.Del(r)
		switch {
		case errors.Is(err, firewall.ErrNotFound):
		case err != nil:
			errs = append(errs, err)
		default:
			done = append(done, r.String())
		}
	}
	return done, errors.Join(errs...)
}
