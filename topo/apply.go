package topo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nsnet/nsnet/netops"
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
// whether the rollback of everything this run created succeeded. Err and
// RollbackErr keep the typed errors underneath (*netops.Error with its
// verb and object, the kernel's errno) for the CLI to put into words.
type StepError struct {
	Step        Step
	Err         error
	RollbackErr error // nil: the system is as it was before up
}

// Error names the step and why it failed, and says whether the rollback
// left the system as it was.
func (e *StepError) Error() string {
	s := fmt.Sprintf("up: %s %s %s: %v", e.Step.Action, e.Step.Kind, e.Step.Object, e.Err)
	if e.RollbackErr != nil {
		s += fmt.Sprintf("; undoing what this run created also failed: %v", e.RollbackErr)
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

// A ConflictError is an up that refused to start, before changing
// anything, because names the file uses belong to something else: the
// plan's Conflict steps, each with its Detail. It wraps ErrConflict.
type ConflictError struct {
	Steps []Step
}

func (e *ConflictError) Error() string {
	var lines []string
	for _, s := range e.Steps {
		lines = append(lines, fmt.Sprintf("%s %s: %s", s.Kind, s.Object, s.Detail))
	}
	return ErrConflict.Error() + ": nothing was changed:\n  " + strings.Join(lines, "\n  ")
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Up makes the live system match the topology: it creates what is
// missing and changes what differs, and leaves what is already there,
// whoever made it (two ups sharing a bridge do not collide). A second Up
// changes nothing. Anything in the way that the file does not describe
// (a link of another kind, a veth paired with something else) is a
// *ConflictError before anything changes. If a step fails, everything
// this run created or changed, and only that, is undone before Up returns
// a *StepError.
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
	j    *netops.Journal
	w    work
	v6   bool // t.HasIPv6(), computed once: it walks the whole file

	mu     sync.Mutex
	failed *Step
	done   int
	total  int
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
		// (The kernel's cleanup_net can take seconds under load.)
		if left, err := pollGone(s.host.c, dying, 3*time.Second); err == nil && len(left) < len(dying) {
			if lv, err = observe(ctx, t, s, o.Workers); err != nil {
				return nil, err
			}
			p = diff(t, lv)
		}
	}
	var conflicts []Step
	for _, st := range p.Steps {
		if st.Action == Conflict {
			conflicts = append(conflicts, st)
		}
	}
	if len(conflicts) > 0 {
		return p, &ConflictError{Steps: conflicts}
	}
	r := &run{t: t, o: o, sys: s, plan: p, hook: hook, j: &netops.Journal{}, v6: t.HasIPv6()}
	r.w = r.plan.work()
	for _, st := range p.Steps {
		if st.Action != Exists {
			r.total++
		}
	}
	if r.total == 0 && len(p.claims) == 0 {
		return p, nil
	}
	if err := r.apply(ctx); err != nil {
		failed := r.failed
		if failed == nil {
			failed = &Step{Kind: "up", Object: t.source}
		}
		return p, &StepError{Step: *failed, Err: err, RollbackErr: r.j.Undo()}
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

// step returns the plan's step of op.
func (r *run) step(op operation) *Step { return &r.plan.Steps[op.step()] }

// begin runs the fault hook for op's step, before it changes anything; a
// hook error fails the step.
func (r *run) begin(op operation) error {
	if r.hook != nil {
		if err := r.hook(r.step(op)); err != nil {
			return r.fail(op, err)
		}
	}
	return nil
}

// fail records op's step as the failed one (the first one wins) and
// returns err.
func (r *run) fail(op operation, err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed == nil {
		r.failed = r.step(op)
	}
	return err
}

// do runs op's fault hook and apply, and counts its step as done.
func (r *run) do(op interface {
	operation
	apply(*run) error
}) error {
	if err := r.begin(op); err != nil {
		return err
	}
	if err := op.apply(r); err != nil {
		return r.fail(op, err)
	}
	r.finish(op)
	return nil
}

func (r *run) finish(ops ...operation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, op := range ops {
		s := r.step(op)
		r.done++
		if r.o.Done != nil {
			r.o.Done(s)
		}
		if r.o.Progress != nil {
			r.o.Progress(r.done, r.total)
		}
	}
}

// apply runs the plan: host bridges; then each namespace by a bounded pool
// of workers (namespace, its veths to the host, one batch with lo, the
// veth ends up, addresses and routes; forwarding); then veths between
// namespaces and those namespaces' batches; then the host's batch
// (addresses, routes), forwarding and NAT.
func (r *run) apply(ctx context.Context) error {
	for _, op := range r.w.bridges {
		if err := r.do(op); err != nil {
			return err
		}
	}
	err := forEach(ctx, r.o.Workers, len(r.t.Namespaces), func(i int) error {
		return r.namespace(r.w.ns[r.t.Namespaces[i].Name])
	})
	if err != nil {
		return err
	}
	for _, op := range r.w.lateVeths {
		if err := r.do(op); err != nil {
			return err
		}
	}
	for _, n := range r.t.Namespaces {
		if nw := r.w.ns[n.Name]; nw != nil && nw.late {
			if err := r.configure(nw, true); err != nil {
				return err
			}
			if err := r.forwarding(nw); err != nil {
				return err
			}
		}
	}
	if r.w.host.late {
		if err := r.configure(r.w.host, true); err != nil {
			return err
		}
	}
	if err := r.configure(r.w.host, false); err != nil {
		return err
	}
	if err := r.forwarding(r.w.host); err != nil {
		return err
	}
	for _, op := range r.w.nat {
		if err := r.do(op); err != nil {
			return err
		}
	}
	// The file's claims on NAT rules that are already there: its copy
	// (no step of their own: the step says "already there").
	for _, op := range r.plan.claims {
		if err := op.apply(r); err != nil {
			return r.fail(op, err)
		}
	}
	return nil
}

// namespace creates (or opens) one namespace, creates its veths to the
// host, and sends its batch.
func (r *run) namespace(nw *nsWork) error {
	if nw == nil {
		return nil // nothing to do there
	}
	if op := nw.netns; op != nil && op.create {
		if err := r.begin(op); err != nil {
			return err
		}
		if err := r.createNetns(op); err != nil {
			return r.fail(op, err)
		}
		r.finish(op)
	}
	for _, op := range nw.veths {
		if err := r.do(op); err != nil {
			return err
		}
	}
	if err := r.configure(nw, false); err != nil {
		return err
	}
	if nw.late {
		return nil // routes and forwarding once the veths between namespaces exist
	}
	return r.forwarding(nw)
}

// createNetns creates the namespace of op, with its socket dialled by the
// thread that created it while inside (netops.CreateNetns).
func (r *run) createNetns(op *netnsOp) error {
	ns, err := netops.CreateNetns(r.j, op.name)
	if err != nil {
		return err
	}
	r.sys.put(newHandle(op.name, ns))
	if r.v6 {
		// Links born here copy the default: no DAD, so that link-local
		// addresses (which neighbour solicitations for forwarded
		// packets need) work at once. Addresses are unique by
		// validation. The namespace is this run's: its undo deletes it.
		if err := ns.SysctlSet("net.ipv6.conf.default.accept_dad", "0"); err != nil {
			return err
		}
	}
	return nil
}

// forwarding applies the forwarding step of a namespace, if it has one.
func (r *run) forwarding(nw *nsWork) error {
	if nw.fwd == nil {
		return nil
	}
	return r.do(nw.fwd)
}
