package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/socket"
	"golang.org/x/sys/unix"
)

// ErrNoReply is returned by Resolve when nobody answered.
var ErrNoReply = errors.New("no ARP reply")

// ArpingOptions are arping's options. Zero fields take iputils' defaults.
type ArpingOptions struct {
	Count     int           // -c: requests to send; 0 sends until ctx is done or Deadline
	Interval  time.Duration // -i: between requests, and the wait after the last; 0 = DefaultInterval
	Deadline  time.Duration // -w: stop after this long; 0 = no limit
	Source    netip.Addr    // -s: sender IPv4 address; zero = the interface's primary address
	Broadcast bool          // -b: keep broadcasting instead of unicasting to the MAC that answered
	First     bool          // -f: stop at the first reply
	// To sends every request to this hardware address instead of
	// broadcasting (a unicast probe, as the kernel's NUD_PROBE sends):
	// only the station with that address hears it. nil = broadcast.
	To net.HardwareAddr
}

// An ARPReply is one answer from the probed address.
type ARPReply struct {
	IP        netip.Addr       // sender protocol address: the address probed
	MAC       net.HardwareAddr // sender hardware address: who has it
	RTT       time.Duration    // since the last request was sent
	Broadcast bool             // it came in a broadcast or multicast frame
	Request   bool             // it was an ARP request from that address, not a reply
}

// ArpingStats sums up one Arping, with the fields of arping's summary.
type ArpingStats struct {
	Dst              netip.Addr
	Src              netip.Addr // the sender address used
	Dev              string
	Sent             int // requests sent
	Broadcasts       int // of which broadcast (the rest were unicast to the MAC that answered)
	Received         int // answers
	Requests         int // of which ARP requests
	BroadcastReplies int // of which broadcast frames
}

// An ARPConn is a packet socket (packet(7), SOCK_DGRAM, ETH_P_ARP) bound to
// one interface of one network namespace. Its methods must not be used
// concurrently.
type ARPConn struct {
	c     *socket.Conn
	dev   string
	index int
	mac   net.HardwareAddr
	bcast [8]byte
	src   netip.Addr
}

// DialARP opens a packet socket inside ns (nil: the calling thread's
// namespace) on interface dev, which must be up, do ARP, and (unless a
// source is passed to Arping) have an IPv4 address.
//
// mdlayher/arp's Dial cannot be used as is: packet.Listen creates its
// socket in the calling thread's namespace, and arp.New reads the
// interface's addresses the same way. So the socket is created inside ns by
// mdlayher/socket (Config.NetNS), and the interface is then asked about
// through ioctls on that socket, which the kernel answers from the socket's
// namespace. mdlayher/arp encodes and decodes the ARP packets.
func DialARP(ns *os.File, dev string) (*ARPConn, error) {
	c, err := dialNS(ns, unix.AF_PACKET, unix.SOCK_DGRAM, 0, "arping")
	if err != nil {
		return nil, fmt.Errorf("probe: arping: packet socket: %w", err)
	}
	a := &ARPConn{c: c, dev: dev}
	if err := a.setup(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("probe: arping %s: %w", dev, err)
	}
	return a, nil
}

func (a *ARPConn) setup() error {
	idx, err := ifIndex(a.c, a.dev)
	if err != nil {
		return err
	}
	a.index = int(idx)
	ifr, err := unix.NewIfreq(a.dev)
	if err != nil {
		return err
	}
	if err := ioctl(a.c, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	flags := ifr.Uint16()
	if flags&unix.IFF_UP == 0 {
		return errors.New("interface is down")
	}
	if flags&(unix.IFF_NOARP|unix.IFF_LOOPBACK) != 0 {
		return errors.New("interface does not do ARP")
	}
	if err := a.c.Bind(&unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: a.index}); err != nil {
		return err
	}
	sa, err := a.c.Getsockname()
	if err != nil {
		return err
	}
	ll, ok := sa.(*unix.SockaddrLinklayer)
	if !ok || ll.Halen != 6 {
		return errors.New("not an Ethernet-like interface (hardware address length is not 6)")
	}
	a.mac = net.HardwareAddr(bytes.Clone(ll.Addr[:ll.Halen]))
	for i := range int(ll.Halen) {
		a.bcast[i] = 0xff
	}
	// SIOCGIFADDR: the interface's primary IPv4 address. None is fine if
	// the caller passes a source.
	if err := ioctl(a.c, unix.SIOCGIFADDR, ifr); err == nil {
		if b, err := ifr.Inet4Addr(); err == nil {
			a.src = netip.AddrFrom4([4]byte(b))
		}
	} else if !errors.Is(err, unix.EADDRNOTAVAIL) {
		return err
	}
	return nil
}

// Close closes the socket.
func (a *ARPConn) Close() error { return a.c.Close() }

// Addr is the interface's primary IPv4 address (invalid if it has none).
func (a *ARPConn) Addr() netip.Addr { return a.src }

// HardwareAddr is the interface's MAC address.
func (a *ARPConn) HardwareAddr() net.HardwareAddr { return a.mac }

// Arping sends ARP requests for dst from interface dev inside ns, as
// iputils arping does, calling onReply (if not nil) for each answer. See
// ARPConn.Arping.
func Arping(ctx context.Context, ns *os.File, dev string, dst netip.Addr, opts ArpingOptions, onReply func(ARPReply)) (ArpingStats, error) {
	a, err := DialARP(ns, dev)
	if err != nil {
		return ArpingStats{Dst: dst, Dev: dev}, err
	}
	defer a.Close()
	return a.Arping(ctx, dst, opts, onReply)
}

// Resolve asks once a second, up to three times, who has ip on dev inside
// ns, and returns the first MAC address that answers, or an error wrapping
// ErrNoReply. ctx bounds the wait further. The doctor uses it to check
// that a gateway answers ARP.
func Resolve(ctx context.Context, ns *os.File, dev string, ip netip.Addr) (net.HardwareAddr, error) {
	a, err := DialARP(ns, dev)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return a.Resolve(ctx, ip)
}

// ResolveAt is Resolve with the requests sent to the hardware address
// mac only, not broadcast: it checks that the station expected to have ip
// answers for it, without making every station of a large segment (a
// bridge with a thousand ports) receive the request.
func ResolveAt(ctx context.Context, ns *os.File, dev string, ip netip.Addr, mac net.HardwareAddr) (net.HardwareAddr, error) {
	a, err := DialARP(ns, dev)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return a.resolve(ctx, ip, mac)
}

// Resolve is the package-level Resolve on an open ARPConn.
func (a *ARPConn) Resolve(ctx context.Context, ip netip.Addr) (net.HardwareAddr, error) {
	return a.resolve(ctx, ip, nil)
}

// resolve asks up to three times who has ip, broadcast or (to not nil)
// unicast to to.
func (a *ARPConn) resolve(ctx context.Context, ip netip.Addr, to net.HardwareAddr) (net.HardwareAddr, error) {
	var mac net.HardwareAddr
	_, err := a.Arping(ctx, ip, ArpingOptions{Count: 3, First: true, Broadcast: to == nil, To: to}, func(r ARPReply) {
		if mac == nil {
			mac = r.MAC
		}
	})
	if err != nil {
		return nil, err
	}
	if mac == nil {
		return nil, fmt.Errorf("probe: arping %s on %s: %w", ip, a.dev, ErrNoReply)
	}
	return mac, nil
}

// Arping sends a request for dst every Interval, broadcast until someone
// answers and then unicast to that MAC (unless Broadcast), and reports the
// answers. It returns after Count requests and one more Interval, or
// earlier once Count answers (or, with First, one) have come, when Deadline
// has passed, or when ctx is done; then the error is nil whatever was
// received. Unlike iputils, it stops as soon as Count answers are in.
func (a *ARPConn) Arping(ctx context.Context, dst netip.Addr, opts ArpingOptions, onReply func(ARPReply)) (ArpingStats, error) {
	st := ArpingStats{Dst: dst, Dev: a.dev, Src: opts.Source}
	if !st.Src.IsValid() {
		st.Src = a.src
	}
	switch {
	case !dst.Is4():
		return st, fmt.Errorf("probe: arping: %v is not an IPv4 address", dst)
	case !st.Src.Is4():
		return st, fmt.Errorf("probe: arping %s: no IPv4 address to send from (give a source)", a.dev)
	case opts.Count < 0 || opts.Interval < 0 || opts.Deadline < 0:
		return st, fmt.Errorf("probe: arping: invalid options %+v", opts)
	case opts.To != nil && len(opts.To) != len(a.mac):
		return st, fmt.Errorf("probe: arping: %v is not a hardware address of %s's length", opts.To, a.dev)
	}
	interval := opts.Interval
	if interval == 0 {
		interval = DefaultInterval
	}
	if opts.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Deadline)
		defer cancel()
	}
	readCtx, stopReader := context.WithCancel(ctx)
	frames := make(chan arpFrame)
	var wg sync.WaitGroup
	wg.Go(func() { a.readLoop(readCtx, frames) })
	defer wg.Wait()
	defer stopReader()

	to := a.bcast // the next request's link-layer destination
	unicast := false
	if opts.To != nil {
		copy(to[:], opts.To)
		unicast = true
	}
	var last time.Time
	sendTimer := time.NewTimer(0)
	defer sendTimer.Stop()
	var lingerC <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return st, nil
		case <-lingerC:
			return st, nil
		case <-sendTimer.C:
			at := time.Now() // before: the reply may be read before send returns
			if err := a.send(ctx, st.Src, dst, to); err != nil {
				if ctx.Err() != nil {
					return st, nil
				}
				return st, fmt.Errorf("probe: arping %s on %s: %w", dst, a.dev, err)
			}
			last = at
			st.Sent++
			if !unicast {
				st.Broadcasts++
			}
			if opts.Count > 0 && st.Sent >= opts.Count {
				lingerC = time.After(interval)
			} else {
				sendTimer.Reset(interval)
			}
		case f := <-frames:
			if f.err != nil {
				return st, fmt.Errorf("probe: arping %s on %s: read: %w", dst, a.dev, f.err)
			}
			r, ok := parseARP(f.b, f.pkttype, dst, st.Src, a.mac)
			if !ok || last.IsZero() {
				continue
			}
			r.RTT = max(f.at.Sub(last), 0)
			st.Received++
			if r.Request {
				st.Requests++
			}
			if r.Broadcast {
				st.BroadcastReplies++
			}
			if onReply != nil {
				onReply(r)
			}
			if opts.First || (opts.Count > 0 && st.Received >= opts.Count) {
				return st, nil
			}
			if !opts.Broadcast && !unicast {
				unicast = true
				copy(to[:], r.MAC)
			}
		}
	}
}

// send writes one ARP request for dst from src to the link-layer address to.
func (a *ARPConn) send(ctx context.Context, src, dst netip.Addr, to [8]byte) error {
	p, err := arp.NewPacket(arp.OperationRequest, a.mac, src, net.HardwareAddr(to[:len(a.mac)]), dst)
	if err != nil {
		return err
	}
	b, err := p.MarshalBinary()
	if err != nil {
		return err
	}
	return a.c.Sendto(ctx, b, 0, &unix.SockaddrLinklayer{
		Protocol: htons(unix.ETH_P_ARP),
		Ifindex:  a.index,
		Halen:    uint8(len(a.mac)),
		Addr:     to,
	})
}

// arpFrame is one frame read, or the read error that stopped the reader.
type arpFrame struct {
	b       []byte
	pkttype uint8
	at      time.Time
	err     error
}

func (a *ARPConn) readLoop(ctx context.Context, out chan<- arpFrame) {
	buf := make([]byte, 4096)
	for {
		n, from, err := a.c.Recvfrom(ctx, buf, 0)
		f := arpFrame{at: time.Now(), err: err}
		if err != nil && ctx.Err() != nil {
			return
		}
		if err == nil {
			f.b = bytes.Clone(buf[:n])
			if ll, ok := from.(*unix.SockaddrLinklayer); ok {
				f.pkttype = ll.Pkttype
			}
		}
		select {
		case out <- f:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// parseARP decodes an ARP packet and keeps it only if it answers our
// request, with iputils arping's checks (recv_pack): a frame for us or
// broadcast/multicast, a request or reply about IPv4 over Ethernet-sized
// addresses, sent by dst, to src at our MAC address.
func parseARP(b []byte, pkttype uint8, dst, src netip.Addr, me net.HardwareAddr) (ARPReply, bool) {
	switch pkttype {
	case unix.PACKET_HOST, unix.PACKET_BROADCAST, unix.PACKET_MULTICAST:
	default:
		return ARPReply{}, false
	}
	var p arp.Packet
	if err := p.UnmarshalBinary(b); err != nil {
		return ARPReply{}, false
	}
	switch {
	case p.Operation != arp.OperationRequest && p.Operation != arp.OperationReply,
		p.HardwareType != 1, // ARPHRD_ETHER
		p.ProtocolType != unix.ETH_P_IP,
		p.IPLength != 4,
		int(p.HardwareAddrLength) != len(me),
		p.SenderIP != dst,
		p.TargetIP != src,
		!bytes.Equal(p.TargetHardwareAddr, me):
		return ARPReply{}, false
	}
	return ARPReply{
		IP:        p.SenderIP,
		MAC:       p.SenderHardwareAddr,
		Broadcast: pkttype != unix.PACKET_HOST,
		Request:   p.Operation == arp.OperationRequest,
	}, true
}

// htons converts a 16-bit protocol number to network byte order, as
// sockaddr_ll's sll_protocol wants it (packet(7)).
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}
