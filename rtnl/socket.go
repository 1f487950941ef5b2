package rtnl

import (
	"encoding/binary"
	"errors"
	"iter"
	"os"
	"syscall"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// fdSocket is the netlink.Socket under a dialled Conn. It does the
// system calls on the descriptor that netlink.Dial opened (inside the
// target namespace) and records what package netlink does not pass on:
// netlink.Conn drops the NLMSG_DONE message of a dump, and with it the
// NLM_F_DUMP_INTR flag that the kernel may set only there (when the
// table changed between the last data batch and the end of the dump,
// see netlink_dump_done and nl_dump_check_consistent).
//
// Only the Conn that owns it uses it, under the Conn's mutex.
type fdSocket struct {
	owner *netlink.Conn // the dialled conn: owns the descriptor
	rc    syscall.RawConn

	intr bool // a message with NLM_F_DUMP_INTR was received
}

var errTruncated = errors.New("rtnl: netlink message truncated")

func newFDSocket(owner *netlink.Conn) (*fdSocket, error) {
	rc, err := owner.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &fdSocket{owner: owner, rc: rc}, nil
}

func (s *fdSocket) Close() error { return s.owner.Close() }

func (s *fdSocket) Send(m netlink.Message) error {
	return s.SendMessages([]netlink.Message{m})
}

// SendMessages writes all messages in one sendmsg(2).
func (s *fdSocket) SendMessages(msgs []netlink.Message) error {
	var b []byte
	for _, m := range msgs {
		mb, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		b = append(b, mb...)
	}
	var serr error
	err := s.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), b, nil, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}, 0)
		return serr != unix.EAGAIN
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return os.NewSyscallError("sendmsg", err)
	}
	return nil
}

// Receive reads one datagram. It peeks at its size first, so that no
// fixed buffer is kept per Conn.
func (s *fdSocket) Receive() ([]netlink.Message, error) {
	var (
		b    []byte
		rerr error
	)
	err := s.rc.Read(func(fd uintptr) bool {
		var peek [1]byte
		n, _, _, _, err := unix.Recvmsg(int(fd), peek[:], nil, unix.MSG_PEEK|unix.MSG_TRUNC)
		if err == unix.EAGAIN {
			return false
		}
		if err != nil {
			rerr = err
			return true
		}
		b = make([]byte, n)
		var flags int
		n, _, flags, _, rerr = unix.Recvmsg(int(fd), b, nil, 0)
		if rerr != nil {
			return true // n is -1: b[:n] would panic
		}
		if flags&unix.MSG_TRUNC != 0 {
			rerr = errTruncated
		}
		b = b[:n]
		return true
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, os.NewSyscallError("recvmsg", err)
	}
	msgs, err := parseMessages(b)
	if err != nil {
		return nil, err
	}
	s.intr = s.intr || dumpInterrupted(msgs)
	return msgs, nil
}

// dumpInterrupted reports whether any message, NLMSG_DONE included,
// carries NLM_F_DUMP_INTR.
func dumpInterrupted(msgs []netlink.Message) bool {
	for _, m := range msgs {
		if m.Header.Flags&netlink.DumpInterrupted != 0 {
			return true
		}
	}
	return false
}

func (s *fdSocket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		msgs, err := s.Receive()
		if err != nil {
			yield(netlink.Message{}, err)
			return
		}
		for _, m := range msgs {
			if !yield(m, nil) {
				return
			}
		}
	}
}

// parseMessages splits one datagram into its netlink messages. The
// messages share b.
func parseMessages(b []byte) ([]netlink.Message, error) {
	var msgs []netlink.Message
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b))
		end := (l + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			return nil, errTruncated
		}
		end = min(end, len(b))
		var m netlink.Message
		if err := m.UnmarshalBinary(b[:end]); err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
		b = b[end:]
	}
	return msgs, nil
}
