package firewall

import (
	"encoding/hex"
	"errors"
	"hash/fnv"
	"slices"

	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// AddAll is Add for several rules in one transaction, reading table inet
// nsnet once: a CNI ADD's masquerade and port forwards go in together,
// and a reader never sees half of them. added[i] reports whether rs[i]
// was written (false: it was already there exactly). A rule given twice
// counts once.
func (n *NAT) AddAll(rs []NATRule) (added []bool, err error) { return n.AddAllFor("", rs) }

// AddAllFor is AddAll for an owner: a topology file, an attachment. A
// rule that several owners ask for (two files masquerading the network of
// a bridge they share) is one copy of its kernel rules per owner, each
// with the same comment and the owner in its user data (nft.Rule.Owner):
// the copies match the same packets, the first one translates them, and
// the owner's claim is its copy, which DelAllFor(owner) removes without
// touching the others'. A rule is already there when owner's copy is,
// exactly; another owner's copy does not count. Owner "" is the copy
// without an owner mark (`nsnet nat`, and rules of older nsnet).
func (n *NAT) AddAllFor(owner string, rs []NATRule) (added []bool, err error) {
	owner = OwnerTag(owner)
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
			want := ownedBy(r.rules(), owner)
			old := withOwner(withComment(have, text), owner)
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
	_, _, err := n.remove(func(rule *nft.Rule) bool { return texts[rule.Comment] }, func() error { return nil })
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

// DelAllFor deletes owner's copies of rs (see AddAllFor) in one
// transaction, and the chains and table when no rule of nsnet's is left;
// other owners' copies stay. Rules owner has no copy of are skipped;
// deleted counts the kernel rules deleted.
func (n *NAT) DelAllFor(owner string, rs []NATRule) (deleted int, err error) {
	return n.DelOwned([]string{owner}, rs)
}

// DelOwned is DelAllFor for the copies of several owners at once (`down`
// of a file: its copy and the unmarked one), in one transaction.
func (n *NAT) DelOwned(owners []string, rs []NATRule) (deleted int, err error) {
	tags := map[string]bool{}
	for _, o := range owners {
		tags[OwnerTag(o)] = true
	}
	texts := map[string]bool{}
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return 0, err
		}
		texts[r.String()] = true
	}
	_, deleted, err = n.remove(func(rule *nft.Rule) bool { return texts[rule.Comment] && tags[rule.Owner] },
		func() error { return nil })
	return deleted, err
}

// ownerMax bounds an owner mark: the user data of a rule holds at most
// 256 bytes, a comment up to about 130 of them.
const ownerMax = 96

// OwnerTag is the mark AddAllFor writes for owner: owner itself, or, when
// it is longer than fits next to any comment, "fnv128a:" and the 32 hex
// digits of its FNV-1a hash (the same owner always gets the same mark; a
// mark, not a secret: crypto stays out of the binary).
func OwnerTag(owner string) string {
	if len(owner) <= ownerMax {
		return owner
	}
	h := fnv.New128a()
	h.Write([]byte(owner))
	return "fnv128a:" + hex.EncodeToString(h.Sum(nil))
}

// ownedBy sets the owner mark of rs.
func ownedBy(rs []nft.Rule, owner string) []nft.Rule {
	for i := range rs {
		rs[i].Owner = owner
	}
	return rs
}

// withOwner keeps, in place (rs is withComment's fresh slice), the rules
// of rs that carry owner's mark.
func withOwner(rs []nft.Rule, owner string) []nft.Rule {
	return slices.DeleteFunc(rs, func(r nft.Rule) bool { return r.Owner != owner })
}
