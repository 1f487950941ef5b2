package topo

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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
	nl := natLive{rules: map[string]bool{}, owned: map[natClaim]bool{}}
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
			for _, o := range e.Owners {
				nl.owned[natClaim{o, e.Comment}] = true
			}
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

// natOwner is the owner mark of the file's NAT rules: "topology" and the
// names of the file's namespaces, sorted (firewall.OwnerTag hashes a long
// list). The namespaces are what a topology alone makes, so two files
// sharing a rule each have their own copy (issue 9 M6, H2), while `up` and
// `down` of the file agree wherever it is read from (another path, stdin,
// a copy). A file without namespaces has none (""): its copy is the
// unmarked one.
func natOwner(t *Topology) string {
	if len(t.Namespaces) == 0 {
		return ""
	}
	names := make([]string, len(t.Namespaces))
	for i, n := range t.Namespaces {
		names[i] = n.Name
	}
	slices.Sort(names)
	return "topology " + strings.Join(names, " ")
}

// natDel removes the file's copies of the NAT rules it names, and their
// unmarked copies (`nsnet nat`'s, an older nsnet's `up`: nobody's in
// particular, which down removed before rules had owners); a rule another
// file also asked for stays, with that file's copy. It returns the texts
// of those it removed.
func natDel(h *handle, t *Topology) ([]string, error) {
	var done []string
	var errs []error
	owners := []string{""}
	if o := natOwner(t); o != "" {
		owners = append(owners, o)
	}
	for _, r := range natRules(t) {
		deleted, err := netops.DeleteNAT(h.ops, owners, r)
		switch {
		case err != nil:
			errs = append(errs, err)
		case deleted:
			done = append(done, r.String())
		}
	}
	return done, errors.Join(errs...)
}
