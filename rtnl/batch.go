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
// writes them in one sendmsg(2) (one per maxBatchWrite requests) and then
// reads all the acknowledgements. The kernel carries on after a failed
// request, so every request is tried. A Batch is not safe for concurrent
// use; after Flush it is empty and can be reused.
type Batch struct {
	c    *Conn
	msgs []netlink.Message
	ops  []batchOp
	err  error // first encoding error; nothing is sent if set
}

var errNoAnswer = errors.New("rtnl: the kernel sent an empty answer")

// batchOp names a request of the batch for its OpError.
type batchOp struct{ op, obj string }

// Batch returns an empty batch of requests for c.
func (c *Conn) Batch() *Batch { return &Batch{c: c} }

// Len returns the number of requests waiting in the batch.
func (b *Batch) Len() int { return len(b.msgs) }

func (b *Batch) add(op, obj string, typ netlink.HeaderType, flags netlink.HeaderFlags, body encoding.BinaryMarshaler) {
	if b.err != nil {
		return
	}
	m, err := message(typ, flags|netlink.Acknowledge, body)
	if err != nil {
		b.err = &OpError{Op: op, Obj: obj, Err: err}
		return
	}
	b.msgs = append(b.msgs, m)
	b.ops = append(b.ops, batchOp{op, obj})
}

// LinkAdd queues Conn.LinkAdd (one message, or two, see there).
func (b *Batch) LinkAdd(l *Link) {
	plan, err := linkAddPlan(l)
	if err != nil {
		if b.err == nil {
			b.err = &OpError{Op: "link add", Obj: l.Name, Err: err}
		}
		return
	}
	for _, m := range plan {
		b.add("link add", l.Name, unix.RTM_NEWLINK, m.flags, m.link)
	}
}

// LinkSet queues Conn.LinkSet (one message, or two, see there).
func (b *Batch) LinkSet(l *Link) {
	for _, m := range linkSetPlan(l) {
		b.add("link set", linkObj(l), unix.RTM_NEWLINK, m.flags, m.link)
	}
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
	msgs, ops, err := b.msgs, b.ops, b.err
	b.msgs, b.ops, b.err = nil, nil, nil
	if err != nil {
		return err
	}
	c := b.c
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for len(msgs) > 0 {
		n := min(len(msgs), maxBatchWrite)
		failed, err := c.sendBatch(msgs[:n], ops[:n])
		errs = append(errs, failed...)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		msgs, ops = msgs[n:], ops[n:]
	}
	return errors.Join(errs...)
}

// sendBatch writes msgs in one sendmsg and reads one answer per message.
// Answers are matched to requests by sequence number. It returns the
// requests' errors, and a non-nil error when the exchange itself failed.
func (c *Conn) sendBatch(msgs []netlink.Message, ops []batchOp) ([]error, error) {
	sent, err := c.nl.SendMessages(msgs)
	if err != nil {
		return nil, opError("batch send", "", err)
	}
	index := make(map[uint32]int, len(sent))
	for i, m := range sent {
		index[m.Header.Sequence] = i
	}
	answered := make([]bool, len(sent))
	failed := make([]error, len(sent))
	for left := len(sent); left > 0; {
		replies, err := c.nl.Receive()
		if err != nil {
			var ne *netlink.OpError
			if !errors.As(err, &ne) || !isErrno(ne.Err) {
				return compact(failed), opError("batch receive", "", err)
			}
			// An NLMSG_ERROR answers the request with its sequence number.
			i, ok := index[ne.Sequence]
			if !ok || answered[i] {
				return compact(failed), &OpError{Op: "batch receive",
					Err: fmt.Errorf("error answer for unknown sequence %d: %w", ne.Sequence, ne.Err)}
			}
			answered[i], left = true, left-1
			failed[i] = opError(ops[i].op, ops[i].obj, err)
			continue
		}
		if len(replies) == 0 {
			return compact(failed), &OpError{Op: "batch receive", Err: errNoAnswer}
		}
		for _, r := range replies {
			i, ok := index[r.Header.Sequence]
			if !ok || r.Header.Type != netlink.Error || answered[i] {
				continue // not an answer to this batch
			}
			answered[i], left = true, left-1
		}
	}
	return compact(failed), nil
}

// isErrno reports whether err is an errno the kernel sent in an
// NLMSG_ERROR. package netlink leaves those bare; a failed system call
// arrives as an *os.SyscallError instead.
func isErrno(err error) bool {
	_, ok := err.(unix.Errno)
	return ok
}

// compact drops the nil entries of errs.
func compact(errs []error) []error {
	out := errs[:0]
	for _, e := range errs {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}
