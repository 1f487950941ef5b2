package nft

import (
	"encoding/binary"
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// errReply is the kernel's NLMSG_ERROR for req: errno (negative) and a
// copy of the request header.
func errReply(req netlink.Message, errno unix.Errno) netlink.Message {
	b := binary.NativeEndian.AppendUint32(nil, uint32(-int32(errno)))
	h := make([]byte, 16)
	binary.NativeEndian.PutUint32(h[0:], req.Header.Length)
	binary.NativeEndian.PutUint16(h[4:], uint16(req.Header.Type))
	binary.NativeEndian.PutUint16(h[6:], uint16(req.Header.Flags))
	binary.NativeEndian.PutUint32(h[8:], req.Header.Sequence)
	binary.NativeEndian.PutUint32(h[12:], req.Header.PID)
	return netlink.Message{Header: netlink.Header{Type: netlink.Error, Sequence: req.Header.Sequence, PID: req.Header.PID}, Data: append(b, h...)}
}

func ackReply(req netlink.Message) netlink.Message { return errReply(req, 0) }

// fakeSocket is a netlink.Socket that answers each write with reply(msgs)
// and hands the replies out one per read, as the kernel does (each ACK or
// error of a batch is its own datagram). nltest would return them all in
// one read, and netlink.Conn drops what follows an error in a read.
type fakeSocket struct {
	reply func([]netlink.Message) []netlink.Message
	queue []netlink.Message
}

func (s *fakeSocket) Close() error { return nil }
func (s *fakeSocket) Send(m netlink.Message) error {
	return s.SendMessages([]netlink.Message{m})
}
func (s *fakeSocket) SendMessages(ms []netlink.Message) error {
	s.queue = append(s.queue, s.reply(ms)...)
	return nil
}
func (s *fakeSocket) Receive() ([]netlink.Message, error) {
	var out []netlink.Message
	for m, err := range s.ReceiveIter() {
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
func (s *fakeSocket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		if len(s.queue) == 0 {
			return
		}
		m := s.queue[0]
		s.queue = s.queue[1:]
		yield(m, nil)
	}
}

// fakeConn is a Conn whose kernel is reply.
func fakeConn(t *testing.T, reply func(batch []netlink.Message) []netlink.Message) *Conn {
	t.Helper()
	c := newConn(netlink.NewConn(&fakeSocket{reply: reply}, 4242))
	t.Cleanup(func() { c.Close() })
	return c
}

func threeRules(c *Conn) *Tx {
	tx := c.Begin()
	tx.AddTable(testTableINet())
	for _, comment := range []string{"a", "b", "c"} {
		tx.AddRule(&Rule{Family: FamilyINet, Table: testTable, Chain: "postrouting", Comment: comment, Exprs: []Expr{&Masq{}}})
	}
	return tx
}

func TestCommitFraming(t *testing.T) {
	var got []netlink.Message
	c := fakeConn(t, func(b []netlink.Message) []netlink.Message {
		got = b
		return []netlink.Message{ackReply(b[len(b)-2])}
	})
	if err := threeRules(c).Commit(); err != nil {
		t.Fatal(err)
	}
	wantTypes := []netlink.HeaderType{unix.NFNL_MSG_BATCH_BEGIN, msgType(unix.NFT_MSG_NEWTABLE),
		msgType(unix.NFT_MSG_NEWRULE), msgType(unix.NFT_MSG_NEWRULE), msgType(unix.NFT_MSG_NEWRULE), unix.NFNL_MSG_BATCH_END}
	if len(got) != len(wantTypes) {
		t.Fatalf("sent %d messages in the write, want %d", len(got), len(wantTypes))
	}
	seqs := map[uint32]bool{}
	for i, m := range got {
		if m.Header.Type != wantTypes[i] {
			t.Errorf("message %d: type %#x, want %#x", i, m.Header.Type, wantTypes[i])
		}
		if seqs[m.Header.Sequence] {
			t.Errorf("message %d reuses sequence %d", i, m.Header.Sequence)
		}
		seqs[m.Header.Sequence] = true
		if ack := m.Header.Flags&netlink.Acknowledge != 0; ack != (i == len(got)-2) {
			t.Errorf("message %d: ACK flag %v; only the last message before END asks for one", i, ack)
		}
	}
	if res := got[0].Data[2:4]; res[0] != 0 || res[1] != unix.NFNL_SUBSYS_NFTABLES {
		t.Errorf("BATCH_BEGIN res_id %x, want the nftables subsystem, big-endian", res)
	}
}

func TestCommitMapsFailureBySequence(t *testing.T) {
	c := fakeConn(t, func(b []netlink.Message) []netlink.Message {
		// The kernel reports the failing message (rule "b", the third
		// message) and, after the whole batch, the ACK of the last one.
		return []netlink.Message{errReply(b[3], unix.ENOENT), ackReply(b[4])}
	})
	err := threeRules(c).Commit()
	var oe *OpError
	if !errors.As(err, &oe) || !errors.Is(err, unix.ENOENT) {
		t.Fatalf("Commit = %v, want an *OpError wrapping ENOENT", err)
	}
	if oe.Op != "rule add" || oe.Obj != `inet nsnet postrouting "b"` || oe.More != 0 {
		t.Errorf("failure mapped to %q %q (+%d), want rule add of rule \"b\"", oe.Op, oe.Obj, oe.More)
	}
	if want := `rule add inet nsnet postrouting "b": no such file or directory`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestCommitLastMessageFails(t *testing.T) {
	c := fakeConn(t, func(b []netlink.Message) []netlink.Message {
		return []netlink.Message{errReply(b[2], unix.EINVAL), errReply(b[4], unix.EEXIST)}
	})
	err := threeRules(c).Commit()
	var oe *OpError
	if !errors.As(err, &oe) || !errors.Is(err, unix.EINVAL) || !strings.Contains(oe.Obj, `"a"`) || oe.More != 1 {
		t.Fatalf("Commit = %#v; want the first failure (rule a, EINVAL) and one more", err)
	}
}

func TestCommitBatchRefused(t *testing.T) {
	c := fakeConn(t, func(b []netlink.Message) []netlink.Message {
		return []netlink.Message{errReply(b[0], unix.ERESTART)} // stale NFNL_BATCH_GENID
	})
	tx := threeRules(c)
	tx.RequireGen(41)
	err := tx.Commit()
	var oe *OpError
	if !errors.As(err, &oe) || oe.Op != "commit" || !errors.Is(err, unix.ERESTART) {
		t.Fatalf("Commit = %v, want commit: ERESTART", err)
	}
}

func TestCommitStickyError(t *testing.T) {
	c := fakeConn(t, func(b []netlink.Message) []netlink.Message {
		t.Error("a transaction with a build error was sent")
		return nil
	})
	tx := c.Begin()
	tx.DelRule(&Rule{Family: FamilyINet, Table: "t", Chain: "c"}) // no handle
	tx.AddTable(testTableINet())
	if err := tx.Commit(); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("Commit = %v, want EINVAL (rule without handle)", err)
	}
	if tx.Len() != 0 {
		t.Errorf("messages were added after the sticky error: %d", tx.Len())
	}
	tx = c.Begin()
	tx.AddRule(&Rule{Family: FamilyINet, Table: "t", Chain: "c", Comment: "nul\x00inside"})
	if err := tx.Commit(); !errors.Is(err, errBadComment) {
		t.Fatalf("Commit = %v, want errBadComment", err)
	}
	if err := c.Begin().Commit(); err != nil {
		t.Fatalf("empty transaction: %v", err)
	}
}
