package nettest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/probe"
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
	l    net.Listener
	done chan struct{}
}

// Serve starts a Server listening on addr ("192.168.15.2:80", ":80")
// inside ns (nil: the calling thread's namespace).
func Serve(ns *nsutil.NetNS, addr, greeting string) (*Server, error) {
	la, err := tcpAddr(addr)
	if err != nil {
		return nil, err
	}
	var l net.Listener
	listen := func() error {
		var err error
		l, err = net.ListenTCP("tcp", net.TCPAddrFromAddrPort(la))
		return err
	}
	if ns != nil {
		err = ns.Do(listen)
	} else {
		err = listen()
	}
	if err != nil {
		return nil, err
	}
	s := &Server{l: l, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			c, err := l.Accept()
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
	var c net.Conn
	dial := func() error {
		var err error
		c, err = new(net.Dialer).DialTCP(ctx, "tcp", netip.AddrPort{}, ra)
		return err
	}
	if ns != nil {
		err = ns.Do(dial)
	} else {
		err = dial()
	}
	if err != nil {
		return "", err
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
