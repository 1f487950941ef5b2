package netops

import (
	"errors"
	"net/netip"

	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// A Batch is changes to one namespace sent in one rtnetlink write (Flush):
// links brought up, addresses, routes. Each change gets its undo recorded
// only if the kernel confirmed it; an address that is already there (EEXIST)
// is "already there", whoever added it, and gets none. A Batch is not safe
// for concurrent use; use one per namespace and worker.
type Batch struct {
	j    *Journal
	ns   *NS
	reqs []request
	err  error // sticky: a change failed before anything was sent (fault injection)
}

// request is one queued change.
type request struct {
	verb  Verb
	obj   Object
	link  int32 // the link it is on (0: none)
	queue func(b *rtnl.Batch)
	calls int // rtnl requests queue makes
	// undo is the undo recorded when the kernel confirmed every rtnl
	// request; nil: nothing to undo.
	undo func() error
	// partial, if set, is called instead when some of the requests
	// failed, with each one's result; it returns the undo of what did
	// happen (nil: none) and the error to report (nil: success).
	partial func(results []error) (func() error, error)
	// exists, if set, decides whether the first request's failure means
	// the object is already there as declared (no error, no undo).
	exists func(err error) bool
	// shared, portsBefore: see entry.
	shared      bool
	portsBefore map[int32]bool
}

// NewBatch returns an empty batch of changes to ns, journaled in j.
func NewBatch(j *Journal, ns *NS) *Batch { return &Batch{j: j, ns: ns} }

// Len is the number of changes queued.
func (b *Batch) Len() int { return len(b.reqs) }

func (b *Batch) add(r request) {
	if b.err != nil {
		return
	}
	if err := b.j.before(r.obj); err != nil {
		b.err = &Error{Verb: r.verb, Object: r.obj, Err: err}
		return
	}
	b.reqs = append(b.reqs, r)
}

// A LinkUp brings an existing link up.
type LinkUp struct {
	Index int32
	Name  string // for messages
	// NoIPv6 sets IFLA_INET6_ADDR_GEN_MODE none before the link comes up
	// (no link-local address, no DAD, no MLD): for a veth peer born in
	// this namespace, which cannot get it at creation. rtnl sends the
	// mode first (the kernel applies flags before IFLA_AF_SPEC).
	NoIPv6 bool
	// WasDown says the link was down before this run (it was observed
	// so): the undo brings it down again. False for a link this run
	// created, which its own undo deletes.
	WasDown bool
}

// LinkUp queues u.
func (b *Batch) LinkUp(u LinkUp) {
	ns := b.ns
	r := request{verb: Set, obj: Object{Kind: KindLink, NS: ns.label, Name: u.Name + " up"}, link: u.Index, calls: 1,
		queue: func(rb *rtnl.Batch) {
			rb.LinkSet(&rtnl.Link{Index: u.Index, Name: nameIfNoIndex(u), AddrGenModeNone: u.NoIPv6, Flags: unix.IFF_UP, Change: unix.IFF_UP})
		}}
	if u.WasDown {
		d, err := b.downState(u.Index, u.Name)
		if err != nil {
			b.fail(r, err)
			return
		}
		r.undo = undoUp(ns, d)
	}
	b.add(r)
}

func nameIfNoIndex(u LinkUp) string {
	if u.Index == 0 {
		return u.Name
	}
	return ""
}

// downState reads what the undo of bringing a link up must restore.
func (b *Batch) downState(index int32, name string) (downState, error) {
	c, err := b.ns.conn()
	if err != nil {
		return downState{}, err
	}
	defer b.ns.put(c)
	var l *rtnl.Link
	if index != 0 {
		l, err = c.LinkByIndex(index)
	} else {
		l, err = c.LinkByName(name)
	}
	if err != nil {
		return downState{}, err
	}
	return readDownState(c, l)
}

// fail makes the batch fail with err for r, before anything is sent.
func (b *Batch) fail(r request, err error) {
	if b.err == nil {
		b.err = &Error{Verb: r.verb, Object: r.obj, Err: err}
	}
}

// LoUp queues bringing lo up. wasDown says lo was down in a namespace that
// existed before this run: the undo then puts back everything that lo
// coming up made, which setting it down does not remove (downState):
// 127.0.0.1/8 and its local routes, the noqueue qdisc. In a namespace this
// run created, pass false: the namespace goes whole.
func (b *Batch) LoUp(wasDown bool) {
	b.LinkUp(LinkUp{Name: "lo", WasDown: wasDown})
}

// An Addr is an address on a link.
type Addr struct {
	Index  int32
	Dev    string // for messages
	Prefix netip.Prefix
	// OnBridge says the link is a bridge that others may attach to (the
	// host's address on a shared segment): its undo is skipped when a
	// port that was not there when it was added is on the bridge by then
	// (a concurrent `up` or CNI ADD relies on the address).
	OnBridge bool
}

// AddrAdd queues adding a. IPv4 addresses get their broadcast address (as
// `ip addr add ... brd +`); IPv6 ones IFA_F_NODAD (no duplicate address
// detection wait: the caller guarantees uniqueness, as topo's validation
// and CNI's IPAM do). An address that is already there is not an error
// and gets no undo: it is not this run's.
func (b *Batch) AddrAdd(a Addr) {
	ns := b.ns
	ra := &rtnl.Addr{Index: a.Index, PrefixLen: uint8(a.Prefix.Bits()), Local: a.Prefix.Addr()}
	if a.Prefix.Addr().Is6() {
		ra.Family, ra.Flags = unix.AF_INET6, unix.IFA_F_NODAD
	} else {
		ra.Family = unix.AF_INET
		ra.Broadcast = rtnl.Broadcast(a.Prefix)
	}
	r := request{verb: Create, obj: Object{Kind: KindAddr, NS: ns.label, Name: a.Prefix.String() + " dev " + a.Dev}, link: a.Index, calls: 1,
		queue: func(rb *rtnl.Batch) { rb.AddrAdd(ra) },
		undo: func() error {
			c, err := ns.conn()
			if err != nil {
				return err
			}
			defer ns.put(c)
			return ignoreMissing(c.AddrDel(ra))
		},
		exists: func(err error) bool { return errors.Is(err, unix.EEXIST) },
	}
	if a.OnBridge {
		// The ports there now; none if this journal made the bridge
		// (no dump then: the common case of a fresh up or ADD).
		before := map[int32]bool{}
		if !b.j.made(ns, a.Index) {
			var err error
			if before, err = ports(ns, a.Index); err != nil {
				b.fail(r, err)
				return
			}
		}
		r.shared, r.portsBefore = true, before
	}
	b.add(r)
}

// A Route is a route in the main table.
type Route struct {
	Dst     netip.Prefix // 0.0.0.0/0 or ::/0 is the default route
	Gateway netip.Addr   // optional
	Index   int32        // output link; 0: the kernel picks it from the gateway
	Dev     string       // for messages
	Metric  uint32
	// Replaces is the route that has the place (same destination and
	// metric, another gateway or device), which the change deletes first
	// and its undo puts back; nil for a route that is added.
	Replaces *rtnl.Route
}

// String returns "default via 10.0.0.1 dev eth0".
func (r Route) String() string {
	s := r.Dst.String()
	if r.Dst.Bits() == 0 {
		s = "default"
	}
	if r.Gateway.IsValid() {
		s += " via " + r.Gateway.String()
	}
	if r.Dev != "" {
		s += " dev " + r.Dev
	}
	return s
}

func (r Route) rtnl() *rtnl.Route {
	rt := &rtnl.Route{Dst: r.Dst.Addr(), DstLen: uint8(r.Dst.Bits()), Gateway: r.Gateway, Priority: r.Metric, OutIndex: r.Index}
	if r.Dst.Bits() == 0 {
		rt.Dst = netip.Addr{}
	}
	if r.Dst.Addr().Is6() {
		rt.Family = unix.AF_INET6
	} else {
		rt.Family = unix.AF_INET
	}
	return rt
}

// RouteAdd queues adding r (or replacing r.Replaces by it). A route that
// is already there exactly (same destination, metric, gateway and
// device), whoever added it, is not an error and gets no undo; a
// different route in its place that this run was not told to replace is
// a *ConflictError.
func (b *Batch) RouteAdd(r Route) {
	ns := b.ns
	rt := r.rtnl()
	obj := Object{Kind: KindRoute, NS: ns.label, Name: r.String()}
	del := func(rt *rtnl.Route) func() error {
		return func() error {
			c, err := ns.conn()
			if err != nil {
				return err
			}
			defer ns.put(c)
			return ignoreMissing(c.RouteDel(rt))
		}
	}
	if r.Replaces == nil {
		b.add(request{verb: Create, obj: obj, link: r.Index, calls: 1,
			queue:  func(rb *rtnl.Batch) { rb.RouteAdd(rt) },
			undo:   del(rt),
			exists: func(err error) bool { return errors.Is(err, unix.EEXIST) && routeThere(ns, r) },
		})
		return
	}
	old := *r.Replaces
	restore := func() error {
		c, err := ns.conn()
		if err != nil {
			return err
		}
		defer ns.put(c)
		return c.RouteAdd(&old)
	}
	b.add(request{verb: Set, obj: obj, link: r.Index, calls: 2,
		queue: func(rb *rtnl.Batch) {
			rb.RouteDel(&old)
			rb.RouteAdd(rt)
		},
		partial: func(res []error) (func() error, error) {
			switch {
			case res[0] != nil: // old still there; the add then found its place taken or not
				if res[1] == nil {
					return del(rt), res[0]
				}
				return nil, res[0]
			case res[1] != nil: // old deleted, new refused: put old back
				return restore, res[1]
			}
			return nil, nil
		},
		undo: func() error {
			if err := del(rt)(); err != nil {
				return err
			}
			return restore()
		},
	})
}

// routeThere reports whether r is in ns's main table exactly (after an
// EEXIST: a concurrent writer added the same route).
func routeThere(ns *NS, r Route) bool {
	c, err := ns.conn()
	if err != nil {
		return false
	}
	defer ns.put(c)
	family := rtnl.FamilyInet
	if r.Dst.Addr().Is6() {
		family = rtnl.FamilyInet6
	}
	routes, err := c.Routes(family)
	if err != nil {
		return false
	}
	metric := r.Metric
	if metric == 0 && family == rtnl.FamilyInet6 {
		metric = 1024 // IP6_RT_PRIO_USER
	}
	for _, rt := range routes {
		if rt.DstPrefix() == r.Dst.Masked() && rt.Priority == metric && rt.Type == unix.RTN_UNICAST &&
			rt.Gateway == r.Gateway && (r.Index == 0 || rt.OutIndex == r.Index) {
			return true
		}
	}
	return false
}

// Flush sends the queued changes in one write (rtnl splits it where the
// kernel needs it) and records the undo of each change the kernel
// confirmed. It returns nil, or errors.Join of an *Error per change that
// failed, in queue order; the other changes were made and are journaled.
// If a change failed before anything was sent (fault injection), nothing
// is sent and its error is returned.
func (b *Batch) Flush() error {
	return errors.Join(b.FlushEach()...)
}

// FlushEach is Flush that returns each queued change's error (nil: made,
// or already there), in queue order; nil if nothing failed.
func (b *Batch) FlushEach() []error {
	reqs, err := b.reqs, b.err
	b.reqs, b.err = nil, nil
	if err != nil {
		return []error{err}
	}
	if len(reqs) == 0 {
		return nil
	}
	c, err := b.ns.conn()
	if err != nil {
		return []error{&Error{Verb: reqs[0].verb, Object: reqs[0].obj, Err: err}}
	}
	defer b.ns.put(c)
	rb := c.Batch()
	for _, r := range reqs {
		r.queue(rb)
	}
	results, xerr := rb.FlushEach()
	out := make([]error, len(reqs))
	failed := false
	k := 0
	for i, r := range reqs {
		res := results[k : k+r.calls]
		k += r.calls
		var undo func() error
		var err error
		switch {
		case r.partial != nil && firstErr(res) != nil:
			undo, err = r.partial(res)
		case firstErr(res) == nil:
			undo = r.undo
		case r.exists != nil && r.calls == 1 && r.exists(res[0]):
			// already there as declared: not ours
		default:
			err = firstErr(res)
		}
		if undo != nil {
			b.j.record(entry{verb: r.verb, obj: r.obj, ns: b.ns, link: r.link, shared: r.shared, portsBefore: r.portsBefore, undo: undo})
		}
		if err != nil {
			out[i], failed = &Error{Verb: r.verb, Object: r.obj, Err: err}, true
		}
	}
	if xerr != nil && !failed {
		out[len(out)-1], failed = &Error{Verb: reqs[len(reqs)-1].verb, Object: reqs[len(reqs)-1].obj, Err: xerr}, true
	}
	if !failed {
		return nil
	}
	return out
}

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
