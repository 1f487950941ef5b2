package rtnl

import (
	"encoding"
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// maxBatchWrite bounds how many requests one sendmsg(2) carries. The
// kernel answers every request of a write before the write returns; the
// answers must fit the socket's receive buffer (net.core.rmem_default,
// ~208 KiB, counts about 1 KiB per small answer) or they are dropped and
// the read fails with ENOBUFS.
const maxBatchWrite = 128

// A Batch collects independent requests and sends them together: Flush
// writes them, in order, in one sendmsg(2) and then reads all the
// acknowledgements. The kernel carries on after a failed request, so every
// request is tried. A write carries at most maxBatchWrite requests, and a
// request that may only run if an earlier one of the batch succeeded (the
// follow-ups of LinkAdd with AddrGenModeNone) starts a new write, and is
// not sent if that request failed. A Batch is not safe for concurrent use;
// after Flush it is empty and can be reused.
type Batch struct {
	c     *Conn
	msgs  []netlink.Message
	ops   []batchOp
	calls int   // requests queued (a LinkAdd may be several messages)
	err   error // first encoding error; nothing is sent if set
}

var errNoAnswer = errors.New("rtnl: the kernel sent an empty answer")

// batchOp names a request of the batch for its OpError. after, when not
// 0, is 1 + the index of the request that must have succeeded first.
type batchOp struct {
	op, obj string
	after   int
	call    int   // which queued request (method call) the message belongs to
	echo    *Link // the request asked for NLM_F_ECHO: the kernel's RTM_NEWLINK is decoded here
}

// Batch returns an empty batch of requests for c.
func (c *Conn) Batch() *Batch { return &Batch{c: c} }

// Len returns the number of requests waiting in the batch.
func (b *Batch) Len() int { return len(b.msgs) }

func (b *Batch) add(op, obj string, typ netlink.HeaderType, flags netlink.HeaderFlags, body encoding.BinaryMarshaler) {
	b.addOp(batchOp{op: op, obj: obj}, typ, flags, body)
	b.calls++
}

// addOp queues one request, acknowledged, named by op for its OpError.
func (b *Batch) addOp(op batchOp, typ netlink.HeaderType, flags netlink.HeaderFlags, body encoding.BinaryMarshaler) {
	if b.err != nil {
		return
	}
	m, err := message(typ, flags|netlink.Acknowledge, body)
	if err != nil {
		b.err = &OpError{Op: op.op, Obj: op.obj, Err: err}
		return
	}
	op.call = b.calls
	b.msgs = append(b.msgs, m)
	b.ops = append(b.ops, op)
}

// LinkAdd queues Conn.LinkAdd: one request, or, with AddrGenModeNone, the
// creation and follow-ups that are sent only if it succeeded.
func (b *Batch) LinkAdd(l *Link) { b.linkAdd(l, nil) }

// LinkCreate queues Conn.LinkCreate: LinkAdd whose creation carries
// NLM_F_ECHO; Flush decodes the kernel's report of the new link into
// created, which must be a zero Link. created.Index stays 0 if no report
// came: the creation failed, or the kernel predates 6.1 and ignores the
// flag (look the link up then).
func (b *Batch) LinkCreate(l *Link, created *Link) { b.linkAdd(l, created) }

func (b *Batch) linkAdd(l *Link, echo *Link) {
	defer func() { b.calls++ }()
	plan, err := linkAddPlan(l)
	if err != nil {
		if b.err == nil {
			b.err = &OpError{Op: "link add", Obj: l.Name, Err: err}
		}
		return
	}
	create := len(b.msgs) + 1
	for k, m := range plan {
		after := 0
		if k > 0 {
			after = create // a follow-up by name must not touch a link that was already there
		}
		op := batchOp{op: "link add", obj: l.Name, after: after}
		flags := m.flags
		if k == 0 && echo != nil {
			op.echo, flags = echo, flags|netlink.Echo
		}
		b.addOp(op, unix.RTM_NEWLINK, flags, m.link)
	}
}

// LinkSet queues Conn.LinkSet (one request, or two, see there).
func (b *Batch) LinkSet(l *Link) {
	for _, m := range linkSetPlan(l) {
		b.addOp(batchOp{op: "link set", obj: linkObj(l)}, unix.RTM_NEWLINK, m.flags, m.link)
	}
	b.calls++
}

// LinkDel queues Conn.LinkDel.
func (b *Batch) LinkDel(index int32) {
	b.add("link del", linkObj(&Link{Index: index}), unix.RTM_DELLINK, 0, &Link{Index: index})
}

// AddrAdd queues Conn.AddrAdd.
func (b *Batch) AddrAdd(a *Addr) {
	q := a.request()
	b.add("addr add", q.Prefix().String(), unix.RTM_NEWADDR, netlink.Create|netlink.Excl, &q)
}

// AddrDel queues Conn.AddrDel.
func (b *Batch) AddrDel(a *Addr) {
	q := a.request()
	b.add("addr del", q.Prefix().String(), unix.RTM_DELADDR, 0, &q)
}

// RouteAdd queues Conn.RouteAdd.
func (b *Batch) RouteAdd(r *Route) {
	q := r.addDefaults()
	b.add("route add", routeObj(&q), unix.RTM_NEWROUTE, netlink.Create|netlink.Excl, &q)
}

// RouteDel queues Conn.RouteDel.
func (b *Batch) RouteDel(r *Route) {
	q := r.delDefaults()
	b.add("route del", routeObj(&q), unix.RTM_DELROUTE, 0, &q)
}

// NeighAdd queues Conn.NeighAdd.
func (b *Batch) NeighAdd(n *Neigh) {
	q := n.request()
	b.add("neigh add", q.IP.String(), unix.RTM_NEWNEIGH, netlink.Create|netlink.Excl, &q)
}

// NeighDel queues Conn.NeighDel.
func (b *Batch) NeighDel(n *Neigh) {
	q := n.request()
	b.add("neigh del", q.IP.String(), unix.RTM_DELNEIGH, 0, &q)
}

// Flush sends the queued requests and waits for every acknowledgement.
// It returns nil, or errors.Join of one *OpError per failed request, in
// request order. If a request could not be encoded, nothing is sent and
// that request's *OpError is returned.
func (b *Batch) Flush() error {
	encoded := b.err == nil
	results, err := b.FlushEach()
	if !encoded {
		return err
	}
	var errs []error
	for _, e := range results {
		if e != nil && !errors.Is(e, ErrNotSent) {
			errs = append(errs, e)
		}
	}
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ErrNotSent is the result FlushEach gives a request that was not sent or
// not answered: an earlier request it builds on failed (the follow-ups of
// a LinkAdd), the batch could not be encoded, or the exchange broke off.
// The kernel did not confirm it, which is not to say that it did not
// apply it when the exchange broke off.
var ErrNotSent = errors.New("rtnl: request not sent or not answered")

// FlushEach is Flush that reports every queued request on its own:
// results[i] is nil when the kernel acknowledged every message of the
// i-th request queued (LinkAdd, LinkSet, AddrAdd... in the order they were
// called), its *OpError when one failed, or wraps ErrNotSent. err is not
// nil when the batch could not be encoded (nothing was sent) or the
// exchange with the kernel failed. Callers that must undo exactly what
// the kernel confirmed (an EEXIST means the object is someone else's)
// use it instead of Flush.
func (b *Batch) FlushEach() (results []error, err error) {
	msgs, ops, calls, encErr := b.msgs, b.ops, b.calls, b.err
	b.msgs, b.ops, b.calls, b.err = nil, nil, 0, nil
	results = make([]error, calls)
	if encErr != nil {
		for i := range results {
			results[i] = ErrNotSent
		}
		return results, encErr
	}
	c := b.c
	c.mu.Lock()
	defer c.mu.Unlock()
	failed := make([]bool, len(msgs))
	setResult := func(i int, e error) {
		if results[ops[i].call] == nil {
			results[ops[i].call] = e
		}
	}
	for start := 0; start < len(msgs); {
		end := start + 1
		for end < len(msgs) && end-start < maxBatchWrite && ops[end].after <= start {
			end++
		}
		var idx []int // the requests of this write
		for i := start; i < end; i++ {
			if a := ops[i].after; a > 0 && failed[a-1] {
				failed[i] = true // not sent: what it builds on failed
				setResult(i, ErrNotSent)
				continue
			}
			idx = append(idx, i)
		}
		res, err := c.sendBatch(msgs, ops, idx)
		for k, e := range res {
			if e != nil {
				failed[idx[k]] = true
				setResult(idx[k], e)
			}
		}
		if err != nil {
			for i := start; i < len(msgs); i++ {
				setResult(i, ErrNotSent)
			}
			return results, err
		}
		start = end
	}
	return results, nil
}

// sendBatch writes the requests msgs[i], i in idx, in one sendmsg and
// reads one answer per request. Answers are matched to requests by
// sequence number. It returns each request's error (nil on success), and
// a non-nil error when the exchange itself failed.
func (c *Conn) sendBatch(msgs []netlink.Message, ops []batchOp, idx []int) ([]error, error) {
	results := make([]error, len(idx))
	if len(idx) == 0 {
		return results, nil
	}
	write := make([]netlink.Message, len(idx))
	for k, i := range idx {
		write[k] = msgs[i]
	}
	first, err := c.write(write)
	if err != nil {
		return results, opError("batch send", "", err)
	}
	answered := make([]bool, len(write))
	for left := len(write); left > 0; {
		replies, err := c.read()
		if err != nil {
			return results, opError("batch receive", "", err)
		}
		if len(replies) == 0 {
			return results, &OpError{Op: "batch receive", Err: errNoAnswer}
		}
		for _, r := range replies {
			k := int(r.Header.Sequence - first) // the requests' sequence numbers are consecutive
			if k < 0 || k >= len(write) || answered[k] {
				continue // not an answer to this batch
			}
			op := ops[idx[k]]
			switch r.Header.Type {
			case unix.RTM_NEWLINK:
				if op.echo != nil && op.echo.Index == 0 {
					// NLM_F_ECHO: the kernel reports the new link to the
					// sender, with the request's sequence, before its ACK.
					if err := op.echo.UnmarshalBinary(r.Data); err != nil {
						return results, &OpError{Op: op.op, Obj: op.obj, Err: fmt.Errorf("echo: %w", err)}
					}
				}
			case netlink.Error:
				// An NLMSG_ERROR answers the request with its sequence
				// number: an ACK (errno 0) or a refusal.
				answered[k], left = true, left-1
				if err := answerError(r); err != nil {
					results[k] = opError(op.op, op.obj, err)
				}
			}
		}
	}
	return results, nil
}

// AddrDelAsDumped queues the deletion of a, an address as a dump returned
// it (both IFA_LOCAL and IFA_ADDRESS as the kernel reported them), as
// `ip addr flush` deletes: the dumped message sent back as RTM_DELADDR.
func (b *Batch) AddrDelAsDumped(a *Addr) {
	b.add("addr del", a.Prefix().String(), unix.RTM_DELADDR, 0, a)
}
