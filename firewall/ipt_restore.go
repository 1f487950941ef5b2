package firewall

import (
	"errors"
	"fmt"

	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// An IPTRestoreTable is one *table section of iptables-restore input.
type IPTRestoreTable struct {
	Name   string
	Chains []IPTRestoreChain // :CHAIN POLICY [p:b] lines, in order
	Rules  []IPTAppend       // -A lines, in order
}

// An IPTRestoreChain is a :CHAIN line; Policy is nil for a user chain
// ("-").
type IPTRestoreChain struct {
	Name   string
	Policy *nft.Policy
}

// An IPTRestoreError names the input rule the ruleset refused.
type IPTRestoreError struct {
	Table string
	Index int // index in Rules, or -1 for the section itself
	Err   error
}

func (e *IPTRestoreError) Error() string { return fmt.Sprintf("table %s: %v", e.Table, e.Err) }
func (e *IPTRestoreError) Unwrap() error { return e.Err }

// RestoreIPT applies iptables-restore input as one nf_tables transaction:
// all of it or nothing. Without noflush each table named is emptied
// first (its rules, and the user chains the input does not declare);
// with noflush its rules are added to what is there, and a declared user
// chain that exists is flushed, as iptables-restore --noflush does.
// Tables the input does not name are not touched.
func RestoreIPT(c *nft.Conn, v6 bool, tables []IPTRestoreTable, noflush bool) error {
	all, err := c.Chains()
	if err != nil {
		return err
	}
	tx := c.Begin()
	for _, in := range tables {
		t, err := NewIPT(c, v6, in.Name)
		if err != nil {
			return &IPTRestoreError{Table: in.Name, Index: -1, Err: err}
		}
		have := map[string]nft.Chain{}
		for _, ch := range all {
			if ch.Family == t.family() && ch.Table == t.table {
				have[ch.Name] = ch
			}
		}
		declared := map[string]bool{}
		for _, ch := range in.Chains {
			declared[ch.Name] = true
		}
		// What goes: every rule (no flush), or the rules of the declared
		// user chains that exist (noflush).
		if len(have) > 0 {
			rs, err := c.Rules(t.family(), t.table, "")
			if err != nil && !errors.Is(err, unix.ENOENT) {
				return err
			}
			for i := range rs {
				_, builtin := t.builtin(rs[i].Chain)
				if !noflush || declared[rs[i].Chain] && !builtin {
					tx.DelRule(&rs[i])
				}
			}
			if !noflush {
				for _, ch := range have {
					if _, builtin := t.builtin(ch.Name); !builtin && !declared[ch.Name] {
						c := ch
						tx.DelChain(&nft.Chain{Family: c.Family, Table: c.Table, Name: c.Name})
						delete(have, ch.Name)
					}
				}
			}
		}
		tx.AddTable(&nft.Table{Family: t.family(), Name: t.table})
		for _, ch := range in.Chains {
			b, builtin := t.builtin(ch.Name)
			switch {
			case builtin && ch.Policy == nil:
				return &IPTRestoreError{Table: in.Name, Index: -1, Err: ErrIPTBuiltin}
			case builtin:
				if _, ok := have[ch.Name]; ok {
					tx.AddChain(&nft.Chain{Family: t.family(), Table: t.table, Name: ch.Name, Policy: ch.Policy})
				} else {
					tx.AddChain(t.baseChain(b, *ch.Policy))
				}
			case ch.Policy != nil:
				return &IPTRestoreError{Table: in.Name, Index: -1, Err: ErrIPTBuiltin}
			default:
				if _, ok := have[ch.Name]; !ok {
					tx.AddChain(&nft.Chain{Family: t.family(), Table: t.table, Name: ch.Name})
				}
			}
			have[ch.Name] = nft.Chain{Name: ch.Name}
		}
		made := map[string]bool{}
		for i, a := range in.Rules {
			if _, ok := have[a.Chain]; !ok && !made[a.Chain] {
				if err := t.ensure(tx, have, a.Chain); err != nil {
					return &IPTRestoreError{Table: in.Name, Index: i, Err: err}
				}
				made[a.Chain] = true
			}
			if err := t.checkJump(have, a.Rule); err != nil {
				return &IPTRestoreError{Table: in.Name, Index: i, Err: err}
			}
			kr := t.kernelRule(a.Chain, a.Rule)
			tx.AddRule(&kr)
		}
	}
	return tx.Commit()
}

// TablesIPT names the iptables tables that exist, in iptables-save's
// order (filter, then nat).
func TablesIPT(c *nft.Conn, v6 bool) ([]string, error) {
	ts, err := c.Tables()
	if err != nil {
		return nil, err
	}
	fam := nft.FamilyIPv4
	if v6 {
		fam = nft.FamilyIPv6
	}
	var out []string
	for _, name := range []string{"filter", "nat"} {
		for _, t := range ts {
			if t.Family == fam && t.Name == name {
				out = append(out, name)
			}
		}
	}
	return out, nil
}
