package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// This file is the raw-syscall floor's own netlink code: a socket, an
// append-only message builder and an ACK reader, written against
// rtnetlink(7) with nothing but x/sys/unix. It exists so the floor row
// measures the kernel, not a library; it is deliberately minimal.

const (
	vethInfoPeer       = 1 // VETH_INFO_PEER, include/uapi/linux/veth.h
	ifla6AddrGenMode   = 8 // IFLA_INET6_ADDR_GEN_MODE, include/uapi/linux/if_link.h
	in6AddrGenModeNone = 1 // IN6_ADDR_GEN_MODE_NONE
	nlaFNested         = unix.NLA_F_NESTED
	reqFlags           = unix.NLM_F_REQUEST | unix.NLM_F_ACK
	createFlags        = reqFlags | unix.NLM_F_CREATE | unix.NLM_F_EXCL
	nlmsgHdrLen        = unix.SizeofNlMsghdr
	ackBufSize         = 1 << 16
)

// nlSock is a NETLINK_ROUTE socket. The namespace it serves is the one of
// the thread that created it, for its whole life.
type nlSock struct {
	fd  int
	seq uint32
	rb  []byte
}

func openNL() (*nlSock, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	// Strict checking lets a dump be filtered by the kernel.
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1)
	return &nlSock{fd: fd, rb: make([]byte, ackBufSize)}, nil
}

func (s *nlSock) Close() error { return unix.Close(s.fd) }

// msg is one netlink message under construction.
type msg struct{ b []byte }

func newMsg(typ, flags uint16) *msg {
	m := &msg{b: make([]byte, nlmsgHdrLen, 256)}
	binary.NativeEndian.PutUint16(m.b[4:], typ)
	binary.NativeEndian.PutUint16(m.b[6:], flags)
	return m
}

func (m *msg) pad() {
	for len(m.b)%4 != 0 {
		m.b = append(m.b, 0)
	}
}

// ifinfo appends struct ifinfomsg.
func (m *msg) ifinfo(index int32, flags, change uint32) {
	var h [unix.SizeofIfInfomsg]byte
	h[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(h[4:], uint32(index))
	binary.NativeEndian.PutUint32(h[8:], flags)
	binary.NativeEndian.PutUint32(h[12:], change)
	m.b = append(m.b, h[:]...)
}

func (m *msg) attr(typ uint16, data []byte) {
	var h [4]byte
	binary.NativeEndian.PutUint16(h[0:], uint16(4+len(data)))
	binary.NativeEndian.PutUint16(h[2:], typ)
	m.b = append(m.b, h[:]...)
	m.b = append(m.b, data...)
	m.pad()
}

func (m *msg) u32(typ uint16, v uint32) {
	var d [4]byte
	binary.NativeEndian.PutUint32(d[:], v)
	m.attr(typ, d[:])
}

func (m *msg) str(typ uint16, s string) { m.attr(typ, append([]byte(s), 0)) }

// nest opens a nested attribute and returns where it starts, for end.
func (m *msg) nest(typ uint16) int {
	at := len(m.b)
	m.attr(typ|nlaFNested, nil)
	return at
}

func (m *msg) end(at int) {
	binary.NativeEndian.PutUint16(m.b[at:], uint16(len(m.b)-at))
}

// noIPv6LinkLocal appends IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE none } }:
// the link gets no link-local address, hence no DAD and no MLD reports.
func (m *msg) noIPv6LinkLocal() {
	af := m.nest(unix.IFLA_AF_SPEC)
	in6 := m.nest(unix.AF_INET6)
	m.attr(ifla6AddrGenMode, []byte{in6AddrGenModeNone})
	m.end(in6)
	m.end(af)
}

// send writes all messages in one write(2) and reads one ACK per message.
// It returns the first error the kernel reported, naming the request.
func (s *nlSock) send(names []string, ms ...*msg) error {
	var buf []byte
	first := s.seq + 1
	for _, m := range ms {
		s.seq++
		binary.NativeEndian.PutUint32(m.b[0:], uint32(len(m.b)))
		binary.NativeEndian.PutUint32(m.b[8:], s.seq)
		buf = append(buf, m.b...)
	}
	if _, err := unix.Write(s.fd, buf); err != nil {
		return os.NewSyscallError("netlink write", err)
	}
	var errs []error
	for acked := 0; acked < len(ms); {
		n, _, err := unix.Recvfrom(s.fd, s.rb, 0)
		if err != nil {
			return os.NewSyscallError("netlink recv", err)
		}
		for b := s.rb[:n]; len(b) >= nlmsgHdrLen; {
			l := int(binary.NativeEndian.Uint32(b[0:]))
			if l < nlmsgHdrLen || l > len(b) {
				return errors.New("netlink: truncated message")
			}
			typ := binary.NativeEndian.Uint16(b[4:])
			seq := binary.NativeEndian.Uint32(b[8:])
			if typ == unix.NLMSG_ERROR && l >= nlmsgHdrLen+4 {
				acked++
				if e := int32(binary.NativeEndian.Uint32(b[nlmsgHdrLen:])); e != 0 {
					i := int(seq - first)
					name := "request"
					if i >= 0 && i < len(names) {
						name = names[i]
					}
					errs = append(errs, fmt.Errorf("%s: %w", name, unix.Errno(-e)))
				}
			}
			b = b[(l+3)&^3:]
			if len(b) < nlmsgHdrLen {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// countLinks dumps the links of the socket's namespace and counts them.
func (s *nlSock) countLinks() (int, error) {
	m := newMsg(unix.RTM_GETLINK, unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	m.ifinfo(0, 0, 0)
	s.seq++
	binary.NativeEndian.PutUint32(m.b[0:], uint32(len(m.b)))
	binary.NativeEndian.PutUint32(m.b[8:], s.seq)
	if _, err := unix.Write(s.fd, m.b); err != nil {
		return 0, os.NewSyscallError("netlink write", err)
	}
	count := 0
	for {
		n, _, err := unix.Recvfrom(s.fd, s.rb, 0)
		if err != nil {
			return 0, os.NewSyscallError("netlink recv", err)
		}
		for b := s.rb[:n]; len(b) >= nlmsgHdrLen; {
			l := int(binary.NativeEndian.Uint32(b[0:]))
			if l < nlmsgHdrLen || l > len(b) {
				return 0, errors.New("netlink: truncated message")
			}
			switch binary.NativeEndian.Uint16(b[4:]) {
			case unix.NLMSG_DONE:
				return count, nil
			case unix.NLMSG_ERROR:
				e := int32(binary.NativeEndian.Uint32(b[nlmsgHdrLen:]))
				return 0, fmt.Errorf("link dump: %w", unix.Errno(-e))
			case unix.RTM_NEWLINK:
				count++
			}
			b = b[(l+3)&^3:]
		}
	}
}

// linkUp builds RTM_NEWLINK setting IFF_UP on index.
func linkUp(index int32) *msg {
	m := newMsg(unix.RTM_NEWLINK, reqFlags)
	m.ifinfo(index, unix.IFF_UP, unix.IFF_UP)
	return m
}

// addrAdd builds RTM_NEWADDR for an IPv4 prefix on index, as `ip addr add` does.
func addrAdd(index int32, p netip.Prefix) *msg {
	m := newMsg(unix.RTM_NEWADDR, createFlags)
	var h [unix.SizeofIfAddrmsg]byte
	h[0] = unix.AF_INET
	h[1] = uint8(p.Bits())
	binary.NativeEndian.PutUint32(h[4:], uint32(index))
	m.b = append(m.b, h[:]...)
	a := p.Addr().As4()
	m.attr(unix.IFA_LOCAL, a[:])
	m.attr(unix.IFA_ADDRESS, a[:])
	return m
}

// defaultRoute builds RTM_NEWROUTE "default via gw dev index", as `ip route add` does.
func defaultRoute(index int32, gw netip.Addr) *msg {
	m := newMsg(unix.RTM_NEWROUTE, createFlags)
	var h [unix.SizeofRtMsg]byte
	h[0] = unix.AF_INET
	h[4] = unix.RT_TABLE_MAIN
	h[5] = unix.RTPROT_BOOT
	h[6] = unix.RT_SCOPE_UNIVERSE
	h[7] = unix.RTN_UNICAST
	m.b = append(m.b, h[:]...)
	g := gw.As4()
	m.attr(unix.RTA_GATEWAY, g[:])
	m.u32(unix.RTA_OIF, uint32(index))
	return m
}

// bridgeAdd builds RTM_NEWLINK creating an up bridge.
func bridgeAdd(name string) *msg {
	m := newMsg(unix.RTM_NEWLINK, createFlags)
	m.ifinfo(0, unix.IFF_UP, unix.IFF_UP)
	m.str(unix.IFLA_IFNAME, name)
	li := m.nest(unix.IFLA_LINKINFO)
	m.str(unix.IFLA_INFO_KIND, "bridge")
	m.end(li)
	return m
}

// linkDelByName builds RTM_DELLINK for a name.
func linkDelByName(name string) *msg {
	m := newMsg(unix.RTM_DELLINK, reqFlags)
	m.ifinfo(0, 0, 0)
	m.str(unix.IFLA_IFNAME, name)
	return m
}

// vethAdd builds the one RTM_NEWLINK of the floor: host end named host,
// enslaved to master and created up (unless down is set); peer named peer,
// born in the namespace nsfd refers to (down: an up peer fails with ENOTCONN).
//
// With oneQueue, both ends are created with one TX and one RX queue
// (IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES). Otherwise veth allocates
// num_possible_cpus() queues per end and veth_init_queues then shrinks the
// real count to 1 on the registered device, where
// netif_set_real_num_tx_queues waits in synchronize_net() (an expedited
// RCU grace period, under rtnl_lock) and removes the extra queues' sysfs
// objects: the same end state, at a measured ~270 µs per pair on 2 CPUs.
func vethAdd(host string, master int32, peer string, nsfd int, down, oneQueue bool) *msg {
	m := newMsg(unix.RTM_NEWLINK, createFlags)
	if down {
		m.ifinfo(0, 0, 0)
	} else {
		m.ifinfo(0, unix.IFF_UP, unix.IFF_UP)
	}
	m.str(unix.IFLA_IFNAME, host)
	m.u32(unix.IFLA_MASTER, uint32(master))
	if oneQueue {
		m.u32(unix.IFLA_NUM_TX_QUEUES, 1)
		m.u32(unix.IFLA_NUM_RX_QUEUES, 1)
	}
	li := m.nest(unix.IFLA_LINKINFO)
	m.str(unix.IFLA_INFO_KIND, "veth")
	data := m.nest(unix.IFLA_INFO_DATA)
	p := m.nest(vethInfoPeer)
	m.ifinfo(0, 0, 0)
	m.str(unix.IFLA_IFNAME, peer)
	m.u32(unix.IFLA_NET_NS_FD, uint32(nsfd))
	if oneQueue {
		m.u32(unix.IFLA_NUM_TX_QUEUES, 1)
		m.u32(unix.IFLA_NUM_RX_QUEUES, 1)
	}
	m.end(p)
	m.end(data)
	m.end(li)
	return m
}

// noIPv6Msg builds RTM_NEWLINK setting IFLA_INET6_ADDR_GEN_MODE none on a
// link (by index, or by name when index is 0). The kernel refuses this
// attribute when creating a link (EAFNOSUPPORT on 6.18), and applies flag
// changes before IFLA_AF_SPEC in do_setlink, so it is a message of its own,
// sent before the one that brings the link up.
func noIPv6Msg(index int32, name string) *msg {
	m := newMsg(unix.RTM_NEWLINK, reqFlags)
	m.ifinfo(index, 0, 0)
	if index == 0 {
		m.str(unix.IFLA_IFNAME, name)
	}
	m.noIPv6LinkLocal()
	return m
}

// linkUpByName builds RTM_NEWLINK setting IFF_UP on a link named name.
func linkUpByName(name string) *msg {
	m := newMsg(unix.RTM_NEWLINK, reqFlags)
	m.ifinfo(0, unix.IFF_UP, unix.IFF_UP)
	m.str(unix.IFLA_IFNAME, name)
	return m
}

// linkIndex asks the kernel for one link's index by name, without a dump.
func (s *nlSock) linkIndex(name string) (int32, error) {
	m := newMsg(unix.RTM_GETLINK, unix.NLM_F_REQUEST)
	m.ifinfo(0, 0, 0)
	m.str(unix.IFLA_IFNAME, name)
	s.seq++
	binary.NativeEndian.PutUint32(m.b[0:], uint32(len(m.b)))
	binary.NativeEndian.PutUint32(m.b[8:], s.seq)
	if _, err := unix.Write(s.fd, m.b); err != nil {
		return 0, os.NewSyscallError("netlink write", err)
	}
	n, _, err := unix.Recvfrom(s.fd, s.rb, 0)
	if err != nil {
		return 0, os.NewSyscallError("netlink recv", err)
	}
	b := s.rb[:n]
	if len(b) < nlmsgHdrLen+unix.SizeofIfInfomsg {
		return 0, errors.New("netlink: short reply")
	}
	switch binary.NativeEndian.Uint16(b[4:]) {
	case unix.NLMSG_ERROR:
		e := int32(binary.NativeEndian.Uint32(b[nlmsgHdrLen:]))
		return 0, fmt.Errorf("link %s: %w", name, unix.Errno(-e))
	case unix.RTM_NEWLINK:
		return int32(binary.NativeEndian.Uint32(b[nlmsgHdrLen+4:])), nil
	}
	return 0, errors.New("netlink: unexpected reply")
}
