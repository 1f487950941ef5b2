package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/mdlayher/socket"
	"golang.org/x/sys/unix"
)

// icmpFilterEchoReplyOnly is the ICMP_FILTER mask (raw(7): a set bit drops
// that type) that passes echo replies only, as the int32 setsockopt takes.
const icmpFilterEchoReplyOnly = ^(1 << icmpEchoReply)

// pingConn is one ICMP socket created inside the namespace it probes from.
type pingConn struct {
	c   *socket.Conn
	v6  bool
	raw bool   // SOCK_RAW: we filter replies by ID; SOCK_DGRAM: the kernel does
	id  uint16 // identifier sent; a ping socket replaces it with its own
	to  unix.Sockaddr
}

// dialNS creates a socket inside ns (nil: the calling thread's namespace).
// mdlayher/socket does the thread work: a locked thread joins ns, creates
// the socket and goes back, or dies if it cannot (STYLE R6). A socket keeps
// the namespace it was created in, so nothing after this switches threads.
func dialNS(ns *os.File, domain, typ, proto int, name string) (*socket.Conn, error) {
	cfg := &socket.Config{}
	if ns != nil {
		cfg.NetNS = int(ns.Fd())
	}
	c, err := socket.Socket(domain, typ, proto, name, cfg)
	runtime.KeepAlive(ns) // the fd must stay open until the socket exists
	return c, err
}

// dialPing opens an unprivileged ping socket (SOCK_DGRAM, allowed by
// net.ipv4.ping_group_range, which is "1 0", i.e. nobody, in a new
// namespace) or, failing that, a raw ICMP socket (CAP_NET_RAW).
func dialPing(ns *os.File, dst netip.Addr, ttl int) (*pingConn, error) {
	p := &pingConn{v6: dst.Is6() && !dst.Is4In6()}
	domain, proto := unix.AF_INET, unix.IPPROTO_ICMP
	if p.v6 {
		domain, proto = unix.AF_INET6, unix.IPPROTO_ICMPV6
	}
	c, err := dialNS(ns, domain, unix.SOCK_DGRAM, proto, "ping")
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
		var rerr error
		c, rerr = dialNS(ns, domain, unix.SOCK_RAW, proto, "ping")
		if rerr != nil {
			return nil, fmt.Errorf("probe: ping socket: %w (ping sockets: %w; raw sockets need CAP_NET_RAW)", rerr, err)
		}
		p.raw = true
	} else if err != nil {
		return nil, fmt.Errorf("probe: ping socket: %w", err)
	}
	p.c = c
	if err := p.setup(dst, ttl); err != nil {
		_ = c.Close()
		return nil, err
	}
	return p, nil
}

// setup sets the socket options and the destination address.
func (p *pingConn) setup(dst netip.Addr, ttl int) error {
	p.id = uint16(rand.N(1 << 16))
	type opt struct {
		level, name, value int
		what               string
	}
	var opts []opt
	if p.v6 {
		opts = append(opts,
			opt{unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1, "IPV6_RECVERR"},
			opt{unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT"})
		if ttl > 0 {
			opts = append(opts, opt{unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS"})
		}
	} else {
		opts = append(opts,
			opt{unix.IPPROTO_IP, unix.IP_RECVERR, 1, "IP_RECVERR"},
			opt{unix.IPPROTO_IP, unix.IP_RECVTTL, 1, "IP_RECVTTL"})
		if ttl > 0 {
			opts = append(opts, opt{unix.IPPROTO_IP, unix.IP_TTL, ttl, "IP_TTL"})
		}
		if p.raw {
			// ICMP_FILTER (raw(7)): a set bit drops that type. Keep echo
			// replies only; errors come through the error queue.
			opts = append(opts, opt{unix.SOL_RAW, unix.ICMP_FILTER, icmpFilterEchoReplyOnly, "ICMP_FILTER"})
		}
	}
	for _, o := range opts {
		if err := p.c.SetsockoptInt(o.level, o.name, o.value); err != nil {
			return fmt.Errorf("probe: setsockopt %s: %w", o.what, err)
		}
	}
	if p.v6 && p.raw {
		var f unix.ICMPv6Filter // ICMP6_FILTER (RFC 3542 §3.2): block all but echo replies
		for i := range f.Data {
			f.Data[i] = ^uint32(0)
		}
		f.Data[icmp6EchoReply>>5] &^= 1 << (icmp6EchoReply & 31)
		if err := p.c.SetsockoptICMPv6Filter(unix.IPPROTO_ICMPV6, unix.ICMPV6_FILTER, &f); err != nil {
			return fmt.Errorf("probe: setsockopt ICMP6_FILTER: %w", err)
		}
	}
	if !p.v6 {
		p.to = &unix.SockaddrInet4{Addr: dst.Unmap().As4()}
		return nil
	}
	sa := &unix.SockaddrInet6{Addr: dst.As16()}
	if z := dst.Zone(); z != "" {
		idx, err := p.zoneIndex(z)
		if err != nil {
			return err
		}
		sa.ZoneId = idx
	}
	p.to = sa
	return nil
}

// zoneIndex resolves an IPv6 zone (an interface name or index) inside the
// socket's namespace: SIOCGIFINDEX on a socket looks in the socket's netns.
func (p *pingConn) zoneIndex(zone string) (uint32, error) {
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	idx, err := ifIndex(p.c, zone)
	if err != nil {
		return 0, fmt.Errorf("probe: zone %q: %w", zone, err)
	}
	return idx, nil
}

// ifIndex is SIOCGIFINDEX for dev, asked through c.
func ifIndex(c *socket.Conn, dev string) (uint32, error) {
	ifr, err := unix.NewIfreq(dev)
	if err != nil {
		return 0, err
	}
	if err := ioctl(c, unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, err
	}
	return ifr.Uint32(), nil
}

// ioctl runs an interface ioctl on c's descriptor.
func ioctl(c *socket.Conn, req uint, ifr *unix.Ifreq) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) { ierr = unix.IoctlIfreq(int(fd), req, ifr) }); err != nil {
		return err
	}
	if ierr != nil {
		return os.NewSyscallError("ioctl", ierr)
	}
	return nil
}

func (p *pingConn) Close() error { return p.c.Close() }

// send writes one echo request.
func (p *pingConn) send(ctx context.Context, seq uint16, data []byte) error {
	return p.c.Sendto(ctx, encodeRequest(p.v6, p.id, seq, data), 0, p.to)
}

// event is what the reader found: an echo reply or an error-queue entry.
type event struct {
	Seq  uint16
	At   time.Time
	From netip.Addr
	TTL  int
	Size int      // ICMP bytes
	Err  *recvErr // non-nil: an ICMP error or local error about request Seq
	Fail error    // the socket failed; the reader has stopped
}

// readLoop reads replies and error-queue entries until ctx is done, and
// sends them to out.
func (p *pingConn) readLoop(ctx context.Context, out chan<- event) {
	buf := make([]byte, 65536)
	oob := make([]byte, 512)
	emit := func(ev event) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		if !p.drainErrors(ctx, buf, oob, emit) {
			return
		}
		n, oobn, _, from, err := p.c.Recvmsg(ctx, buf, oob, 0)
		at := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if softError(err) {
				// sk_err from an ICMP error (EHOSTUNREACH, ...): the
				// details wait in the error queue, drained above.
				continue
			}
			emit(event{Fail: err})
			return
		}
		ev, ok := p.decode(buf[:n], oob[:oobn], from)
		if !ok {
			continue
		}
		ev.At = at
		if !emit(ev) {
			return
		}
	}
}

// decode turns one datagram into an event; ok is false for anything that
// is not an echo reply to this socket.
func (p *pingConn) decode(b, oob []byte, from unix.Sockaddr) (event, bool) {
	ctl, err := parseControl(oob)
	if err != nil {
		return event{}, false
	}
	ttl := ctl.TTL
	if p.raw && !p.v6 {
		if b, ttl, err = stripIPv4(b); err != nil {
			return event{}, false
		}
	}
	var e echo
	if err := e.unmarshal(b); err != nil {
		return event{}, false
	}
	want := uint8(icmpEchoReply)
	if p.v6 {
		want = icmp6EchoReply
	}
	if e.Type != want || e.Code != 0 || (p.raw && e.ID != p.id) {
		return event{}, false
	}
	return event{Seq: e.Seq, From: sockaddrAddr(from), TTL: ttl, Size: len(b)}, true
}

// drainErrors reads the error queue without blocking (MSG_ERRQUEUE |
// MSG_DONTWAIT on the raw descriptor: socket.Conn would wait for more).
func (p *pingConn) drainErrors(ctx context.Context, buf, oob []byte, emit func(event) bool) bool {
	rc, err := p.c.SyscallConn()
	if err != nil {
		return emit(event{Fail: err})
	}
	for ctx.Err() == nil {
		var (
			n, oobn int
			rerr    error
		)
		if err := rc.Control(func(fd uintptr) {
			n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		}); err != nil {
			return emit(event{Fail: err})
		}
		if rerr != nil { // EAGAIN: empty
			return true
		}
		at := time.Now()
		ctl, err := parseControl(oob[:oobn])
		if err != nil || ctl.RecvEr == nil {
			continue
		}
		var e echo // the request this error is about, from its ICMP header
		if e.unmarshal(buf[:n]) != nil {
			continue
		}
		want := uint8(icmpEchoRequest)
		if p.v6 {
			want = icmp6EchoRequest
		}
		if e.Type != want || (p.raw && e.ID != p.id) {
			continue
		}
		if !emit(event{Seq: e.Seq, At: at, From: ctl.RecvEr.Offender, Err: ctl.RecvEr}) {
			return false
		}
	}
	return false
}

// sockaddrAddr is the IP address of sa, or the zero Addr.
func sockaddrAddr(sa unix.Sockaddr) netip.Addr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(sa.Addr)
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(sa.Addr)
	}
	return netip.Addr{}
}

// softError reports whether err is one that an ICMP error sets on the
// socket (sk_err, see icmp_err_convert and icmpv6_err_convert): it is
// reported once, the details are in the error queue, and the socket is fine.
func softError(err error) bool {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return false
	}
	switch errno {
	case unix.ENETUNREACH, unix.EHOSTUNREACH, unix.ENOPROTOOPT, unix.ECONNREFUSED,
		unix.EMSGSIZE, unix.EOPNOTSUPP, unix.EACCES, unix.EPROTO, unix.EHOSTDOWN, unix.ENONET:
		return true
	}
	return false
}
