package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A transport carries a Conn's datagrams: in production the rtnetlink
// socket (fdSocket), in tests a fake kernel. Everything above it (headers,
// sequence numbers, multi-part answers, NLM_F_DUMP_INTR, error answers) is
// the Conn's own code and runs the same way over both.
type transport interface {
	send(b []byte) error      // one sendmsg(2) of encoded messages
	receive() ([]byte, error) // one datagram
	Close() error
}

// fdSocket is the transport of a dialled Conn: the system calls on the
// descriptor that netlink.Dial opened inside the target namespace.
// package netlink's Conn is kept only as the owner of that descriptor (it
// made it on the right thread and closes it): its Execute and Receive
// drop NLMSG_DONE, and with it the NLM_F_DUMP_INTR flag that the kernel
// may set only there (when the table changed between the last data batch
// and the end of the dump, see netlink_dump_done and
// nl_dump_check_consistent), so the Conn reads the socket itself.
type fdSocket struct {
	owner *netlink.Conn
	rc    syscall.RawConn
	debug io.Writer // NLDEBUG: every message sent and received, or nil
}

var errTruncated = errors.New("rtnl: netlink message truncated")

func newFDSocket(owner *netlink.Conn) (*fdSocket, error) {
	rc, err := owner.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &fdSocket{owner: owner, rc: rc}
	if os.Getenv("NLDEBUG") != "" {
		s.debug = os.Stderr
	}
	return s, nil
}

func (s *fdSocket) Close() error { return s.owner.Close() }

// send writes b in one sendmsg(2).
func (s *fdSocket) send(b []byte) error {
	s.trace("send", b)
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

// receive reads one datagram. It peeks at its size first, so that no
// fixed buffer is kept per Conn and every datagram is read whole.
func (s *fdSocket) receive() ([]byte, error) {
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
	s.trace("recv", b)
	return b, nil
}

// trace prints the messages of a datagram when NLDEBUG is set, one line
// each, as package netlink's NLDEBUG=format=plain does.
func (s *fdSocket) trace(dir string, b []byte) {
	if s.debug == nil {
		return
	}
	msgs, err := parseMessages(b)
	if err != nil {
		fmt.Fprintf(s.debug, "nl: %s: %d bytes: %v\n", dir, len(b), err)
		return
	}
	for _, m := range msgs {
		fmt.Fprintf(s.debug, "nl: %s: %+v\n", dir, m)
	}
}

// appendMessage appends m to b as the kernel reads it: the header with
// Length set, the payload, and padding to NLMSG_ALIGNTO.
func appendMessage(b []byte, m netlink.Message) []byte {
	l := unix.NLMSG_HDRLEN + len(m.Data)
	b = binary.NativeEndian.AppendUint32(b, uint32(l))
	b = binary.NativeEndian.AppendUint16(b, uint16(m.Header.Type))
	b = binary.NativeEndian.AppendUint16(b, uint16(m.Header.Flags))
	b = binary.NativeEndian.AppendUint32(b, m.Header.Sequence)
	b = binary.NativeEndian.AppendUint32(b, m.Header.PID)
	b = append(b, m.Data...)
	for ; l%unix.NLMSG_ALIGNTO != 0; l++ {
		b = append(b, 0)
	}
	return b
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

// A kernelError is the errno of an NLMSG_ERROR answer (or of the
// NLMSG_DONE of a failed dump) and the kernel's extended-ACK message.
type kernelError struct {
	errno unix.Errno
	hint  string // NLMSGERR_ATTR_MSG
}

func (e *kernelError) Error() string { return e.errno.Error() }
func (e *kernelError) Unwrap() error { return e.errno }

var errShortAnswer = errors.New("rtnl: error answer shorter than its errno")

// nlmCapped is NLM_F_CAPPED: an error answer echoes only the request's
// header, not its payload (include/uapi/linux/netlink.h).
const nlmCapped = 0x100

// answerError returns the error an NLMSG_ERROR or NLMSG_DONE message
// carries: nil for an acknowledgement (errno 0) and for a DONE without
// one, a *kernelError otherwise. The extended-ACK attributes follow the
// errno (DONE) or the echoed request (ERROR: its header and, unless
// NLM_F_CAPPED, its payload); see netlink_ack and netlink_dump_done.
func answerError(m netlink.Message) error {
	if len(m.Data) < 4 {
		if m.Header.Type == netlink.Done {
			return nil
		}
		return errShortAnswer
	}
	code := int32(binary.NativeEndian.Uint32(m.Data))
	if code == 0 {
		return nil
	}
	e := &kernelError{errno: unix.Errno(-code)}
	if m.Header.Flags&netlink.AcknowledgeTLVs == 0 {
		return e
	}
	off := 4
	if m.Header.Type == netlink.Error {
		if len(m.Data) < 4+unix.NLMSG_HDRLEN {
			return e
		}
		if m.Header.Flags&nlmCapped != 0 {
			off += unix.NLMSG_HDRLEN
		} else {
			l := int(binary.NativeEndian.Uint32(m.Data[4:]))
			off += (l + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		}
	}
	if off > len(m.Data) {
		return e
	}
	ad, err := netlink.NewAttributeDecoder(m.Data[off:])
	if err != nil {
		return e
	}
	for ad.Next() {
		if ad.Type() == unix.NLMSGERR_ATTR_MSG {
			e.hint = ad.String()
		}
	}
	return e // malformed attributes after a valid errno are not an error of their own
}
