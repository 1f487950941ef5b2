package netops

import (
	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/nft"
)

// AddNAT adds a masquerade or a port forward (firewall.Masquerade,
// firewall.Forward) to nsnet's table inet nsnet in ns for owner (the
// topology file, the attachment; "" for none), one nf_tables transaction,
// and records its deletion when this call added it. A shared rule is one
// copy per owner (firewall.NAT.AddAllFor): the undo deletes owner's copy
// only, so a rollback never takes away a rule another owner asked for,
// even one that found this run's copy already there. A rule that owner's
// copy already has exactly, whoever added it (a concurrent `up`, an
// earlier run), is not an error and gets no undo. Other writers of the
// ruleset are tolerated: the transaction is checked against the ruleset's
// generation and retried.
func AddNAT(j *Journal, ns *NS, owner string, rule firewall.NATRule) (added bool, err error) {
	obj := natObject(ns, rule)
	if err := j.before(obj); err != nil {
		return false, &Error{Verb: Create, Object: obj, Err: err}
	}
	nat, err := ns.nat()
	if err != nil {
		return false, &Error{Verb: Create, Object: obj, Err: err}
	}
	a, err := nat.AddAllFor(owner, []firewall.NATRule{rule})
	if err != nil {
		return false, &Error{Verb: Create, Object: obj, Err: err}
	}
	if a[0] {
		j.record(entry{verb: Create, obj: obj, ns: ns, undo: func() error {
			nat, err := ns.nat()
			if err != nil {
				return err
			}
			_, err = nat.DelAllFor(owner, []firewall.NATRule{rule})
			return err
		}})
	}
	return a[0], nil
}

func natObject(ns *NS, rule firewall.NATRule) Object {
	k := KindMasquerade
	if _, ok := rule.(firewall.Forward); ok {
		k = KindForward
	}
	return Object{Kind: k, NS: ns.label, Name: rule.String()}
}

// nft returns n's nf_tables socket, dialled on first use and kept.
func (n *NS) nft() (*nft.Conn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done {
		return nil, errClosed
	}
	if n.nftc != nil {
		return n.nftc, nil
	}
	var c *nft.Conn
	var err error
	if n.current {
		c, err = nft.Dial(nil)
	} else {
		c, err = nft.Dial(n.ns.File())
	}
	if err != nil {
		return nil, err
	}
	n.nftc = c
	n.natc = firewall.NewNAT(c)
	return c, nil
}

// nat returns nsnet's NAT table on n's nf_tables socket.
func (n *NS) nat() (*firewall.NAT, error) {
	if _, err := n.nft(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done {
		return nil, errClosed
	}
	return n.natc, nil
}

// Sysctl sets a per-namespace sysctl of ns ("net.ipv4.ip_forward") to
// value and records putting back the old value, when it differed. One
// that already has the value is left alone and gets no undo.
func Sysctl(j *Journal, ns *NS, key, value string) error {
	obj := Object{Kind: KindSysctl, NS: ns.label, Name: key}
	if err := j.before(obj); err != nil {
		return &Error{Verb: Set, Object: obj, Err: err}
	}
	old, err := ns.SysctlGet(key)
	if err != nil {
		return &Error{Verb: Set, Object: obj, Err: err}
	}
	if old == value {
		return nil
	}
	if err := ns.SysctlSet(key, value); err != nil {
		return &Error{Verb: Set, Object: obj, Err: err}
	}
	j.record(entry{verb: Set, obj: obj, ns: ns, undo: func() error { return ns.SysctlSet(key, old) }})
	return nil
}
