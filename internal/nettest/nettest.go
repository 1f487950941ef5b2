package nettest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/mdlayher/socket"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/probe"
	"golang.org/x/sys/unix"
)

// Ping sends ICMP echo requests from ns (nil: the calling thread's
// namespace) to dst until one is answered or timeout has passed. It
// returns nil only if an echo reply came from dst. A request is repeated
// every half second at most, so a first packet lost while a just-created
// link finishes coming up (carrier reaches a veth asynchronously) does not
// fail the check; a short timeout means a single request.
func Ping(ns *nsutil.NetNS, dst netip.Addr, timeout time.Duration) error {
	var f *os.File
	if ns != nil {
		f = ns.File()
	}
	per := min(timeout, 500*time.Millisecond)
	deadline := time.Now().Add(timeout)
	for {
		start := time.Now()
		err := pingOnce(f, dst, per)
		// An unreachable network is refused by sendto at once: the next
		// request waits for its turn instead of spinning until the deadline.
		next := start.Add(per)
		if now := time.Now(); now.After(next) {
			next = now
		}
		if err == nil || next.Add(per).After(deadline) {
			if err != nil && per < timeout {
				return fmt.Errorf("%w (repeated for %v)", err, timeout)
			}
			return err
		}
		time.Sleep(time.Until(next))
	}
}

// pingOnce sends one echo request and waits up to timeout for its reply.
func pingOnce(f *os.File, dst netip.Addr, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Second)
	defer cancel()
	var icmpErr string
	st, err := probe.Ping(ctx, f, dst, probe.PingOptions{Count: 1, Timeout: timeout}, func(r probe.Reply) {
		if r.Error != "" {
			icmpErr = r.Error
		}
	})
	switch {
	case err != nil:
		return err
	case st.Received > 0:
		return nil
	case icmpErr != "":
		return fmt.Errorf("ping %s: %s", dst, icmpErr)
	}
	return fmt.Errorf("ping %s: no reply within %v", dst, timeout)
}

// A Server is a TCP server inside a namespace that sends its greeting to
// every client and closes the connection.
type Server struct {
	l    *socket.Conn
	done chan struct{}
}

// Serve starts a Server listening on addr ("192.168.15.2:80", ":80")
// inside ns (nil: the calling thread's namespace).
func Serve(ns *nsutil.NetNS, addr, greeting string) (*Server, error) {
	la, err := tcpAddr(addr)
	if err != nil {
		return nil, err
	}
	var l *socket.Conn
	listen := func() error {
		var err error
		l, err = listenTCP(la)
		return err
	}
	if ns != nil {
		err = ns.Do(listen)
	} else {
		err = listen()
	}
	if err != nil {
		return nil, fmt.Errorf("listen tcp %s: %w", addr, err)
	}
	s := &Server{l: l, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			c, _, err := l.Accept(context.Background(), 0)
			if errors.Is(err, unix.ECONNABORTED) || errors.Is(err, unix.EINTR) {
				continue // the client went away before accept: next one (as net's Accept does)
			}
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			_, _ = io.WriteString(c, greeting)
			_ = c.Close()
		}
	}()
	return s, nil
}

// Close stops the server and waits for its goroutine.
func (s *Server) Close() error {
	err := s.l.Close()
	<-s.done
	return err
}

// Get connects from ns (nil: the calling thread's namespace) to addr and
// returns what the server sent before closing, within timeout.
func Get(ns *nsutil.NetNS, addr string, timeout time.Duration) (string, error) {
	ra, err := tcpAddr(addr)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var c *socket.Conn
	dial := func() error {
		var err error
		c, err = dialTCP(ctx, ra)
		return err
	}
	if ns != nil {
		err = ns.Do(dial)
	} else {
		err = dial()
	}
	if err != nil {
		return "", fmt.Errorf("dial tcp %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, io.EOF) {
		return string(b), err
	}
	return string(b), nil
}

// The sockets are mdlayher/socket's, over the runtime's poller like
// net's (deadlines, contexts, Close waking a blocked Accept), instead of
// net.TCPListener and net.TCPConn: those link net's TCP machinery
// (sendfile, splice, keep-alive, the dialer), 150 KB of the static
// binary, for one greeting per `nsnet demo`.

// listenTCP is net.ListenTCP("tcp", a) for a literal address: with no
// address, every address of both families (an IPv6 socket that also
// takes IPv4, or IPv4 alone where the kernel has no IPv6); SO_REUSEADDR
// and the largest backlog the kernel allows (somaxconn), as net sets.
func listenTCP(a netip.AddrPort) (*socket.Conn, error) {
	c, sa, err := tcpSocket(a)
	if err != nil {
		return nil, err
	}
	if err = c.SetsockoptInt(unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err == nil {
		if err = c.Bind(sa); err == nil {
			err = c.Listen(math.MaxInt32) // listen(2) lowers it to net.core.somaxconn
		}
	}
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// dialTCP connects to a within ctx; with no address, to this host (the
// kernel takes the unspecified address as the local one, as net does).
func dialTCP(ctx context.Context, a netip.AddrPort) (*socket.Conn, error) {
	c, sa, err := tcpSocket(a)
	if err != nil {
		return nil, err
	}
	if _, err := c.Connect(ctx, sa); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// tcpSocket opens a non-blocking TCP socket of a's family and returns it
// with a as its socket address. An IPv4-mapped IPv6 address is IPv4, and
// no address is IPv6's unspecified one taking IPv4 as well (IPv4's where
// the kernel has no IPv6), as net chooses.
func tcpSocket(a netip.AddrPort) (*socket.Conn, unix.Sockaddr, error) {
	ip := a.Addr().Unmap()
	if ip.Is4() {
		c, err := socket.Socket(unix.AF_INET, unix.SOCK_STREAM, 0, "tcp", nil)
		return c, &unix.SockaddrInet4{Port: int(a.Port()), Addr: ip.As4()}, err
	}
	c, err := socket.Socket(unix.AF_INET6, unix.SOCK_STREAM, 0, "tcp", nil)
	if errors.Is(err, unix.EAFNOSUPPORT) && !ip.IsValid() {
		c, err = socket.Socket(unix.AF_INET, unix.SOCK_STREAM, 0, "tcp", nil)
		return c, &unix.SockaddrInet4{Port: int(a.Port())}, err
	}
	if err != nil {
		return nil, nil, err
	}
	sa := &unix.SockaddrInet6{Port: int(a.Port())}
	switch {
	case !ip.IsValid():
		err = c.SetsockoptInt(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0)
	case ip.Zone() != "":
		sa.Addr = ip.As16()
		sa.ZoneId, err = zoneIndex(c, ip.Zone())
	default:
		sa.Addr = ip.As16()
	}
	if err != nil {
		_ = c.Close()
		return nil, nil, err
	}
	return c, sa, nil
}

// zoneIndex is the index of the interface an address's zone names, looked
// up in the namespace of c (SIOCGIFINDEX), or the zone's number, as net
// takes a zone.
func zoneIndex(c *socket.Conn, zone string) (uint32, error) {
	if ifr, err := unix.NewIfreq(zone); err == nil {
		rc, err := c.SyscallConn()
		var ierr error
		if err == nil {
			err = rc.Control(func(fd uintptr) { ierr = unix.IoctlIfreq(int(fd), unix.SIOCGIFINDEX, ifr) })
		}
		if err == nil && ierr == nil {
			return ifr.Uint32(), nil
		}
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	return 0, fmt.Errorf("zone %q: no such interface", zone)
}

// tcpAddr parses "IP:PORT", or ":PORT" (no address: every address, for
// listening). Addresses are
// literal: Serve and Get never resolve names, which keeps Go's DNS
// resolver (~200 KB) out of the nsnet binary that links this package for
// `nsnet demo`.
func tcpAddr(s string) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return netip.AddrPort{}, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("address %q: bad port %q", s, port)
	}
	var ip netip.Addr
	if host != "" {
		if ip, err = netip.ParseAddr(host); err != nil {
			return netip.AddrPort{}, fmt.Errorf("address %q: %q is not an IP address", s, host)
		}
	}
	return netip.AddrPortFrom(ip, uint16(p)), nil
}
