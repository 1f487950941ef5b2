package firewall

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/nsnet/nsnet/internal/sorting"
	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// natRetries bounds how often a NAT change is retried when another writer
// changed the ruleset between our read and our commit (unix.ERESTART).
const natRetries = 20

// ErrNotFound reports that a NAT rule asked for is not in table inet nsnet.
// NAT.Del wraps it: errors.Is(err, firewall.ErrNotFound).
var ErrNotFound = errors.New("no such nat rule")

// A NAT is nsnet's table inet nsnet seen through one nf_tables connection.
// It is safe for concurrent use: one read-check-commit at a time on this
// value, and other writers (other processes) are caught by the ruleset
// generation (nft.Tx.RequireGen) and retried.
type NAT struct {
	c  *nft.Conn
	mu sync.Mutex // the policy mutex: one read-check-commit at a time
}

// NewNAT returns the NAT table reached through c, which stays the caller's
// to close.
func NewNAT(c *nft.Conn) *NAT { return &NAT{c: c} }

// A NATEntry is one NAT rule of table inet nsnet as List finds it.
// nat chains see the first packet of each connection only, so the counters
// count connections' first packets, not traffic.
type NATEntry struct {
	Rule    NATRule        // parsed from Comment; nil for a foreign rule
	Comment string         // the rules' comment ("" for a foreign rule without one)
	Foreign bool           // a rule nsnet did not write (its comment is not nsnet's text): one kernel rule per entry
	Packets uint64         // masquerade: its rule; forward: its DNAT rules (prerouting + output)
	Bytes   uint64         // likewise
	Chains  []ChainCounter // every kernel rule of the entry, in chain order of the dump
	// Owners are the owner marks of the entry's copies (NAT.AddAllFor),
	// in the order first seen; "" is the copy without a mark.
	Owners []string
}

// A ChainCounter is the counter of one kernel rule of a NATEntry.
type ChainCounter struct {
	Chain   string // "prerouting", "output" or "postrouting"
	Handle  uint64
	Packets uint64
	Bytes   uint64
}

// A ChainConflictError reports a chain in table inet nsnet with the name of
// one of nsnet's chains but another type, hook or priority: somebody
// else's, which nsnet neither uses nor deletes.
type ChainConflictError struct {
	Chain nft.Chain // as the kernel has it
	Want  nft.Chain // as nsnet needs it
}

func (e *ChainConflictError) Error() string {
	return fmt.Sprintf("chain %s is %s, not nsnet's %s", e.Chain.String(), chainSpec(&e.Chain), chainSpec(&e.Want))
}

// chainSpec is "type nat hook postrouting priority 100", or "a regular
// chain" for one without a hook.
func chainSpec(ch *nft.Chain) string {
	if ch.Hook == nil {
		return "a regular chain"
	}
	return fmt.Sprintf("type %s hook %s priority %d", ch.Type, ch.Hook.Num, ch.Hook.Priority)
}

func natTable() *nft.Table { return &nft.Table{Family: nft.FamilyINet, Name: NATTable} }

// natChains are the chains of table inet nsnet, created by the first Add.
func natChains() []*nft.Chain {
	accept := nft.PolicyAccept
	mk := func(name string, hook nft.Hook, prio int32) *nft.Chain {
		return &nft.Chain{Family: nft.FamilyINet, Table: NATTable, Name: name, Type: "nat",
			Hook: &nft.ChainHook{Num: hook, Priority: prio}, Policy: &accept}
	}
	return []*nft.Chain{
		mk(chainPrerouting, nft.HookPrerouting, -100),
		mk(chainOutput, nft.HookOutput, -100),
		mk(chainPostrouting, nft.HookPostrouting, 100),
	}
}

// natSkeleton adds table inet nsnet and its three nat base chains; on an
// existing table and chains these are no-ops (NLM_F_CREATE without EXCL).
func natSkeleton(tx *nft.Tx) {
	tx.AddTable(natTable())
	for _, ch := range natChains() {
		tx.AddChain(ch)
	}
}

// isSkeleton reports whether ch is one of nsnet's chains exactly as Add
// makes it; ok is false if its name is not one of theirs.
func isSkeleton(ch *nft.Chain) (want *nft.Chain, same bool) {
	for _, w := range natChains() {
		if w.Name != ch.Name {
			continue
		}
		same = ch.Hook != nil && ch.Type == w.Type && ch.Hook.Num == w.Hook.Num && ch.Hook.Priority == w.Hook.Priority
		return w, same
	}
	return nil, false
}

// natRules dumps table inet nsnet with the generation it was read at. A
// missing table is no rules.
func (n *NAT) natRules() ([]nft.Rule, uint32, error) {
	gen, err := n.c.Gen()
	if err != nil {
		return nil, 0, err
	}
	rs, err := n.c.Rules(nft.FamilyINet, NATTable, "")
	if errors.Is(err, unix.ENOENT) {
		return nil, gen, nil
	}
	return rs, gen, err
}

// Add adds r to table inet nsnet, creating the table and its chains if
// needed, in one transaction. If r is already there, exactly, it changes
// nothing and returns false. Rules left half-there (one of a forward's
// rules deleted by hand, or an older form) are replaced. A foreign chain
// in the table with the name of one of nsnet's is a *ChainConflictError.
func (n *NAT) Add(r NATRule) (added bool, err error) {
	if err := r.Validate(); err != nil {
		return false, err
	}
	want := r.rules() // without an owner mark: the copy of `nsnet nat`
	n.mu.Lock()       // other writers (processes) are caught by the generation check
	defer n.mu.Unlock()
	for try := 0; ; try++ {
		rs, gen, err := n.natRules()
		if err != nil {
			return false, err
		}
		have := withOwner(withComment(rs, r.String()), "")
		if sameRules(have, want) {
			return false, nil
		}
		tx := n.c.Begin()
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
		var oe *nft.OpError
		if errors.As(err, &oe) && oe.Op == "chain add" {
			// NEWCHAIN without EXCL fails only for a chain of that name
			// with another type (EOPNOTSUPP) or hook (EEXIST), see
			// nf_tables_updchain: name it.
			if cerr := n.conflict(); cerr != nil {
				return false, cerr
			}
		}
		return err == nil, err
	}
}

// conflict finds a chain of table inet nsnet that has the name of one of
// nsnet's and is not it.
func (n *NAT) conflict() error {
	chains, err := n.c.Chains()
	if err != nil {
		return nil // the commit's own error says enough
	}
	for i := range chains {
		ch := &chains[i]
		if ch.Family != nft.FamilyINet || ch.Table != NATTable {
			continue
		}
		if want, same := isSkeleton(ch); want != nil && !same {
			return &ChainConflictError{Chain: *ch, Want: *want}
		}
	}
	return nil
}

// Del deletes the kernel rules of r from table inet nsnet. When no rule of
// nsnet is left, its chains go too if nothing else is in them, and the
// table if nothing else is in it (issue 9 M4: a table inet nsnet that also
// holds somebody's chains, sets or rules keeps them). A rule that is not
// there is an *nft.OpError wrapping ErrNotFound. Every owner's copy of r
// goes (NAT.AddAllFor): this is `nsnet nat del`, the administrator's word.
func (n *NAT) Del(r NATRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	text := r.String()
	_, _, err := n.remove(func(rule *nft.Rule) bool { return rule.Comment == text }, func() error {
		return &nft.OpError{Op: "nat del", Obj: text, Err: ErrNotFound}
	})
	return err
}

// Flush deletes every rule of nsnet's from table inet nsnet, then its
// chains and the table when nothing foreign is left in them. kept names
// what was left because it is not nsnet's (a foreign chain, rule or set):
// empty when the table is gone or was never there.
func (n *NAT) Flush() (kept []string, err error) {
	kept, _, err = n.remove(func(rule *nft.Rule) bool { return nsnets(rule.Comment) }, nil)
	return kept, err
}

// nsnets reports whether a rule comment is the canonical text of one of
// nsnet's NAT rules.
func nsnets(comment string) bool {
	nr, err := ParseNAT(fields(comment))
	return err == nil && nr.String() == comment
}

// remove deletes the rules of table inet nsnet that mine selects, and
// what nsnet made around them that nothing else uses. none, if not nil,
// is the error when mine selects nothing. deleted counts the kernel rules
// deleted.
func (n *NAT) remove(mine func(*nft.Rule) bool, none func() error) (kept []string, deleted int, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for try := 0; ; try++ {
		plan, err := n.plan(mine)
		if err != nil {
			return nil, 0, err
		}
		if len(plan.del) == 0 && none != nil {
			return nil, 0, none()
		}
		tx := n.c.Begin()
		tx.RequireGen(plan.gen)
		switch {
		case plan.table:
			tx.DelTable(natTable())
		default:
			for i := range plan.del {
				tx.DelRule(&plan.del[i])
			}
			for i := range plan.chains {
				tx.DelChain(&plan.chains[i])
			}
		}
		err = tx.Commit()
		if errors.Is(err, unix.ERESTART) && try < natRetries {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		return plan.kept, len(plan.del), nil
	}
}

// A removal is what remove deletes, read at one generation.
type removal struct {
	gen    uint32
	del    []nft.Rule  // nsnet's rules to delete
	chains []nft.Chain // nsnet's chains left empty, when no rule of nsnet's is left
	table  bool        // the table holds nothing else: delete it whole
	kept   []string    // what stays because it is not nsnet's
}

func (n *NAT) plan(mine func(*nft.Rule) bool) (removal, error) {
	var p removal
	rs, gen, err := n.natRules()
	if err != nil {
		return p, err
	}
	p.gen = gen
	tables, err := n.c.Tables()
	if err != nil {
		return p, err
	}
	var table *nft.Table
	for i := range tables {
		if tables[i].Family == nft.FamilyINet && tables[i].Name == NATTable {
			table = &tables[i]
		}
	}
	if table == nil {
		return p, nil
	}
	all, err := n.c.Chains()
	if err != nil {
		return p, err
	}
	var chains []nft.Chain
	for _, ch := range all {
		if ch.Family == nft.FamilyINet && ch.Table == NATTable {
			chains = append(chains, ch)
		}
	}
	left := map[string]int{} // rules left per chain
	oursLeft := 0
	for i := range rs {
		switch {
		case mine(&rs[i]):
			p.del = append(p.del, rs[i])
		default:
			left[rs[i].Chain]++
			if nsnets(rs[i].Comment) {
				oursLeft++
			} else {
				p.kept = append(p.kept, fmt.Sprintf("a rule in chain %s (handle %d) that is not nsnet's", rs[i].Chain, rs[i].Handle))
			}
		}
	}
	if oursLeft > 0 {
		return p, nil // nsnet still uses its chains
	}
	for _, ch := range chains {
		want, same := isSkeleton(&ch)
		switch {
		case want != nil && same && left[ch.Name] == 0: // a base chain: nothing jumps to it
			p.chains = append(p.chains, ch)
		case want != nil && !same:
			p.kept = append(p.kept, (&ChainConflictError{Chain: ch, Want: *want}).Error())
		case want == nil:
			p.kept = append(p.kept, "chain "+ch.Name+", which is not nsnet's")
		}
	}
	// NFTA_TABLE_USE counts the table's chains, sets, objects and
	// flowtables (nft_use_inc in nf_tables_api.c).
	if others := int(table.Use) - len(chains); others > 0 {
		p.kept = append(p.kept, fmt.Sprintf("%d sets, maps, stateful objects or flowtables", others))
	}
	p.table = len(p.kept) == 0 && len(p.chains) == len(chains)
	return p, nil
}

// List returns the NAT rules of table inet nsnet, one entry per comment
// (the prerouting, output and postrouting rules of one forward form one
// entry), in the order they were added. A rule nsnet did not write is an
// entry of its own, marked Foreign.
func (n *NAT) List() ([]NATEntry, error) {
	rs, err := n.c.Rules(nft.FamilyINet, NATTable, "")
	if errors.Is(err, unix.ENOENT) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []NATEntry
	at := map[string]int{}
	for _, r := range rs {
		nr, err := ParseNAT(fields(r.Comment))
		ours := err == nil && nr.String() == r.Comment
		i, ok := at[r.Comment]
		if !ok || !ours {
			i = len(out)
			if ours {
				at[r.Comment] = i
			}
			e := NATEntry{Comment: r.Comment, Foreign: !ours}
			if ours {
				e.Rule = nr
			}
			out = append(out, e)
		}
		e := &out[i]
		if !slices.Contains(e.Owners, r.Owner) {
			e.Owners = append(e.Owners, r.Owner)
		}
		cc := ChainCounter{Chain: r.Chain, Handle: r.Handle}
		for _, x := range r.Exprs {
			if ctr, ok := x.(*nft.Counter); ok {
				cc.Packets += ctr.Packets
				cc.Bytes += ctr.Bytes
			}
		}
		e.Chains = append(e.Chains, cc)
		if !ours || primary(r) {
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
	sorting.Func(out, func(a, b NATEntry) int { return cmp.Compare(first(a), first(b)) })
	return out, nil
}

// primary reports whether r is the rule whose counter an entry shows: a DNAT
// rule, or a masquerade that is not a forward's hairpin.
func primary(r nft.Rule) bool {
	for _, x := range r.Exprs {
		switch x.(type) {
		case *nft.Nat:
			return true
		case *nft.Ct:
			return false // the hairpin masquerade of a forward
		}
	}
	return r.Chain == chainPostrouting
}

func withComment(rs []nft.Rule, comment string) []nft.Rule {
	var out []nft.Rule
	for _, r := range rs {
		if r.Comment == comment {
			out = append(out, r)
		}
	}
	return out
}

// sameRules reports whether the kernel rules have are exactly want, in
// chains and expressions, counters' values and handles aside.
func sameRules(have, want []nft.Rule) bool {
	if len(have) != len(want) {
		return false
	}
	key := func(r nft.Rule) string { return r.Chain }
	h := slices.Clone(have)
	w := slices.Clone(want)
	sorting.StableFunc(h, func(a, b nft.Rule) int { return strings.Compare(key(a), key(b)) })
	sorting.StableFunc(w, func(a, b nft.Rule) int { return strings.Compare(key(a), key(b)) })
	for i := range h {
		if h[i].Chain != w[i].Chain || !nft.SameExprs(normalize(h[i].Exprs), normalize(w[i].Exprs)) {
			return false
		}
	}
	return true
}

// normalize copies exprs with what the kernel changes or adds cleared:
// counter values, the bitwise operation it dumps, the NF_NAT_RANGE_MAP_IPS
// flag it sets itself, and the
// max registers it dumps equal to the min ones when none was sent.
func normalize(exprs []nft.Expr) []nft.Expr {
	out := make([]nft.Expr, len(exprs))
	for i, x := range exprs {
		switch e := x.(type) {
		case *nft.Counter:
			out[i] = &nft.Counter{}
		case *nft.Bitwise:
			b := *e
			b.Op = nil // the kernel dumps the default operation nft does not send
			out[i] = &b
		case *nft.Nat:
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
