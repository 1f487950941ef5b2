package rtnl

import (
	"encoding"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// maxDumpTries bounds how often a dump that the kernel marked
// interrupted (NLM_F_DUMP_INTR) is restarted before ErrDumpInterrupted.
const maxDumpTries = 10

// A Conn is an rtnetlink socket bound to one network namespace: the one
// it was dialled in. Every request made through it acts in that
// namespace, from whichever goroutine calls it, with no setns(2).
//
// A Conn is safe for concurrent use: its methods serialize on the
// socket. A Batch is not safe for concurrent use.
type Conn struct {
	mu  sync.Mutex
	t   transport // the socket; a fake kernel in tests
	pid uint32    // the socket's port ID, in every request's header
	seq uint32    // the last sequence number used
}

// Dial opens an rtnetlink socket inside the network namespace ns, or in
// the calling thread's namespace if ns is nil. The socket stays in ns, so
// no request made through the Conn ever needs setns(2); package netlink
// makes the socket on a thread of its own.
//
// The socket is strict (NETLINK_EXT_ACK: the kernel explains errors, see
// OpError.Hint; NETLINK_GET_STRICT_CHK: dump requests are checked, not
// silently widened). NETLINK_CAP_ACK is not set: package netlink cannot
// find the extended-ACK text (and then loses the errno) in a capped
// error answer, and only failed requests are echoed anyway.
func Dial(ns *os.File) (*Conn, error) {
	cfg := &netlink.Config{Strict: true}
	if ns != nil {
		cfg.NetNS = int(ns.Fd())
	}
	raw, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
	runtime.KeepAlive(ns) // the fd must stay open until the socket exists
	if err != nil {
		return nil, fmt.Errorf("rtnl: dial: %w", err)
	}
	s, err := newFDSocket(raw)
	if err != nil {
		raw.Close()
		return nil, fmt.Errorf("rtnl: dial: %w", err)
	}
	return newConn(s, raw.PID()), nil
}

// newConn makes a Conn on a transport: a dialled socket, or a test's fake
// kernel. The first sequence number is random, as package netlink's is,
// so that answers to an earlier socket's requests are not taken for ours.
func newConn(t transport, pid uint32) *Conn {
	return &Conn{t: t, pid: pid, seq: rand.Uint32()}
}

// Close closes the socket.
func (c *Conn) Close() error { return c.t.Close() }

// write sends msgs in one sendmsg(2), each with the next sequence number
// and the socket's port ID, and returns the sequence number of the first.
// The caller holds c.mu.
func (c *Conn) write(msgs []netlink.Message) (uint32, error) {
	first := c.seq + 1
	var b []byte
	for _, m := range msgs {
		c.seq++
		m.Header.Sequence, m.Header.PID = c.seq, c.pid
		b = appendMessage(b, m)
	}
	return first, c.t.send(b)
}

// read returns the messages of the next datagram. The caller holds c.mu.
func (c *Conn) read() ([]netlink.Message, error) {
	b, err := c.t.receive()
	if err != nil {
		return nil, err
	}
	return parseMessages(b)
}

// execute sends one request and returns its answer: the messages of a
// dump up to its NLMSG_DONE, the one object a get returns, or nothing for
// a request that is acknowledged. A kernel refusal (NLMSG_ERROR, or a
// failed dump's DONE) is a *kernelError. intr reports NLM_F_DUMP_INTR on
// any message of the answer, the DONE included. Messages of other
// sequence numbers (answers to an earlier, abandoned exchange) are
// skipped. The caller holds c.mu.
func (c *Conn) execute(m netlink.Message) (msgs []netlink.Message, intr bool, err error) {
	seq, err := c.write([]netlink.Message{m})
	if err != nil {
		return nil, false, err
	}
	for {
		replies, err := c.read()
		if err != nil {
			return nil, intr, err
		}
		if len(replies) == 0 {
			return nil, intr, errNoAnswer
		}
		for _, r := range replies {
			if r.Header.Sequence != seq {
				continue
			}
			intr = intr || r.Header.Flags&netlink.DumpInterrupted != 0
			switch {
			case r.Header.Type == netlink.Error, r.Header.Type == netlink.Done:
				if err := answerError(r); err != nil {
					return nil, intr, err
				}
				return msgs, intr, nil
			}
			msgs = append(msgs, r)
			if r.Header.Flags&netlink.Multi == 0 && m.Header.Flags&netlink.Acknowledge == 0 {
				return msgs, intr, nil // the one answer of a get
			}
		}
	}
}

// request sends one message that the kernel acknowledges and waits for
// the acknowledgement.
func (c *Conn) request(op, obj string, typ netlink.HeaderType, flags netlink.HeaderFlags, body encoding.BinaryMarshaler) error {
	m, err := message(typ, flags|netlink.Acknowledge, body)
	if err != nil {
		return &OpError{Op: op, Obj: obj, Err: err}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, _, err := c.execute(m); err != nil {
		return opError(op, obj, err)
	}
	return nil
}

// get sends one request that the kernel answers with one object.
func (c *Conn) get(op, obj string, typ netlink.HeaderType, body encoding.BinaryMarshaler) (netlink.Message, error) {
	m, err := message(typ, 0, body)
	if err != nil {
		return netlink.Message{}, &OpError{Op: op, Obj: obj, Err: err}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	msgs, _, err := c.execute(m)
	if err != nil {
		return netlink.Message{}, opError(op, obj, err)
	}
	if len(msgs) != 1 {
		return netlink.Message{}, &OpError{Op: op, Obj: obj, Err: fmt.Errorf("kernel sent %d answers, want 1", len(msgs))}
	}
	return msgs[0], nil
}

// dump runs a dump request and returns its messages of type want. A dump
// the kernel marks interrupted (NLM_F_DUMP_INTR on any message, the
// final NLMSG_DONE included) is restarted, at most maxDumpTries times,
// then reported as ErrDumpInterrupted: never a silently partial answer.
func (c *Conn) dump(op string, typ, want netlink.HeaderType, body encoding.BinaryMarshaler) ([]netlink.Message, error) {
	m, err := message(typ, netlink.Dump, body)
	if err != nil {
		return nil, &OpError{Op: op, Err: err}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for range maxDumpTries { // each attempt has a sequence number of its own
		msgs, intr, err := c.execute(m)
		if err != nil {
			return nil, opError(op, "", err)
		}
		if intr {
			continue
		}
		out := msgs[:0]
		for _, r := range msgs {
			if r.Header.Type == want {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return nil, &OpError{Op: op, Err: ErrDumpInterrupted}
}

// dumpOf is dump for one message type: every answer is decoded into a T
// (a failure is an *OpError naming op) and kept if keep, when not nil,
// says so. Links, Addrs, Routes and Neighs are each one call of it.
func dumpOf[T any, P interface {
	*T
	encoding.BinaryUnmarshaler
}](c *Conn, op string, typ, want netlink.HeaderType, req encoding.BinaryMarshaler, keep func(*T) bool) ([]T, error) {
	msgs, err := c.dump(op, typ, want, req)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(msgs))
	for _, m := range msgs {
		var v T
		if err := P(&v).UnmarshalBinary(m.Data); err != nil {
			return nil, &OpError{Op: op, Err: err}
		}
		if keep == nil || keep(&v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// message builds a request message with NLM_F_REQUEST and flags.
func message(typ netlink.HeaderType, flags netlink.HeaderFlags, body encoding.BinaryMarshaler) (netlink.Message, error) {
	b, err := body.MarshalBinary()
	if err != nil {
		return netlink.Message{}, err
	}
	return netlink.Message{
		Header: netlink.Header{Type: typ, Flags: netlink.Request | flags},
		Data:   b,
	}, nil
}
