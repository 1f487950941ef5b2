package topo

import (
	"fmt"

	"github.com/nsnet/nsnet/netops"
)

// work is the plan's operations filed by where and when up applies them:
// built once from the plan (the one place that tells operations apart by
// type), so that no phase scans the whole plan.
type work struct {
	bridges   []*bridgeOp
	ns        map[string]*nsWork
	host      *nsWork
	lateVeths []*vethOp // pairs between namespaces (or on the host)
	nat       []*natOp
}

// nsWork is what up does in one namespace (or the host).
type nsWork struct {
	name  string    // "" = host
	netns *netnsOp  // nil: there, with lo up
	veths []*vethOp // pairs to the host, created by this namespace's worker
	// ups are the pairs whose namespace end is here, brought up by this
	// namespace's batch (lateUps: pairs between namespaces).
	ups, lateUps     []*vethOp
	addrs, lateAddrs []*addrOp
	routes           []*routeOp
	fwd              *forwardingOp
	// late: a pair between namespaces ends here, so the routes (which may
	// go through it) and forwarding wait until those pairs exist.
	late bool
}

// work files the plan's operations.
func (p *PlanResult) work() work {
	w := work{ns: map[string]*nsWork{}, host: &nsWork{}}
	get := func(ns string) *nsWork {
		if ns == "" {
			return w.host
		}
		nw := w.ns[ns]
		if nw == nil {
			nw = &nsWork{name: ns}
			w.ns[ns] = nw
		}
		return nw
	}
	for i := range p.Steps {
		switch op := p.Steps[i].op.(type) {
		case *netnsOp:
			get(op.name).netns = op
		case *bridgeOp:
			w.bridges = append(w.bridges, op)
		case *vethOp:
			if op.late() {
				w.lateVeths = append(w.lateVeths, op)
				get(op.a.Netns).lateUps = append(get(op.a.Netns).lateUps, op)
				if op.create {
					get(op.a.Netns).late, get(op.b.Netns).late = true, true
				}
				continue
			}
			get(op.owner).veths = append(get(op.owner).veths, op)
			get(op.a.Netns).ups = append(get(op.a.Netns).ups, op)
		case *addrOp:
			if op.late {
				get(op.ns).lateAddrs = append(get(op.ns).lateAddrs, op)
			} else {
				get(op.ns).addrs = append(get(op.ns).addrs, op)
			}
		case *routeOp:
			get(op.ns).routes = append(get(op.ns).routes, op)
		case *forwardingOp:
			get(op.ns).fwd = op
		case *natOp:
			w.nat = append(w.nat, op)
		}
	}
	return w
}

// configure sends one namespace's batch: lo up (in a namespace this run
// created, or one whose lo was down), the namespace ends of its veths up,
// its addresses and, when it is their time, its routes. late selects what
// waits for the pairs between namespaces. Every change the kernel
// confirmed is journaled; an address or route that is already there
// (another writer's) is left as it is, and not undone.
func (r *run) configure(nw *nsWork, late bool) error {
	if nw == nil {
		return nil
	}
	h := r.sys.get(nw.name)
	if h == nil {
		return fmt.Errorf("namespace %s: %w", nw.name, errNotOpen)
	}
	b := netops.NewBatch(r.j, h.ops)
	var queued []operation // per change of the batch, whose step it is
	var steps []operation  // the steps the batch completes
	host := nw == r.w.host
	if !late && nw.netns != nil {
		op := nw.netns
		if !op.create {
			if err := r.begin(op); err != nil {
				return err
			}
			steps = append(steps, op)
		}
		b.LoUp(!op.create)
		queued = append(queued, op)
	}
	ups, addrs := nw.ups, nw.addrs
	if late {
		ups, addrs = nw.lateUps, nw.lateAddrs
	}
	for _, op := range ups {
		ok, err := op.queueUp(b)
		if err != nil {
			return r.fail(op, err)
		}
		if ok {
			queued = append(queued, op)
		}
	}
	for _, op := range addrs {
		if err := r.begin(op); err != nil {
			return err
		}
		if err := op.queue(b); err != nil {
			return r.fail(op, err)
		}
		queued, steps = append(queued, op), append(steps, op)
	}
	if host && !late || !host && (late || !nw.late) {
		for _, op := range nw.routes {
			if err := r.begin(op); err != nil {
				return err
			}
			if err := op.queue(b); err != nil {
				return r.fail(op, err)
			}
			queued, steps = append(queued, op), append(steps, op)
		}
	}
	if b.Len() == 0 {
		return nil
	}
	errs := b.FlushEach()
	for i, err := range errs {
		if err != nil {
			return r.fail(queued[i], err)
		}
	}
	r.finish(steps...)
	return nil
}
