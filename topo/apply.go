package topo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// Options tune Up and Down.
type Options struct {
	// Workers is how many namespaces are set up at once (0: 8).
	Workers int
	// Progress, if set, is called after every step that changed
	// something, with how many such steps are done out of how many.
	// It may be called from several goroutines, never concurrently.
	Progress func(done, total int)
	// Done, if set, is called for every step that changed something, in
	// the order the steps finished (serialized like Progress).
	Done func(s *Step)
}

// A StepError is the error of an up that failed: the step, why, and
// whether the rollback of everything this run created succeeded.
type StepError struct {
	Step        Step
	Err         error
	RollbackErr error // nil: the system is as it was before up
}

// vethQueues is the number of TX and RX queues each end of a veth that up
// creates gets (IFLA_NUM_TX_QUEUES / IFLA_NUM_RX_QUEUES).
const vethQueues = 1

// Error names the step and why it failed, and says whether the rollback
// left the system as it was.
func (e *StepError) Error() string {
	s := fmt.Sprintf("up: %s %s %s: %v", e.Step.Action, e.Step.Kind, e.Step.Object, e.Err)
	if e.RollbackErr != nil {
		s += fmt.Sprintf("; undoing what this run created also failed: %v (nsnet down FILE removes the rest)", e.RollbackErr)
	} else {
		s += "; everything this run created was removed again"
	}
	return s
}

// Unwrap returns the step's error, so that errors.Is sees its errno.
func (e *StepError) Unwrap() error { return e.Err }

// ErrConflict is wrapped by the error of an up that refused to start
// because a name the file uses belongs to something else.
var ErrConflict = errors.New("conflict with the live system")

// Up makes the live system match the topology: it creates what is
// missing and changes what differs, and leaves what is already there. A
// second Up changes nothing. If a step fails, everything this run created
// or changed is undone before Up returns a *StepError.
func Up(ctx context.Context, t *Topology, o Options) (*PlanResult, error) {
	return up(ctx, t, o, nil)
}

// run is one Up in progress.
type run struct {
	t    *Topology
	o    Options
	sys  *sys
	plan *PlanResult
	hook func(s *Step) error // fault injection: fails a step before it changes anything
	v6   bool                // t.HasIPv6(), computed once: it walks the whole file

	mu        sync.Mutex
	journal   []undo
	failed    *Step
	done      int
	total     int
	created   map[string]bool    // namespaces created by this run
	work      map[string][]*Step // steps that need work, by namespace ("" = host)
	lateDev   map[string]bool    // "ns|dev": an end of a veth between namespaces
	ifindex   map[string]int32   // "ns|dev": ifindexes this run learnt (creations, lookups)
	hostConns []*rtnl.Conn       // host sockets free for a worker (hostConn)
}

// knowIndex records the ifindex of dev in namespace ns ("" = host), which
// a creation reported, so that later steps need not look it up.
func (r *run) knowIndex(ns, dev string, index int32) {
	if index <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ifindex == nil {
		r.ifindex = map[string]int32{}
	}
	r.ifindex[ns+"|"+dev] = index
}

// linkIndex returns the ifindex of dev in ns through c (a socket in ns),
// from what the run learnt when it can: one lookup saved per veth end and
// per bridge port at scale.
func (r *run) linkIndex(c *rtnl.Conn, ns, dev string) (int32, error) {
	r.mu.Lock()
	i, ok := r.ifindex[ns+"|"+dev]
	r.mu.Unlock()
	if ok {
		return i, nil
	}
	l, err := c.LinkByName(dev)
	if err != nil {
		return 0, err
	}
	r.knowIndex(ns, dev, l.Index)
	return l.Index, nil
}

// up is Up with a fault-injection hook, which tests use to fail every step
// in turn.
func up(ctx context.Context, t *Topology, o Options, hook func(s *Step) error) (*PlanResult, error) {
	if o.Workers <= 0 {
		o.Workers = defaultWorkers
	}
	s, err := openSys()
	if err != nil {
		return nil, err
	}
	defer s.close()
	lv, err := observe(ctx, t, s, o.Workers)
	if err != nil {
		return nil, err
	}
	p := diff(t, lv)
	if dying := dyingEnds(t, lv); len(dying) > 0 {
		// Host ends of a namespace deleted a moment ago are freed by
		// the kernel asynchronously: give them a moment, then look again.
		if left, err := pollGone(s.host.c, dying, time.Second); err == nil && len(left) < len(dying) {
			if lv, err = observe(ctx, t, s, o.Workers); err != nil {
				return nil, err
			}
			p = diff(t, lv)
		}
	}
	var conflicts []string
	for _, st := range p.Steps {
		if st.Action == Conflict {
			conflicts = append(conflicts, fmt.Sprintf("%s %s: %s", st.Kind, st.Object, st.Detail))
		}
	}
	if len(conflicts) > 0 {
		return p, fmt.Errorf("%w: nothing was changed:\n  %s", ErrConflict, strings.Join(conflicts, "\n  "))
	}
	r := &run{t: t, o: o, sys: s, plan: p, hook: hook, v6: t.HasIPv6(), created: map[string]bool{}}
	defer r.closeHostConns()
	r.index()
	for _, st := range p.Steps {
		if st.Action != Exists {
			r.total++
		}
	}
	if r.total == 0 {
		return p, nil
	}
	if err := r.apply(ctx); err != nil {
		failed := r.failed
		if failed == nil {
			failed = &Step{Kind: "up", Object: t.source}
		}
		return p, &StepError{Step: *failed, Err: err, RollbackErr: r.rollback()}
	}
	return p, nil
}

// dyingEnds lists the host veth ends that exist while the namespace of
// their peer does not.
func dyingEnds(t *Topology, lv *live) []string {
	var out []string
	for _, v := range t.Veths {
		for _, e := range [][2]End{{v.End, v.Peer}, {v.Peer, v.End}} {
			host, peer := e[0], e[1]
			if host.Netns == "" && peer.Netns != "" && lv.ns[peer.Netns] == nil && lv.host.links[host.Name] != nil && lv.host.links[host.Name].Kind() == "veth" {
				out = append(out, host.Name)
			}
		}
	}
	return out
}

// begin runs the fault hook for s, before s changes anything; a hook
// error fails s.
func (r *run) begin(s *Step) error {
	if r.hook != nil {
		if err := r.hook(s); err != nil {
			return r.fail(s, err)
		}
	}
	return nil
}

// fail records s as the failed step (the first one wins) and returns err.
func (r *run) fail(s *Step, err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed == nil {
		r.failed = s
	}
	return err
}

func (r *run) finish(steps ...*Step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range steps {
		r.done++
		if r.o.Done != nil {
			r.o.Done(s)
		}
		if r.o.Progress != nil {
			r.o.Progress(r.done, r.total)
		}
	}
}

// index files the steps that need work by namespace (a veth under both
// of its ends' namespaces), so that a worker finds its own without
// scanning the whole plan, and the namespace ends of veths between
// namespaces.
func (r *run) index() {
	r.work = map[string][]*Step{}
	r.lateDev = map[string]bool{}
	for i := range r.plan.Steps {
		s := &r.plan.Steps[i]
		if s.Action == Exists {
			continue
		}
		if s.Kind != KindVeth {
			r.work[s.NS] = append(r.work[s.NS], s)
			continue
		}
		r.work[s.veth.Netns] = append(r.work[s.veth.Netns], s)
		if s.veth.Peer.Netns != s.veth.Netns {
			r.work[s.veth.Peer.Netns] = append(r.work[s.veth.Peer.Netns], s)
		}
	}
	for _, v := range r.t.Veths {
		if (v.Netns == "") == (v.Peer.Netns == "") { // both in namespaces, or both on the host
			r.lateDev[v.Netns+"|"+v.Name], r.lateDev[v.Peer.Netns+"|"+v.Peer.Name] = true, true
		}
	}
}

// steps returns the plan's steps of kind in ns that need work.
func (r *run) steps(kind Kind, ns string) []*Step {
	var out []*Step
	for _, s := range r.work[ns] {
		if s.Kind == kind && (kind == KindVeth || s.NS == ns) {
			out = append(out, s)
		}
	}
	return out
}

// apply runs the plan: host bridges; then each namespace by a pool of
// workers (namespace, its veths to the host, one batch with lo, the
// peers up, addresses and routes); then veths between namespaces; then
// the host's addresses, routes, forwarding and NAT.
func (r *run) apply(ctx context.Context) error {
	for _, s := range r.steps(KindBridge, "") {
		if err := r.bridge(s); err != nil {
			return r.fail(s, err)
		}
	}
	// Namespaces joined to another namespace by a veth get their routes
	// after those veths exist.
	late := map[string]bool{}
	for i := range r.plan.Steps {
		s := &r.plan.Steps[i]
		if s.Kind == KindVeth && s.owner == "" {
			late[s.veth.Netns], late[s.veth.Peer.Netns] = true, true
		}
	}
	err := forEach(ctx, r.o.Workers, len(r.t.Namespaces), func(i int) error {
		name := r.t.Namespaces[i].Name
		return r.namespace(name, !late[name])
	})
	if err != nil {
		return err
	}
	for i := range r.plan.Steps {
		s := &r.plan.Steps[i]
		if s.Kind == KindVeth && s.owner == "" && s.Action != Exists {
			if err := r.veth(s); err != nil {
				return r.fail(s, err)
			}
		}
	}
	for _, ns := range r.t.Namespaces {
		if late[ns.Name] {
			if err := r.configure(ns.Name, true, true); err != nil {
				return err
			}
		}
	}
	if late[""] {
		if err := r.configure("", false, true); err != nil {
			return err
		}
	}
	return r.hostLast()
}

// namespace creates (or opens) one namespace, creates its veths to the
// host, and configures it.
func (r *run) namespace(name string, routes bool) error {
	for _, s := range r.steps(KindNetns, name) {
		if err := r.begin(s); err != nil {
			return err
		}
		if s.Action == Create {
			// The namespace's rtnetlink socket is opened by the thread
			// that creates it, while it is inside: no second thread has
			// to setns(2) in (~0.1 ms a namespace, measured in bench/).
			var c *rtnl.Conn
			ns, err := nsutil.CreateWith(name, func() error {
				var err error
				c, err = rtnl.Dial(nil)
				return err
			})
			if err != nil {
				if c != nil {
					c.Close()
				}
				return r.fail(s, err)
			}
			r.record(undo{what: "netns " + name, kind: undoNetns, netns: name, do: func(r *run) error {
				r.sys.drop(name)
				return ignoreMissing(nsutil.Delete(name))
			}})
			r.mu.Lock()
			r.created[name] = true
			r.mu.Unlock()
			r.sys.put(&handle{name: name, ns: ns, c: c})
			if r.v6 {
				// Links born here copy the default: no DAD, so that
				// link-local addresses (which neighbour solicitations
				// for forwarded packets need) work at once. Addresses
				// are unique by validation.
				if err := ns.SysctlSet("net.ipv6.conf.default.accept_dad", "0"); err != nil {
					return r.fail(s, err)
				}
			}
			r.finish(s)
		}
		// fixLoUp is applied in the namespace's batch.
	}
	for _, s := range r.steps(KindVeth, name) {
		if s.owner == name {
			if err := r.veth(s); err != nil {
				return r.fail(s, err)
			}
		}
	}
	return r.configure(name, routes, false)
}

// hostConn returns a socket in the host namespace for one worker's use
// until putHostConn: a Conn serializes its requests, so workers never
// share one at a time, but they reuse them (dialling costs ~40 µs, a
// veth's creation ~500 µs).
func (r *run) hostConn() (*rtnl.Conn, error) {
	r.mu.Lock()
	if n := len(r.hostConns); n > 0 {
		c := r.hostConns[n-1]
		r.hostConns = r.hostConns[:n-1]
		r.mu.Unlock()
		return c, nil
	}
	r.mu.Unlock()
	return rtnl.Dial(nil)
}

// putHostConn gives back a socket from hostConn for the next worker.
func (r *run) putHostConn(c *rtnl.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hostConns = append(r.hostConns, c)
}

// closeHostConns closes the sockets hostConn dialled.
func (r *run) closeHostConns() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.hostConns {
		c.Close()
	}
	r.hostConns = nil
}

// bridge creates or fixes a bridge on the host.
func (r *run) bridge(s *Step) error {
	if err := r.begin(s); err != nil {
		return err
	}
	c := r.sys.host.c
	b := s.br
	if s.Action == Create {
		// A fixed MAC: otherwise the bridge takes the lowest MAC of its
		// ports and changes it when ports come and go, and every
		// namespace's ARP entry for the host's address goes stale
		// (Docker sets docker0's MAC for the same reason).
		// math/rand/v2 is enough for a locally administered address and,
		// unlike crypto/rand, adds nothing to the binary.
		mac := make(net.HardwareAddr, 6)
		for i := range mac {
			mac[i] = byte(rand.Uint32())
		}
		mac[0] = mac[0]&0xfe | 0x02 // unicast, locally administered
		l := &rtnl.Link{Name: b.Name, Info: &rtnl.Bridge{}, MTU: uint32(b.MTU), Address: mac}
		created, err := addUp(c, l, !r.v6)
		if created != nil {
			r.knowIndex("", b.Name, created.Index)
			name := b.Name
			r.record(undo{what: "bridge " + name, kind: undoLink, link: name, do: func(r *run) error { return delHostLink(r.sys.host.c, name) }})
		}
		if err != nil {
			return err
		}
		r.finish(s)
		return nil
	}
	old, err := c.LinkByName(b.Name)
	if err != nil {
		return err
	}
	set := &rtnl.Link{Index: old.Index}
	if s.fix&fixUp != 0 {
		set.Flags, set.Change = unix.IFF_UP, unix.IFF_UP
	}
	if s.fix&fixMTU != 0 {
		set.MTU = uint32(b.MTU)
	}
	if err := c.LinkSet(set); err != nil {
		return err
	}
	back := &rtnl.Link{Index: old.Index, Flags: old.Flags & unix.IFF_UP, Change: set.Change}
	if set.MTU != 0 {
		back.MTU = old.MTU
	}
	r.record(undo{what: "bridge " + b.Name + " settings", do: func(r *run) error { return ignoreMissing(r.sys.host.c.LinkSet(back)) }})
	r.finish(s)
	return nil
}

// delHostLink deletes a host link by name; a missing one is fine.
func delHostLink(c *rtnl.Conn, name string) error {
	l, err := c.LinkByName(name)
	if err != nil {
		return ignoreMissing(err)
	}
	return ignoreMissing(c.LinkDel(l.Index))
}

// ignoreMissing turns "it is already gone" into success, for undo and down.
func ignoreMissing(err error) error {
	for _, e := range []error{unix.ENODEV, unix.ENOENT, unix.ESRCH, unix.EADDRNOTAVAIL} {
		if errors.Is(err, e) {
			return nil
		}
	}
	return err
}

// veth creates (or fixes) a veth pair: born with its peer in the
// namespace, the host end up and enslaved, all in one RTM_NEWLINK.
func (r *run) veth(s *Step) error {
	if err := r.begin(s); err != nil {
		return err
	}
	a, b := s.veth.End, s.veth.Peer
	if a.Netns == "" && b.Netns != "" {
		a, b = b, a // a: the namespace end; b: created from its namespace's socket
	}
	hb := r.sys.get(b.Netns)
	ha := r.sys.get(a.Netns)
	if ha == nil || hb == nil {
		return fmt.Errorf("namespace %s or %s is not open", a.Netns, b.Netns)
	}
	c := hb.c
	if b.Netns == "" {
		hc, err := r.hostConn()
		if err != nil {
			return err
		}
		defer r.putHostConn(hc)
		c = hc
	}
	var master uint32
	if b.Bridge != "" {
		br, err := r.linkIndex(c, b.Netns, b.Bridge)
		if err != nil {
			return fmt.Errorf("bridge %s: %w", b.Bridge, err)
		}
		master = uint32(br)
	}
	if s.Action == Change && s.fix&fixRecreate == 0 {
		return r.fixVeth(s, c, ha, a, b, master)
	}
	if s.fix&fixRecreate != 0 {
		// Deleting either end deletes the pair; both, in case they are
		// not a pair.
		if err := delHostLink(c, b.Name); err != nil {
			return err
		}
		if err := delHostLink(ha.c, a.Name); err != nil {
			return err
		}
	}
	l := &rtnl.Link{
		Name: b.Name, Master: master,
		// One TX and one RX queue per end: a veth otherwise gets one per
		// possible CPU, and allocating them is ~270 µs of a pair's
		// creation (measured in bench/). A namespace's single veth gains
		// nothing from more.
		NumTxQueues: vethQueues, NumRxQueues: vethQueues,
		// The peer cannot be created up (veth_newlink: ENOTCONN); the
		// namespace's batch brings it up.
		Info: &rtnl.Veth{Peer: rtnl.Link{Name: a.Name, NetNS: ha.ns.File(), NumTxQueues: vethQueues, NumRxQueues: vethQueues}},
	}
	created, err := addUp(c, l, !r.v6)
	if created != nil {
		// The kernel's report of the creation names both ends' indexes:
		// the namespace batches need them for addresses and routes.
		r.knowIndex(b.Netns, b.Name, created.Index)
		r.knowIndex(a.Netns, a.Name, created.ParentIndex)
		bn, bns, ans := b.Name, b.Netns, a.Netns
		r.record(undo{what: "veth " + bn, kind: undoVeth, netns: bns, peerNetns: ans, link: bn, do: func(r *run) error {
			h := r.sys.get(bns)
			if h == nil {
				return nil
			}
			return delHostLink(h.c, bn)
		}})
	}
	if err != nil {
		return err
	}
	r.finish(s)
	return nil
}

// addUp creates l and brings it up. With noIPv6 it also sets its IPv6
// address generation to none before it comes up, so that it never gets a
// link-local address: the kernel refuses IFLA_AF_SPEC in a request that
// creates a link (EAFNOSUPPORT), and applies it after the flags in one
// that changes them (do_setlink), so the link is created down and the
// mode and IFF_UP follow in a second write (rtnl sends the mode first).
// That write goes out only once the creation has succeeded: after an
// EEXIST, requests by name would change a link that was there before.
// created is the link as the kernel reported its creation (its index,
// and a veth's peer index; rtnl.Conn.LinkCreate), nil if l was not
// created; it can be non-nil with an error from the follow-up.
func addUp(c *rtnl.Conn, l *rtnl.Link, noIPv6 bool) (created *rtnl.Link, err error) {
	if !noIPv6 {
		l.Flags, l.Change = unix.IFF_UP, unix.IFF_UP
		return c.LinkCreate(l)
	}
	l.Flags &^= unix.IFF_UP
	created, err = c.LinkCreate(l)
	if err != nil {
		return nil, err
	}
	return created, c.LinkSet(&rtnl.Link{Index: created.Index, AddrGenModeNone: true, Flags: unix.IFF_UP, Change: unix.IFF_UP})
}

// fixVeth brings the ends of an existing pair up and onto their bridge.
func (r *run) fixVeth(s *Step, c *rtnl.Conn, ha *handle, a, b End, master uint32) error {
	lb, err := c.LinkByName(b.Name)
	if err != nil {
		return err
	}
	set := &rtnl.Link{Index: lb.Index}
	back := &rtnl.Link{Index: lb.Index}
	if s.fix&fixUp != 0 {
		set.Flags, set.Change = unix.IFF_UP, unix.IFF_UP
		back.Change = unix.IFF_UP
	}
	if s.fix&fixMaster != 0 {
		set.Master = master
		if lb.Master != 0 {
			back.Master = lb.Master
		} else {
			back.NoMaster = true
		}
	}
	if set.Change != 0 || set.Master != 0 {
		if err := c.LinkSet(set); err != nil {
			return err
		}
		bns := b.Netns
		r.record(undo{what: "veth " + b.Name + " settings", do: func(r *run) error {
			if h := r.sys.get(bns); h != nil {
				return ignoreMissing(h.c.LinkSet(back))
			}
			return nil
		}})
	}
	// fixPeerUp is applied by the namespace's batch.
	if s.fix&fixPeerUp == 0 {
		r.finish(s)
	}
	return nil
}

// hostLast adds the host's addresses, routes and forwarding (its veth
// ends and bridges exist now), then NAT.
func (r *run) hostLast() error {
	if err := r.configure("", true, false); err != nil {
		return err
	}
	for _, s := range append(r.steps(KindMasquerade, ""), r.steps(KindForward, "")...) {
		if err := r.begin(s); err != nil {
			return err
		}
		if err := r.natAdd(s); err != nil {
			return r.fail(s, err)
		}
		r.finish(s)
	}
	return nil
}
