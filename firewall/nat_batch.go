package firewall

import (
	"errors"

	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// AddAll is Add for several rules in one transaction, reading table inet
// nsnet once: a CNI ADD's masquerade and port forwards go in together,
// and a reader never sees half of them. added[i] reports whether rs[i]
// was written (false: it was already there exactly). A rule given twice
// counts once.
func (n *NAT) AddAll(rs []NATRule) (added []bool, err error) {
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return nil, err
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for try := 0; ; try++ {
		have, gen, err := n.natRules()
		if err != nil {
			return nil, err
		}
		added = make([]bool, len(rs))
		seen := map[string]bool{}
		tx := n.c.Begin()
		tx.RequireGen(gen)
		natSkeleton(tx)
		changes := 0
		for i, r := range rs {
			text := r.String()
			if seen[text] {
				continue
			}
			seen[text] = true
			want := r.rules()
			old := withComment(have, text)
			if sameRules(old, want) {
				continue
			}
			for k := range old {
				tx.DelRule(&old[k])
			}
			for k := range want {
				tx.AddRule(&want[k])
			}
			added[i] = true
			changes++
		}
		if changes == 0 {
			return added, nil
		}
		err = tx.Commit()
		if errors.Is(err, unix.ERESTART) && try < natRetries {
			continue
		}
		var oe *nft.OpError
		if errors.As(err, &oe) && oe.Op == "chain add" {
			if cerr := n.conflict(); cerr != nil {
				return nil, cerr
			}
		}
		if err != nil {
			return nil, err
		}
		return added, nil
	}
}

// DelAll is Del for several rules in one transaction (and the table when
// nothing else is left in it); rules that are not there are skipped, not
// an error.
func (n *NAT) DelAll(rs []NATRule) error {
	texts := map[string]bool{}
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return err
		}
		texts[r.String()] = true
	}
	_, err := n.remove(func(rule *nft.Rule) bool { return texts[rule.Comment] }, func() error { return nil })
	return err
}

// Append adds rs to table inet nsnet in one transaction without reading
// the table first, so its cost does not grow with the rules already
// there: for rules whose text is new by construction (a CNI ADD's
// masquerade and forwards name the address IPAM just reserved for that
// attachment alone). A rule that was there anyway (a cleanup that never
// ran) is there twice, which changes no packet's fate, and Del and
// DelAll remove every copy.
func (n *NAT) Append(rs []NATRule) error {
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return err
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	tx := n.c.Begin()
	natSkeleton(tx)
	for _, r := range rs {
		for _, rule := range r.rules() {
			tx.AddRule(&rule)
		}
	}
	err := tx.Commit()
	var oe *nft.OpError
	if errors.As(err, &oe) && oe.Op == "chain add" {
		if cerr := n.conflict(); cerr != nil {
			return cerr
		}
	}
	return err
}
