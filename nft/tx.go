package nft

import (
	"errors"
	"fmt"
	"os"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Tx is one nf_tables transaction: the messages added to it are written
// between NFNL_MSG_BATCH_BEGIN and NFNL_MSG_BATCH_END in a single sendmsg
// and the kernel applies all of them or none. The first error from building
// a message sticks and is returned by Commit, which then sends nothing.
// A Tx is not safe for concurrent use.
type Tx struct {
	c    *Conn
	msgs []txMsg
	gen  uint32
	err  error
}

type txMsg struct {
	op, obj string
	typ     uint16
	flags   netlink.HeaderFlags
	family  Family
	body    []byte
}

// Begin starts a transaction on c.
func (c *Conn) Begin() *Tx { return &Tx{c: c} }

// Len is the number of messages in the transaction.
func (tx *Tx) Len() int { return len(tx.msgs) }

// RequireGen makes the commit fail with unix.ERESTART, changing nothing,
// unless the ruleset generation is still gen (see Conn.Gen). Zero means no
// check (NFNL_BATCH_GENID is not sent).
func (tx *Tx) RequireGen(gen uint32) { tx.gen = gen }

type marshaler interface{ MarshalBinary() ([]byte, error) }

func (tx *Tx) add(op, obj string, typ uint16, flags netlink.HeaderFlags, fam Family, m marshaler) {
	if tx.err != nil {
		return
	}
	body, err := m.MarshalBinary()
	if err != nil {
		tx.err = &OpError{Op: op, Obj: obj, Err: err}
		return
	}
	tx.msgs = append(tx.msgs, txMsg{op: op, obj: obj, typ: typ, flags: flags, family: fam, body: body})
}

// AddTable creates t, or does nothing if it exists (NFT_MSG_NEWTABLE,
// NLM_F_CREATE, as `nft add table`).
func (tx *Tx) AddTable(t *Table) {
	tx.add("table add", t.String(), unix.NFT_MSG_NEWTABLE, netlink.Create, t.Family, t)
}

// DelTable deletes t with its chains and rules (NFT_MSG_DELTABLE).
func (tx *Tx) DelTable(t *Table) {
	tx.add("table del", t.String(), unix.NFT_MSG_DELTABLE, 0, t.Family, t)
}

// AddChain creates ch, or does nothing if a chain of that name and hook
// exists (NFT_MSG_NEWCHAIN, NLM_F_CREATE, as `nft add chain`).
func (tx *Tx) AddChain(ch *Chain) {
	tx.add("chain add", ch.String(), unix.NFT_MSG_NEWCHAIN, netlink.Create, ch.Family, ch)
}

// DelChain deletes an empty chain (NFT_MSG_DELCHAIN with NLM_F_NONREC:
// a chain that still holds rules, or that a rule jumps to, is EBUSY;
// without the flag the kernel would delete its rules too).
func (tx *Tx) DelChain(ch *Chain) {
	tx.add("chain del", ch.String(), unix.NFT_MSG_DELCHAIN, nlmFNonrec, ch.Family, ch)
}

// AddRule appends r to its chain (NFT_MSG_NEWRULE, NLM_F_CREATE|NLM_F_APPEND).
func (tx *Tx) AddRule(r *Rule) {
	obj := r.Family.String() + " " + r.Table + " " + r.Chain
	if r.Comment != "" {
		obj += " " + fmt.Sprintf("%q", r.Comment)
	}
	tx.add("rule add", obj, unix.NFT_MSG_NEWRULE, netlink.Create|netlink.Append, r.Family, r)
}

// InsertRule puts r before the rule whose handle is r.Position, or first
// in its chain when Position is 0 (NFT_MSG_NEWRULE, NLM_F_CREATE without
// NLM_F_APPEND, as iptables -I).
func (tx *Tx) InsertRule(r *Rule) {
	obj := r.Family.String() + " " + r.Table + " " + r.Chain
	tx.add("rule insert", obj, unix.NFT_MSG_NEWRULE, netlink.Create, r.Family, r)
}

// ReplaceRule puts r in place of the rule whose handle is r.Handle
// (NFT_MSG_NEWRULE, NLM_F_REPLACE, as iptables -R).
func (tx *Tx) ReplaceRule(r *Rule) {
	obj := fmt.Sprintf("%s %s %s handle %d", r.Family, r.Table, r.Chain, r.Handle)
	tx.add("rule replace", obj, unix.NFT_MSG_NEWRULE, netlink.Replace, r.Family, r)
}

// DelRule deletes the rule of r's table and chain whose handle is r.Handle
// (NFT_MSG_DELRULE). Only the handle, table and chain are sent.
func (tx *Tx) DelRule(r *Rule) {
	obj := fmt.Sprintf("%s %s %s handle %d", r.Family, r.Table, r.Chain, r.Handle)
	if r.Handle == 0 && tx.err == nil {
		tx.err = &OpError{Op: "rule del", Obj: obj, Err: unix.EINVAL, Hint: "rule has no handle"}
		return
	}
	key := &Rule{Family: r.Family, Table: r.Table, Chain: r.Chain, Handle: r.Handle}
	tx.add("rule del", obj, unix.NFT_MSG_DELRULE, 0, r.Family, key)
}

// messages frames the transaction: begin, the messages, end. Only the last
// message asks for an ACK: the kernel reports every failing message anyway
// (nfnetlink_rcv_batch), in order, after processing the whole batch, so the
// last message's reply is the last reply of a batch that reached its end.
func (tx *Tx) messages() ([]netlink.Message, error) {
	begin := nfgenmsg(0, unix.NFNL_SUBSYS_NFTABLES)
	if tx.gen != 0 {
		ae := newEncoder()
		ae.Uint32(unix.NFNL_BATCH_GENID, tx.gen)
		attrs, err := ae.Encode()
		if err != nil {
			return nil, err
		}
		begin = append(begin, attrs...)
	}
	msgs := make([]netlink.Message, 0, len(tx.msgs)+2)
	msgs = append(msgs, netlink.Message{
		Header: netlink.Header{Type: unix.NFNL_MSG_BATCH_BEGIN, Flags: netlink.Request},
		Data:   begin,
	})
	for i, m := range tx.msgs {
		flags := netlink.Request | m.flags
		if i == len(tx.msgs)-1 {
			flags |= netlink.Acknowledge
		}
		msgs = append(msgs, netlink.Message{
			Header: netlink.Header{Type: msgType(m.typ), Flags: flags},
			Data:   m.body,
		})
	}
	msgs = append(msgs, netlink.Message{
		Header: netlink.Header{Type: unix.NFNL_MSG_BATCH_END, Flags: netlink.Request},
		Data:   nfgenmsg(0, unix.NFNL_SUBSYS_NFTABLES),
	})
	return msgs, nil
}

// Commit sends the transaction and waits for the kernel's verdict. On
// failure it returns an *OpError naming the first message the kernel
// rejected (errors.Is(err, unix.ENOENT) ...), and the ruleset is unchanged.
// An empty transaction sends nothing.
func (tx *Tx) Commit() error {
	if tx.err != nil {
		return tx.err
	}
	if len(tx.msgs) == 0 {
		return nil
	}
	msgs, err := tx.messages()
	if err != nil {
		return &OpError{Op: "commit", Err: err}
	}
	size := 0
	for _, m := range msgs {
		size += 16 + (len(m.Data)+3)&^3
	}
	// One transaction is one sendmsg (the kernel aborts a batch that lacks
	// its END), so the send buffer must hold it all; every rejected
	// message may add an error reply, so the receive buffer must hold
	// one per message. Too small means EMSGSIZE or ENOBUFS.
	if err := tx.c.sizeBuffers(size, len(msgs)); err != nil {
		return &OpError{Op: "commit", Err: err}
	}
	tx.c.mu.Lock()
	defer tx.c.mu.Unlock()
	sent, err := tx.c.nl.SendMessages(msgs)
	if err != nil {
		return opError("commit", "", err)
	}
	err = tx.receive(sent)
	// Whatever the kernel queued and we did not read (after a receive
	// error) would answer the next request: drop it.
	for tx.c.pending() {
		tx.c.nl.Receive()
	}
	return err
}

// receive reads the replies to a sent batch and maps a failure back, by
// sequence number, to the message that caused it.
func (tx *Tx) receive(sent []netlink.Message) error {
	beginSeq := sent[0].Header.Sequence
	lastSeq := sent[len(sent)-2].Header.Sequence
	index := make(map[uint32]int, len(sent))
	for i, m := range sent[1 : len(sent)-1] {
		index[m.Header.Sequence] = i
	}
	var first *OpError
	failed := 0
	fail := func(e *OpError) {
		if first == nil {
			first = e
		} else {
			failed++
		}
	}
	for {
		replies, err := tx.c.nl.Receive()
		var ne *netlink.OpError
		switch {
		case err == nil:
		case errors.As(err, &ne) && ne.Sequence != 0:
			if i, ok := index[ne.Sequence]; ok {
				m := tx.msgs[i]
				fail(&OpError{Op: m.op, Obj: m.obj, Err: ne.Err, Hint: ne.Message})
				if ne.Sequence == lastSeq {
					return first.with(failed)
				}
				continue
			}
			// The batch as a whole: refused at BEGIN (EPERM, ERESTART
			// for a stale generation, ...) or failed at commit.
			fail(&OpError{Op: "commit", Err: ne.Err, Hint: ne.Message})
			if ne.Sequence != beginSeq || !tx.c.pending() {
				return first.with(failed)
			}
			continue
		default:
			return opError("commit", "", err)
		}
		if len(replies) == 0 {
			return first.with(failed)
		}
		for _, r := range replies {
			if r.Header.Sequence == lastSeq {
				return first.with(failed)
			}
		}
	}
}

// with returns e (nil if e is nil) with the count of later failures.
func (e *OpError) with(more int) error {
	if e == nil {
		return nil
	}
	e.More = more
	return e
}

// pending reports whether a reply is queued on the socket. The kernel
// processes a batch inside our sendmsg, so every reply it will ever send is
// queued by the time we read.
func (c *Conn) pending() bool {
	rc, err := c.nl.SyscallConn()
	if err != nil {
		return false
	}
	var n int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		var b [16]byte
		n, _, rerr = unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		return true
	})
	return err == nil && rerr == nil && n > 0
}

// sizeBuffers grows the socket buffers for a batch of size bytes and n
// messages. An error reply carries a copy of its request, so the replies
// to a batch rejected message by message take about size plus a fixed
// overhead per reply. SO_SNDBUFFORCE/SO_RCVBUFFORCE need CAP_NET_ADMIN, which writing
// nf_tables needs anyway; without it the capped SO_SNDBUF/SO_RCVBUF are
// tried.
func (c *Conn) sizeBuffers(size, n int) error {
	const (
		minBuf      = 1 << 18
		perReply    = 1024 // truesize of one error reply, generously
		kernelSlack = 4096
	)
	snd := max(minBuf, size+kernelSlack)
	rcv := max(minBuf, size+n*perReply)
	c.bufMu.Lock()
	defer c.bufMu.Unlock()
	if snd <= c.sndbuf && rcv <= c.rcvbuf {
		return nil
	}
	rc, err := c.nl.SyscallConn()
	if err != nil {
		return nil // a test connection: nothing to size
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		if snd > c.sndbuf {
			serr = setBuf(int(fd), unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, snd)
			if serr != nil {
				return
			}
			c.sndbuf = snd
		}
		if rcv > c.rcvbuf {
			serr = setBuf(int(fd), unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, rcv)
			if serr != nil {
				return
			}
			c.rcvbuf = rcv
		}
	})
	if err != nil {
		return err
	}
	return serr
}

func setBuf(fd, force, plain, size int) error {
	err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, force, size)
	if errors.Is(err, unix.EPERM) {
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, plain, size)
	}
	if err != nil {
		return fmt.Errorf("socket buffer of %d bytes: %w", size, os.NewSyscallError("setsockopt", err))
	}
	return nil
}
