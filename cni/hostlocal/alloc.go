package hostlocal

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/cni"
)

// An Allocation is one address taken from one range set.
type Allocation struct {
	Address netip.Prefix // the address with its subnet's length
	Gateway netip.Addr
	RangeID int
}

// Allocate takes one address from every range set for id and ifname (the
// requested addresses where one falls into a set), under the store's
// lock, as host-local's ADD does. On any failure it releases what it
// took and returns the error; a requested address that no set
// contains is an error too.
func Allocate(s *Store, cfg *Config, id, ifname string) ([]Allocation, error) {
	if err := s.Lock(); err != nil {
		return nil, err
	}
	defer s.Unlock()
	requested := append([]netip.Addr(nil), cfg.Requested...)
	var out []Allocation
	undo := func() {
		for _, a := range out {
			s.Release(a.Address.Addr(), id, ifname)
		}
	}
	for idx, set := range cfg.Ranges {
		var want netip.Addr
		for i, a := range requested {
			if set.Contains(a) {
				want = a
				requested = append(requested[:i], requested[i+1:]...)
				break
			}
		}
		a, err := get(s, set, idx, id, ifname, want)
		if err != nil {
			undo()
			return nil, &cni.Error{Code: errCode(err), Msg: "failed to allocate for range " + strconv.Itoa(idx) + ": " + err.Error()}
		}
		out = append(out, a)
	}
	if len(requested) > 0 {
		undo()
		var b strings.Builder
		b.WriteString("failed to allocate all requested IPs:")
		for _, a := range requested {
			b.WriteString(" " + a.String())
		}
		return nil, &cni.Error{Code: cni.CodeInvalidConfig, Msg: b.String()}
	}
	return out, nil
}

// exhausted is the error of a range set with no free address.
type exhausted string

func (e exhausted) Error() string { return string(e) }

func errCode(err error) int {
	if _, ok := err.(exhausted); ok {
		return CodeExhausted
	}
	if _, ok := err.(configError); ok {
		return cni.CodeInvalidConfig
	}
	return cni.CodeIOFailure
}

// CodeExhausted is nsnet's error code for an exhausted pool (the spec
// reserves 0-99; a runtime may retry after a DEL frees one).
const CodeExhausted = 100

func get(s *Store, set RangeSet, idx int, id, ifname string, want netip.Addr) (Allocation, error) {
	if want.IsValid() {
		r := set[set.rangeFor(want)]
		if want == r.Gateway {
			return Allocation{}, configError("requested ip " + want.String() + " is subnet's gateway")
		}
		ok, err := s.Reserve(id, ifname, want, idx)
		if err != nil {
			return Allocation{}, err
		}
		if !ok {
			return Allocation{}, configError("requested IP address " + want.String() + " is not available in range set " + set.String())
		}
		return Allocation{Address: netip.PrefixFrom(want, r.Subnet.Bits()), Gateway: r.Gateway, RangeID: idx}, nil
	}
	it := newIter(set, s.LastReserved(idx))
	for {
		a, r, ok := it.next()
		if !ok {
			return Allocation{}, exhausted("no IP addresses available in range set: " + set.String())
		}
		reserved, err := s.Reserve(id, ifname, a, idx)
		if err != nil {
			return Allocation{}, err
		}
		if reserved {
			return Allocation{Address: netip.PrefixFrom(a, r.Subnet.Bits()), Gateway: r.Gateway, RangeID: idx}, nil
		}
	}
}

// iter is host-local's RangeIter: round-robin from the address after the
// last reservation (if it is still in the set), else from the first
// range's start; each range's gateway is skipped; it stops when it comes
// back to where it started.
type iter struct {
	set     RangeSet
	idx     int
	cur     netip.Addr
	start   netip.Addr
	started bool
}

func newIter(set RangeSet, last netip.Addr) *iter {
	it := &iter{set: set}
	if last.IsValid() {
		if i := set.rangeFor(last); i >= 0 {
			it.idx, it.cur = i, last
			return it
		}
	}
	it.start = set[0].RangeStart
	return it
}

// next returns the next candidate and its range.
func (it *iter) next() (netip.Addr, *Range, bool) {
	for {
		r := &it.set[it.idx]
		if !it.cur.IsValid() {
			// first call without a last reservation: rangeStart itself
			it.cur = r.RangeStart
			it.start = it.cur
			it.started = true
			if it.cur == r.Gateway {
				continue
			}
			return it.cur, r, true
		}
		if it.cur == r.RangeEnd {
			it.idx = (it.idx + 1) % len(it.set)
			r = &it.set[it.idx]
			it.cur = r.RangeStart
		} else {
			it.cur = it.cur.Next()
		}
		if !it.started {
			it.start, it.started = it.cur, true
		} else if it.cur == it.start {
			return netip.Addr{}, nil, false
		}
		if it.cur == r.Gateway {
			continue
		}
		return it.cur, r, true
	}
}

// Free reports, for STATUS, whether every range set still has an address
// to give: cheap when it has (the iterator's first candidate is usually
// free: one stat per set), a walk of the set when it is full. It returns
// the first exhausted set's index.
func Free(s *Store, cfg *Config) (exhaustedSet int, ok bool) {
	for idx, set := range cfg.Ranges {
		it := newIter(set, s.LastReserved(idx))
		free := false
		for {
			a, _, more := it.next()
			if !more {
				break
			}
			if _, _, taken := s.Owner(a); !taken {
				free = true
				break
			}
		}
		if !free {
			return idx, false
		}
	}
	return -1, true
}
