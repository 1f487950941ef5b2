package topo

import (
	"errors"
	"fmt"
	"time"

	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// An undo reverses one change of this run.
type undo struct {
	what      string
	kind      undoKind
	netns     string // the namespace the change is in ("" = host)
	peerNetns string // undoVeth: the namespace of the other end
	link      string // the link created, or the change is on
	do        func(r *run) error
}

type undoKind uint8

const (
	undoChange undoKind = iota // an address, route, setting
	undoNetns                  // a namespace created
	undoLink                   // a bridge created
	undoVeth                   // a veth pair created (link: the end in netns)
)

func (r *run) record(u undo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.journal = append(r.journal, u)
}

// rollback undoes the journal in reverse. Changes inside namespaces this
// run created go with the namespace; a host veth end whose peer was in
// such a namespace is freed by the kernel with it, which rollback waits
// for (deleting links one by one costs an RCU grace period each). An end
// in a namespace that was there before is deleted: nothing would wait
// for the kernel to free it, and the next up would find it lingering.
func (r *run) rollback() error {
	var errs []error
	var gone []string
	createdLinks := map[string]bool{} // on the host
	for _, u := range r.journal {
		if (u.kind == undoLink || u.kind == undoVeth) && u.netns == "" {
			createdLinks[u.link] = true
		}
	}
	for i := len(r.journal) - 1; i >= 0; i-- {
		u := r.journal[i]
		switch {
		case u.kind == undoNetns:
		case u.netns != "" && r.created[u.netns]:
			continue // goes with the namespace
		case u.kind == undoVeth && r.created[u.peerNetns] && u.netns == "":
			gone = append(gone, u.link) // freed with its peer's namespace
			continue
		case u.kind == undoChange && u.netns == "" && createdLinks[u.link]:
			continue // an address on a link this run created
		}
		if err := u.do(r); err != nil {
			errs = append(errs, fmt.Errorf("undo %s: %w", u.what, err))
		}
	}
	if err := waitGone(r.sys.host.c, gone); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// waitGone waits until the host links named have disappeared (the kernel
// frees them when their peer's namespace dies, asynchronously), deleting
// the stragglers after a while.
func waitGone(c *rtnl.Conn, names []string) error {
	left, err := pollGone(c, names, 3*time.Second)
	if err != nil || len(left) == 0 {
		return err
	}
	var errs []error
	for _, n := range left {
		errs = append(errs, delHostLink(c, n))
	}
	return errors.Join(errs...)
}

// pollGone waits up to d for the host links named to disappear, and
// returns those still there.
func pollGone(c *rtnl.Conn, names []string, d time.Duration) ([]string, error) {
	deadline := time.Now().Add(d)
	for {
		var left []string
		for _, n := range names {
			if _, err := c.LinkByName(n); err == nil {
				left = append(left, n)
			} else if !errors.Is(err, unix.ENODEV) {
				return left, err
			}
		}
		names = left
		if len(names) == 0 || time.Now().After(deadline) {
			return names, nil
		}
		time.Sleep(2 * time.Millisecond)
	}
}
