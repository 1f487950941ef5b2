package firewall

import (
	"errors"
	"fmt"

	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// The iptables-nft layout (iptables 1.8.7+, nft-shared.c): table "nat" or
// "filter" in family ip (ip6 for ip6tables), base chains named as
// iptables names them with its types, hooks and priorities, created only
// when first used.
type iptBuiltin struct {
	name string
	hook nft.Hook
	prio int32
}

var iptTables = map[string]struct {
	typ    string
	chains []iptBuiltin
}{
	"filter": {"filter", []iptBuiltin{
		{"INPUT", nft.HookInput, 0}, {"FORWARD", nft.HookForward, 0}, {"OUTPUT", nft.HookOutput, 0}}},
	"nat": {"nat", []iptBuiltin{
		{"PREROUTING", nft.HookPrerouting, -100}, {"INPUT", nft.HookInput, 100},
		{"OUTPUT", nft.HookOutput, -100}, {"POSTROUTING", nft.HookPostrouting, 100}}},
}

// Errors of iptables commands, which the iptables name prints in
// iptables' words.
var (
	ErrIPTNoChain     = errors.New("no chain/target/match by that name")
	ErrIPTBadRule     = errors.New("bad rule (does a matching rule exist in that chain?)")
	ErrIPTChainExists = errors.New("chain already exists")
	ErrIPTIndex       = errors.New("index of insertion too big")
	ErrIPTBuiltin     = errors.New("bad built-in chain name")
	ErrIPTNoTable     = errors.New("table does not exist")
)

// An IPTMissingTargetError is -j CHAIN for a chain that does not exist.
type IPTMissingTargetError struct{ Chain string }

func (e *IPTMissingTargetError) Error() string {
	return fmt.Sprintf("Chain '%s' does not exist", e.Chain)
}

// An IPTIncompatibleError is a chain holding a rule the iptables name
// cannot read (another tool's nft rule): listed by nft, not by iptables.
type IPTIncompatibleError struct{ Chain, Table string }

func (e *IPTIncompatibleError) Error() string {
	return fmt.Sprintf("chain `%s' in table `%s' is incompatible, use 'nft' tool.", e.Chain, e.Table)
}

// IPT is one iptables table (nat or filter, ip or ip6) on an nf_tables
// connection: iptables-nft's view of the ruleset. Like iptables-nft, it
// appends to and deletes from tables others made too, and changes only
// the rules and chains a command names.
type IPT struct {
	c     *nft.Conn
	v6    bool
	table string
}

// NewIPT returns table (nat or filter) of family ip, or ip6 when v6.
func NewIPT(c *nft.Conn, v6 bool, table string) (*IPT, error) {
	if _, ok := iptTables[table]; !ok {
		return nil, ErrIPTNoTable
	}
	return &IPT{c: c, v6: v6, table: table}, nil
}

func (t *IPT) family() nft.Family {
	if t.v6 {
		return nft.FamilyIPv6
	}
	return nft.FamilyIPv4
}

// Table is the nf_tables name of the table ("nat" or "filter").
func (t *IPT) Table() string { return t.table }

func (t *IPT) builtin(name string) (iptBuiltin, bool) {
	for _, b := range iptTables[t.table].chains {
		if b.name == name {
			return b, true
		}
	}
	return iptBuiltin{}, false
}

// Builtins names the table's base chains in iptables' order.
func (t *IPT) Builtins() []string {
	var out []string
	for _, b := range iptTables[t.table].chains {
		out = append(out, b.name)
	}
	return out
}

func (t *IPT) baseChain(b iptBuiltin, policy nft.Policy) *nft.Chain {
	return &nft.Chain{Family: t.family(), Table: t.table, Name: b.name, Type: iptTables[t.table].typ,
		Hook: &nft.ChainHook{Num: b.hook, Priority: b.prio}, Policy: &policy}
}

// chains dumps the chains of this table (none if it does not exist).
func (t *IPT) chains() (map[string]nft.Chain, error) {
	all, err := t.c.Chains()
	if err != nil {
		return nil, err
	}
	out := map[string]nft.Chain{}
	for _, ch := range all {
		if ch.Family == t.family() && ch.Table == t.table {
			out[ch.Name] = ch
		}
	}
	return out, nil
}

// ensure adds to tx what chain needs to exist: the table and the base
// chain, as iptables-nft creates them lazily; a user chain must exist.
func (t *IPT) ensure(tx *nft.Tx, have map[string]nft.Chain, chain string) error {
	if _, ok := have[chain]; ok {
		return nil
	}
	b, ok := t.builtin(chain)
	if !ok {
		return ErrIPTNoChain
	}
	tx.AddTable(&nft.Table{Family: t.family(), Name: t.table})
	tx.AddChain(t.baseChain(b, nft.PolicyAccept))
	return nil
}

// checkJump: a rule that jumps needs its chain.
func (t *IPT) checkJump(have map[string]nft.Chain, r IPTRule) error {
	if r.Target.Kind != "JUMP" {
		return nil
	}
	if _, ok := have[r.Target.Chain]; !ok {
		return &IPTMissingTargetError{Chain: r.Target.Chain}
	}
	return nil
}

func (t *IPT) kernelRule(chain string, r IPTRule) nft.Rule {
	exprs, compat := r.Exprs(t.v6)
	return nft.Rule{Family: t.family(), Table: t.table, Chain: chain, Exprs: exprs, Compat: compat}
}

// rules dumps one chain; a chain that does not exist is ErrIPTNoChain
// unless it is a base chain not made yet (no rules).
func (t *IPT) rules(chain string) ([]nft.Rule, error) {
	rs, err := t.c.Rules(t.family(), t.table, chain)
	if errors.Is(err, unix.ENOENT) {
		if _, ok := t.builtin(chain); ok {
			return nil, nil
		}
		return nil, ErrIPTNoChain
	}
	return rs, err
}

// Append is iptables -A: r at the end of chain.
func (t *IPT) Append(chain string, r IPTRule) error {
	return t.AppendAll([]IPTAppend{{Chain: chain, Rule: r}})
}

// An IPTAppend is one rule to append.
type IPTAppend struct {
	Chain string
	Rule  IPTRule
}

// AppendAll appends rules in one transaction.
func (t *IPT) AppendAll(rs []IPTAppend) error {
	have, err := t.chains()
	if err != nil {
		return err
	}
	tx := t.c.Begin()
	made := map[string]bool{}
	for _, a := range rs {
		if !made[a.Chain] {
			if err := t.ensure(tx, have, a.Chain); err != nil {
				return err
			}
			made[a.Chain] = true
		}
		if err := t.checkJump(have, a.Rule); err != nil {
			return err
		}
		kr := t.kernelRule(a.Chain, a.Rule)
		tx.AddRule(&kr)
	}
	return tx.Commit()
}

// Insert is iptables -I chain pos (1 = first).
func (t *IPT) Insert(chain string, pos int, r IPTRule) error {
	have, err := t.chains()
	if err != nil {
		return err
	}
	tx := t.c.Begin()
	if err := t.ensure(tx, have, chain); err != nil {
		return err
	}
	if err := t.checkJump(have, r); err != nil {
		return err
	}
	kr := t.kernelRule(chain, r)
	if pos > 1 {
		rs, err := t.rules(chain)
		if err != nil {
			return err
		}
		switch {
		case pos == len(rs)+1:
			tx.AddRule(&kr)
			return tx.Commit()
		case pos > len(rs)+1:
			return ErrIPTIndex
		}
		kr.Position = rs[pos-1].Handle
	}
	tx.InsertRule(&kr)
	return tx.Commit()
}

// find returns the first rule of chain that is r (-C, -D by spec), in the
// native encoding or the xt tcp/udp one of older iptables.
func (t *IPT) find(chain string, r IPTRule) (*nft.Rule, error) {
	rs, err := t.rules(chain)
	if err != nil {
		return nil, err
	}
	want := t.kernelRule(chain, r)
	alt := r
	alt.XTPorts = !r.XTPorts
	wantAlt := t.kernelRule(chain, alt)
	for i := range rs {
		if sameIPTExprs(rs[i].Exprs, want.Exprs) || (r.SPort != nil || r.DPort != nil) && sameIPTExprs(rs[i].Exprs, wantAlt.Exprs) {
			return &rs[i], nil
		}
	}
	return nil, ErrIPTBadRule
}

// Check is iptables -C: nil if chain holds r.
func (t *IPT) Check(chain string, r IPTRule) error {
	_, err := t.find(chain, r)
	return err
}

// Delete is iptables -D chain RULE: the first rule that is r.
func (t *IPT) Delete(chain string, r IPTRule) error {
	kr, err := t.find(chain, r)
	if err != nil {
		return err
	}
	tx := t.c.Begin()
	tx.DelRule(kr)
	return tx.Commit()
}

// nth is the rule at pos (1 = first) of chain.
func (t *IPT) nth(chain string, pos int) (*nft.Rule, error) {
	rs, err := t.rules(chain)
	if err != nil {
		return nil, err
	}
	if pos < 1 || pos > len(rs) {
		return nil, ErrIPTNoChain // iptables' message for a missing index
	}
	return &rs[pos-1], nil
}

// DeleteNum is iptables -D chain N.
func (t *IPT) DeleteNum(chain string, pos int) error {
	kr, err := t.nth(chain, pos)
	if err != nil {
		return err
	}
	tx := t.c.Begin()
	tx.DelRule(kr)
	return tx.Commit()
}

// Replace is iptables -R chain N RULE.
func (t *IPT) Replace(chain string, pos int, r IPTRule) error {
	have, err := t.chains()
	if err != nil {
		return err
	}
	if err := t.checkJump(have, r); err != nil {
		return err
	}
	old, err := t.nth(chain, pos)
	if err != nil {
		return err
	}
	kr := t.kernelRule(chain, r)
	kr.Handle = old.Handle
	tx := t.c.Begin()
	tx.ReplaceRule(&kr)
	return tx.Commit()
}

// Flush is iptables -F [chain]: the rules of chain, or of every chain of
// the table. Chains stay.
func (t *IPT) Flush(chain string) error {
	have, err := t.chains()
	if err != nil {
		return err
	}
	if chain != "" {
		if _, ok := have[chain]; !ok {
			if _, builtin := t.builtin(chain); builtin {
				return nil
			}
			return ErrIPTNoChain
		}
	}
	rs, err := t.c.Rules(t.family(), t.table, chain)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	tx := t.c.Begin()
	for i := range rs {
		tx.DelRule(&rs[i])
	}
	return tx.Commit()
}

// Zero is iptables -Z [chain]: every rule's counter back to 0, by
// replacing each rule with itself and a fresh counter (as iptables-nft
// does), in one transaction.
func (t *IPT) Zero(chain string) error {
	rs, err := t.c.Rules(t.family(), t.table, chain)
	if errors.Is(err, unix.ENOENT) {
		if _, builtin := t.builtin(chain); chain == "" || builtin {
			return nil
		}
		return ErrIPTNoChain
	}
	if err != nil {
		return err
	}
	tx := t.c.Begin()
	for i := range rs {
		r := rs[i]
		zeroed := false
		exprs := make([]nft.Expr, len(r.Exprs))
		for k, x := range r.Exprs {
			if c, ok := x.(*nft.Counter); ok {
				exprs[k] = &nft.Counter{Explicit: true}
				zeroed = zeroed || c.Packets != 0 || c.Bytes != 0
				continue
			}
			exprs[k] = x
		}
		if zeroed {
			r.Exprs = exprs
			tx.ReplaceRule(&r)
		}
	}
	return tx.Commit()
}

// SetPolicy is iptables -P chain ACCEPT|DROP.
func (t *IPT) SetPolicy(chain string, p nft.Policy) error {
	b, ok := t.builtin(chain)
	if !ok {
		return ErrIPTBuiltin
	}
	have, err := t.chains()
	if err != nil {
		return err
	}
	tx := t.c.Begin()
	if _, ok := have[chain]; !ok {
		tx.AddTable(&nft.Table{Family: t.family(), Name: t.table})
		tx.AddChain(t.baseChain(b, p))
	} else {
		tx.AddChain(&nft.Chain{Family: t.family(), Table: t.table, Name: chain, Policy: &p})
	}
	return tx.Commit()
}

// NewChain is iptables -N.
func (t *IPT) NewChain(name string) error {
	if _, ok := t.builtin(name); ok {
		return ErrIPTChainExists
	}
	have, err := t.chains()
	if err != nil {
		return err
	}
	if _, ok := have[name]; ok {
		return ErrIPTChainExists
	}
	tx := t.c.Begin()
	tx.AddTable(&nft.Table{Family: t.family(), Name: t.table})
	tx.AddChain(&nft.Chain{Family: t.family(), Table: t.table, Name: name})
	return tx.Commit()
}

// DelChain is iptables -X [chain]: an empty user chain nothing jumps to,
// or every such chain of the table.
func (t *IPT) DelChain(name string) error {
	have, err := t.chains()
	if err != nil {
		return err
	}
	// A chain that holds rules or that a rule jumps to is the kernel's
	// EBUSY, which iptables-nft reports as it comes.
	tx := t.c.Begin()
	if name == "" {
		for _, ch := range have {
			if ch.Hook == nil {
				tx.DelChain(&nft.Chain{Family: t.family(), Table: t.table, Name: ch.Name})
			}
		}
		return tx.Commit()
	}
	if _, builtin := t.builtin(name); builtin {
		return ErrIPTNoChain
	}
	if _, ok := have[name]; !ok {
		return ErrIPTNoChain
	}
	tx.DelChain(&nft.Chain{Family: t.family(), Table: t.table, Name: name})
	return tx.Commit()
}

// RenameChain is iptables -E old new.
func (t *IPT) RenameChain(old, name string) error {
	have, err := t.chains()
	if err != nil {
		return err
	}
	ch, ok := have[old]
	if _, builtin := t.builtin(old); !ok || builtin {
		return ErrIPTNoChain
	}
	if _, taken := have[name]; taken {
		return ErrIPTChainExists
	}
	tx := t.c.Begin()
	tx.AddChain(&nft.Chain{Family: t.family(), Table: t.table, Name: name, Handle: ch.Handle})
	return tx.Commit()
}

// An IPTChain is one chain as iptables lists it.
type IPTChain struct {
	Name    string
	Builtin bool
	Policy  nft.Policy // base chains; ACCEPT for one not made yet
	Refs    uint32     // user chains: the rules that jump to it
	Rules   []IPTListed
}

// An IPTListed is one rule of a listing.
type IPTListed struct {
	Rule           IPTRule
	Packets, Bytes uint64
	Handle         uint64
	Incompatible   bool // not a rule the iptables name can read
}

// List is the table as iptables -L/-S shows it: the base chains in
// iptables' order (also those not made yet, with policy ACCEPT), then the
// user chains in the kernel's order; only chain when it is not "".
func (t *IPT) List(chain string) ([]IPTChain, error) {
	have, err := t.chains()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, b := range iptTables[t.table].chains {
		names = append(names, b.name)
	}
	all, err := t.c.Chains()
	if err != nil {
		return nil, err
	}
	for _, ch := range all {
		if ch.Family == t.family() && ch.Table == t.table {
			if _, builtin := t.builtin(ch.Name); !builtin {
				names = append(names, ch.Name)
			}
		}
	}
	if chain != "" {
		_, ok := have[chain]
		if _, builtin := t.builtin(chain); !ok && !builtin {
			return nil, ErrIPTNoChain
		}
		names = []string{chain}
	}
	rules, err := t.c.Rules(t.family(), t.table, "")
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return nil, err
	}
	var out []IPTChain
	for _, n := range names {
		ch, exists := have[n]
		_, builtin := t.builtin(n)
		lc := IPTChain{Name: n, Builtin: builtin, Policy: nft.PolicyAccept}
		if exists && ch.Policy != nil {
			lc.Policy = *ch.Policy
		}
		for _, kr := range rules {
			if kr.Chain != n {
				continue
			}
			r, pk, by, ok := ParseIPTExprs(kr.Exprs, t.v6)
			lc.Rules = append(lc.Rules, IPTListed{Rule: r, Packets: pk, Bytes: by, Handle: kr.Handle, Incompatible: !ok})
		}
		if !builtin && exists {
			lc.Refs = ch.Use - uint32(len(lc.Rules))
		}
		out = append(out, lc)
	}
	return out, nil
}
