package nft

import (
	"cmp"
	"errors"
	"reflect"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// natRetries bounds how often a NAT change is retried when another writer
// changed the ruleset between our read and our commit (unix.ERESTART).
const natRetries = 20

// A NATEntry is one NAT rule of table inet nsnet as NATList finds it.
// nat chains see the first packet of each connection only, so the counters
// count connections' first packets, not traffic.
type NATEntry struct {
	Rule    NATRule        // parsed from Comment; nil if the comment is not nsnet's text
	Comment string         // the rules' comment
	Packets uint64         // masquerade: its rule; forward: its DNAT rules (prerouting + output)
	Bytes   uint64         // likewise
	Chains  []ChainCounter // every kernel rule of the entry, in chain order of the dump
}

// A ChainCounter is the counter of one kernel rule of a NATEntry.
type ChainCounter struct {
	Chain   string // "prerouting", "output" or "postrouting"
	Handle  uint64
	Packets uint64
	Bytes   uint64
}

func natTable() *Table { return &Table{Family: FamilyINet, Name: NATTable} }

// natSkeleton adds table inet nsnet and its three nat base chains; on an
// existing table and chains these are no-ops (NLM_F_CREATE without EXCL).
func natSkeleton(tx *Tx) {
	tx.AddTable(natTable())
	accept := PolicyAccept
	for _, ch := range []struct {
		name string
		hook Hook
		prio int32
	}{
		{chainPrerouting, HookPrerouting, -100},
		{chainOutput, HookOutput, -100},
		{chainPostrouting, HookPostrouting, 100},
	} {
		tx.AddChain(&Chain{Family: FamilyINet, Table: NATTable, Name: ch.name, Type: "nat",
			Hook: &ChainHook{Num: ch.hook, Priority: ch.prio}, Policy: &accept})
	}
}

// natRules dumps table inet nsnet with the generation it was read at. A
// missing table is no rules.
func (c *Conn) natRules() ([]Rule, uint32, error) {
	gen, err := c.Gen()
	if err != nil {
		return nil, 0, err
	}
	rs, err := c.Rules(FamilyINet, NATTable, "")
	if errors.Is(err, unix.ENOENT) {
		return nil, gen, nil
	}
	return rs, gen, err
}

// NATAdd adds r to table inet nsnet, creating the table and its chains if
// needed, in one transaction. If r is already there, exactly, it changes
// nothing and returns false. Rules left half-there (one of a forward's
// rules deleted by hand, or an older form) are replaced.
func (c *Conn) NATAdd(r NATRule) (added bool, err error) {
	if err := r.Validate(); err != nil {
		return false, err
	}
	want := r.rules()
	c.natMu.Lock() // other writers (processes) are caught by the generation check
	defer c.natMu.Unlock()
	for try := 0; ; try++ {
		rs, gen, err := c.natRules()
		if err != nil {
			return false, err
		}
		have := withComment(rs, r.String())
		if sameRules(have, want) {
			return false, nil
		}
		tx := c.Begin()
		tx.RequireGen(gen)
		natSkeleton(tx)
		for i := range have {
			tx.DelRule(&have[i])
		}
		for i := range want {
			tx.AddRule(&want[i])
		}
		err = tx.Commit()
		if errors.Is(err, unix.ERESTART) && try < natRetries {
			continue
		}
		return err == nil, err
	}
}

// NATDel deletes the kernel rules of r from table inet nsnet, and the table
// itself when nothing else is left in it. A rule that is not there is an
// *OpError wrapping ErrNotFound.
func (c *Conn) NATDel(r NATRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	c.natMu.Lock()
	defer c.natMu.Unlock()
	for try := 0; ; try++ {
		rs, gen, err := c.natRules()
		if err != nil {
			return err
		}
		have := withComment(rs, r.String())
		if len(have) == 0 {
			return &OpError{Op: "nat del", Obj: r.String(), Err: ErrNotFound}
		}
		tx := c.Begin()
		tx.RequireGen(gen)
		if len(have) == len(rs) {
			tx.DelTable(natTable())
		} else {
			for i := range have {
				tx.DelRule(&have[i])
			}
		}
		err = tx.Commit()
		if errors.Is(err, unix.ERESTART) && try < natRetries {
			continue
		}
		return err
	}
}

// NATFlush deletes table inet nsnet and everything in it, and nothing
// else. It returns false if there was no such table.
func (c *Conn) NATFlush() (flushed bool, err error) {
	tx := c.Begin()
	tx.DelTable(natTable())
	err = tx.Commit()
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	return err == nil, err
}

// NATList returns the NAT rules of table inet nsnet, one entry per comment
// (the prerouting, output and postrouting rules of one forward form one
// entry), in the order they were added.
func (c *Conn) NATList() ([]NATEntry, error) {
	rs, err := c.Rules(FamilyINet, NATTable, "")
	if errors.Is(err, unix.ENOENT) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []NATEntry
	at := map[string]int{}
	for _, r := range rs {
		i, ok := at[r.Comment]
		if !ok {
			i = len(out)
			at[r.Comment] = i
			e := NATEntry{Comment: r.Comment}
			if nr, err := ParseNAT(fields(r.Comment)); err == nil && nr.String() == r.Comment {
				e.Rule = nr
			}
			out = append(out, e)
		}
		e := &out[i]
		cc := ChainCounter{Chain: r.Chain, Handle: r.Handle}
		for _, x := range r.Exprs {
			if ctr, ok := x.(*Counter); ok {
				cc.Packets += ctr.Packets
				cc.Bytes += ctr.Bytes
			}
		}
		e.Chains = append(e.Chains, cc)
		if primary(r) {
			e.Packets += cc.Packets
			e.Bytes += cc.Bytes
		}
	}
	// Handles grow with every rule added to the table: the smallest
	// handle of an entry says when it was added.
	first := func(e NATEntry) uint64 {
		m := e.Chains[0].Handle
		for _, cc := range e.Chains {
			m = min(m, cc.Handle)
		}
		return m
	}
	slices.SortFunc(out, func(a, b NATEntry) int { return cmp.Compare(first(a), first(b)) })
	return out, nil
}

// primary reports whether r is the rule whose counter an entry shows: a DNAT
// rule, or a masquerade that is not a forward's hairpin.
func primary(r Rule) bool {
	for _, x := range r.Exprs {
		switch x.(type) {
		case *Nat:
			return true
		case *Ct:
			return false // the hairpin masquerade of a forward
		}
	}
	return r.Chain == chainPostrouting
}

func withComment(rs []Rule, comment string) []Rule {
	var out []Rule
	for _, r := range rs {
		if r.Comment == comment {
			out = append(out, r)
		}
	}
	return out
}

// sameRules reports whether the kernel rules have are exactly want, in
// chains and expressions, counters' values and handles aside.
func sameRules(have, want []Rule) bool {
	if len(have) != len(want) {
		return false
	}
	key := func(r Rule) string { return r.Chain }
	h := slices.Clone(have)
	w := slices.Clone(want)
	slices.SortStableFunc(h, func(a, b Rule) int { return strings.Compare(key(a), key(b)) })
	slices.SortStableFunc(w, func(a, b Rule) int { return strings.Compare(key(a), key(b)) })
	for i := range h {
		if h[i].Chain != w[i].Chain || !reflect.DeepEqual(normalize(h[i].Exprs), normalize(w[i].Exprs)) {
			return false
		}
	}
	return true
}

// normalize copies exprs with what the kernel changes or adds cleared:
// counter values, the NF_NAT_RANGE_MAP_IPS flag it sets itself, and the
// max registers it dumps equal to the min ones when none was sent.
func normalize(exprs []Expr) []Expr {
	out := make([]Expr, len(exprs))
	for i, x := range exprs {
		switch e := x.(type) {
		case *Counter:
			out[i] = &Counter{}
		case *Nat:
			n := *e
			if n.RegAddrMin != 0 {
				n.Flags |= unix.NF_NAT_RANGE_MAP_IPS
			}
			if n.RegAddrMax == 0 {
				n.RegAddrMax = n.RegAddrMin
			}
			if n.RegProtoMax == 0 {
				n.RegProtoMax = n.RegProtoMin
			}
			out[i] = &n
		default:
			out[i] = x
		}
	}
	return out
}
