package netops

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// A Journal records the exact undo of every change this run made, and
// only of those: a change is recorded when the kernel confirmed that it
// made it (an object that was already there, whoever made it and when,
// gets no entry, so no undo ever deletes it). Undo reverses the entries,
// newest first.
//
// A Journal is safe for concurrent use: workers that change different
// namespaces record into one journal.
type Journal struct {
	mu      sync.Mutex
	entries []entry
	hook    func(Object) error // fault injection: fails a change before it is made (tests)
}

// entry is one recorded change and its undo.
type entry struct {
	verb Verb // what the change did
	obj  Object
	ns   *NS // the namespace the change is in
	// link is the ifindex in ns of the link the change made (bridge,
	// veth end) or is on (address, setting); 0 if none.
	link int32
	// made: the change created link (or, for KindNetns, ns itself), so
	// the entries on it go when it goes.
	made bool
	// peer is the namespace of a veth's other end, which a veth created
	// goes with when that namespace was created by this journal.
	peer *NS
	// peerIn and peerLink are a created veth's other end: its namespace
	// (ns itself for a pair within one namespace) and index there, so
	// that changes on it go with the pair.
	peerIn   *NS
	peerLink int32
	// shared: a bridge this run created, or an address it added to a
	// bridge; undone last, and only if no port other than portsBefore
	// is on the bridge then (a concurrent writer's ports make it theirs
	// too).
	shared      bool
	portsBefore map[int32]bool
	undo        func() error
}

// An Entry is a recorded change, as Entries lists it.
type Entry struct {
	Verb   Verb
	Object Object
}

// Entries lists what the journal recorded, oldest first.
func (j *Journal) Entries() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, len(j.entries))
	for i, e := range j.entries {
		out[i] = Entry{e.verb, e.obj}
	}
	return out
}

// Len is the number of recorded changes.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.entries)
}

// made reports whether the journal created the link index in ns.
func (j *Journal) made(ns *NS, index int32) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range j.entries {
		if e.made && e.ns == ns && e.link == index {
			return true
		}
	}
	return false
}

func (j *Journal) record(e entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = append(j.entries, e)
}

// before runs the fault-injection hook for a change about obj.
func (j *Journal) before(obj Object) error {
	if j.hook == nil {
		return nil
	}
	return j.hook(obj)
}

// Undo reverses every recorded change, newest first, and empties the
// journal. Changes inside a namespace the journal created go with the
// namespace (deleting it frees its links, addresses and routes together);
// a host veth end whose peer was in such a namespace is freed by the
// kernel with it, which Undo waits for (deleting links one by one costs
// an RCU grace period each); an address on a link the journal created goes
// with the link. Undo closes the NS of every namespace it deletes. It
// tries every entry and returns every failure joined.
func (j *Journal) Undo() error {
	j.mu.Lock()
	entries := j.entries
	j.entries = nil
	j.mu.Unlock()
	createdNS := map[*NS]bool{}
	type key struct {
		ns   *NS
		link int32
	}
	createdLink := map[key]bool{}
	for _, e := range entries {
		switch {
		case e.obj.Kind == KindNetns && e.made:
			createdNS[e.ns] = true
		case e.made && e.link != 0:
			createdLink[key{e.ns, e.link}] = true
			if e.peerIn != nil && e.peerLink != 0 {
				createdLink[key{e.peerIn, e.peerLink}] = true
			}
		}
	}
	var errs []error
	type waiter struct {
		ns   *NS
		link int32
	}
	var wait []waiter
	var shared []entry // a bridge's creation, an address on a bridge: undone last, if no one else uses the bridge
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		switch {
		case e.obj.Kind == KindNetns:
		case createdNS[e.ns]:
			continue // goes with the namespace
		case e.obj.Kind == KindVeth && e.made && e.peer != nil && createdNS[e.peer]:
			wait = append(wait, waiter{e.ns, e.link}) // freed with its peer's namespace
			continue
		case e.shared:
			shared = append(shared, e)
			continue
		case !e.made && e.link != 0 && createdLink[key{e.ns, e.link}]:
			continue // on a link this journal created, which goes
		}
		if err := e.undo(); err != nil {
			errs = append(errs, &Error{Verb: undoVerb(e), Object: e.obj, Err: err})
		}
	}
	for _, w := range wait {
		if err := waitLinkGone(w.ns, w.link, 3*time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	// A bridge this run created, or an address it added to one, that a
	// concurrent writer has attached ports to since (another `up` sharing
	// the bridge, a CNI ADD) is theirs too now: it stays. This run's own
	// ports are gone by here; ports that were there before do not count.
	for _, e := range shared {
		used, err := hasNewPorts(e.ns, e.link, e.portsBefore)
		if err != nil {
			errs = append(errs, &Error{Verb: undoVerb(e), Object: e.obj, Err: err})
			continue
		}
		if used {
			continue
		}
		if err := e.undo(); err != nil {
			errs = append(errs, &Error{Verb: undoVerb(e), Object: e.obj, Err: err})
		}
	}
	return errors.Join(errs...)
}

// ports returns the ports of the bridge index in ns.
func ports(ns *NS, index int32) (map[int32]bool, error) {
	c, err := ns.conn()
	if err != nil {
		return nil, err
	}
	defer ns.put(c)
	links, err := c.Links()
	if err != nil {
		return nil, err
	}
	out := map[int32]bool{}
	for _, l := range links {
		if l.Master == uint32(index) {
			out[l.Index] = true
		}
	}
	return out, nil
}

// hasNewPorts reports whether the bridge index in ns has a port that is
// not in before.
func hasNewPorts(ns *NS, index int32, before map[int32]bool) (bool, error) {
	now, err := ports(ns, index)
	if err != nil {
		return false, err
	}
	for p := range now {
		if !before[p] {
			return true, nil
		}
	}
	return false, nil
}

func undoVerb(e entry) Verb {
	if e.verb == Create {
		return Delete
	}
	return Restore
}

// waitLinkGone waits up to d for the link with index in ns to disappear
// (the kernel frees a veth end when its peer's namespace dies,
// asynchronously), then deletes it if it is still there.
func waitLinkGone(ns *NS, index int32, d time.Duration) error {
	c, err := ns.conn()
	if err != nil {
		return err
	}
	defer ns.put(c)
	deadline := time.Now().Add(d)
	for {
		_, err := c.LinkByIndex(index)
		if errors.Is(err, unix.ENODEV) {
			return nil
		}
		if err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return ignoreMissing(c.LinkDel(index))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// WaitGone waits up to d for the links with the given indexes in ns to
// disappear (host veth ends of a namespace that was deleted), and returns
// the indexes still there.
func WaitGone(ns *NS, indexes []int32, d time.Duration) ([]int32, error) {
	c, err := ns.conn()
	if err != nil {
		return indexes, err
	}
	defer ns.put(c)
	deadline := time.Now().Add(d)
	for {
		var left []int32
		for _, i := range indexes {
			if _, err := c.LinkByIndex(i); err == nil {
				left = append(left, i)
			} else if !errors.Is(err, unix.ENODEV) {
				return left, err
			}
		}
		indexes = left
		if len(indexes) == 0 || time.Now().After(deadline) {
			return indexes, nil
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// String lists the journal's entries, for test failures.
func (j *Journal) String() string {
	s := ""
	for _, e := range j.Entries() {
		s += fmt.Sprintf("%s %s\n", e.Verb, e.Object)
	}
	return s
}
