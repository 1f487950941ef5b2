package rtnl

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"runtime"
	"strconv"
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

// extMaskSkipStats is IFLA_EXT_MASK = RTEXT_FILTER_SKIP_STATS: links are
// answered without their ~300 bytes of counters, which nothing here reads.
func extMaskSkipStats() RawAttr {
	return RawAttr{Type: unix.IFLA_EXT_MASK, Data: binary.NativeEndian.AppendUint32(nil, rtextFilterSkipStats)}
}

// Links returns every link of the namespace (RTM_GETLINK dump).
func (c *Conn) Links() ([]Link, error) {
	req := &Link{Unknown: []RawAttr{extMaskSkipStats()}}
	return dumpOf[Link](c, "link dump", unix.RTM_GETLINK, unix.RTM_NEWLINK, req, nil)
}

// LinkByName returns the link called name, asked for by name
// (RTM_GETLINK with IFLA_IFNAME), without a dump. A missing link is
// unix.ENODEV.
func (c *Conn) LinkByName(name string) (*Link, error) {
	return c.getLink("link show", name, &Link{Name: name, Unknown: []RawAttr{extMaskSkipStats()}})
}

// LinkByIndex returns the link with ifindex i. A missing link is
// unix.ENODEV.
func (c *Conn) LinkByIndex(i int32) (*Link, error) {
	return c.getLink("link show", "index "+strconv.Itoa(int(i)), &Link{Index: i, Unknown: []RawAttr{extMaskSkipStats()}})
}

func (c *Conn) getLink(op, obj string, req *Link) (*Link, error) {
	m, err := c.get(op, obj, unix.RTM_GETLINK, req)
	if err != nil {
		return nil, err
	}
	l := new(Link)
	if err := l.UnmarshalBinary(m.Data); err != nil {
		return nil, &OpError{Op: op, Obj: obj, Err: err}
	}
	return l, nil
}

// LinkAdd creates a link (RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL), as
// `ip link add` does. A veth whose Peer has NetNS set is created with its
// peer already in that namespace, and l.Flags/Change IFF_UP and l.Master
// bring the host end up and enslave it, all in one message. (The peer
// itself cannot be created up: ENOTCONN.)
//
// AddrGenModeNone (on l, or on a peer created in this namespace) is
// refused by the kernel at creation, so it is set by name in a second
// write, sent only if the creation succeeded (never on a link of that name
// that was already there), and IFF_UP after it; see link_request.go.
func (c *Conn) LinkAdd(l *Link) error {
	b := c.Batch()
	b.LinkAdd(l)
	return single(b.Flush())
}

// LinkCreate is LinkAdd that also returns the new link as the kernel
// reports it (its index; for a veth, ParentIndex is the peer's index in
// the peer's namespace), without another request: the creation carries
// NLM_F_ECHO, and the kernel (Linux 6.1 and later) sends its RTM_NEWLINK
// notification back to this socket before the ACK. On an older kernel,
// which ignores the flag, the link is looked up by name once created.
// The report is the link as registered, before the kernel applies
// l.Master (so its Master is 0) and before the follow-ups that
// AddrGenModeNone brings (so, with those, still down): use it for
// indexes, not for state.
func (c *Conn) LinkCreate(l *Link) (*Link, error) {
	var got Link
	b := c.Batch()
	b.LinkCreate(l, &got)
	if err := single(b.Flush()); err != nil {
		return nil, err
	}
	if got.Index == 0 {
		return c.LinkByName(l.Name)
	}
	return &got, nil
}

// LinkSet changes an existing link (RTM_NEWLINK without NLM_F_CREATE, as
// `ip link set` sends it), found by l.Index, or by l.Name when Index is
// 0. Every non-zero field is applied in one message: Flags under the
// Change mask (IFF_UP), MTU, Master or NoMaster, Address, NetNS, and a
// new Name (which needs Index). AddrGenModeNone together with IFF_UP is
// sent as two messages in one write, the mode first, because the kernel
// applies flags before IFLA_AF_SPEC.
func (c *Conn) LinkSet(l *Link) error {
	b := c.Batch()
	b.LinkSet(l)
	return single(b.Flush())
}

// single returns the only error of a one-request Batch.Flush as itself
// (an *OpError) rather than inside errors.Join.
func single(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		if errs := j.Unwrap(); len(errs) == 1 {
			return errs[0]
		}
	}
	return err
}

// LinkDel deletes the link with ifindex index (RTM_DELLINK). Deleting one
// end of a veth deletes both.
func (c *Conn) LinkDel(index int32) error {
	return c.request("link del", "index "+strconv.Itoa(int(index)), unix.RTM_DELLINK, 0, &Link{Index: index})
}

func linkObj(l *Link) string {
	if l.Name != "" {
		return l.Name
	}
	return "index " + strconv.Itoa(int(l.Index))
}

// Addrs returns the addresses of family (AF_INET, AF_INET6, or 0 for
// both): an RTM_GETADDR dump.
func (c *Conn) Addrs(family Family) ([]Addr, error) {
	return dumpOf[Addr](c, "addr dump", unix.RTM_GETADDR, unix.RTM_NEWADDR, &Addr{Family: family}, nil)
}

// AddrAdd adds an address (RTM_NEWADDR, NLM_F_CREATE|NLM_F_EXCL). As `ip
// addr add` does, it sends the address in both IFA_LOCAL and IFA_ADDRESS
// when only one is set, and the family is taken from the address.
func (c *Conn) AddrAdd(a *Addr) error {
	q := a.request()
	return c.request("addr add", q.Prefix().String(), unix.RTM_NEWADDR, netlink.Create|netlink.Excl, &q)
}

// AddrDel deletes an address (RTM_DELADDR), filled as AddrAdd fills it.
func (c *Conn) AddrDel(a *Addr) error {
	q := a.request()
	return c.request("addr del", q.Prefix().String(), unix.RTM_DELADDR, 0, &q)
}

// request returns a copy of a completed as `ip addr add/del` sends it.
func (a *Addr) request() Addr {
	q := *a
	switch {
	case !q.Local.IsValid():
		q.Local = q.Address
	case !q.Address.IsValid():
		q.Address = q.Local
	}
	if q.Family == 0 {
		q.Family = ipFamily(q.Local)
	}
	return q
}

// Routes returns the routes of the main table (RT_TABLE_MAIN) of family
// (AF_INET, AF_INET6, or 0 for both): an RTM_GETROUTE dump, filtered
// here as `ip route show` filters it.
func (c *Conn) Routes(family Family) ([]Route, error) {
	return dumpOf(c, "route dump", unix.RTM_GETROUTE, unix.RTM_NEWROUTE, &Route{Family: family}, func(r *Route) bool {
		return r.Table == unix.RT_TABLE_MAIN
	})
}

// RouteAdd adds a route (RTM_NEWROUTE, NLM_F_CREATE|NLM_F_EXCL). Zero
// header fields are filled as `ip route add` fills them: table main,
// protocol boot, type unicast, scope link without a gateway (universe
// with one), family from the addresses.
func (c *Conn) RouteAdd(r *Route) error {
	q := r.addDefaults()
	return c.request("route add", routeObj(&q), unix.RTM_NEWROUTE, netlink.Create|netlink.Excl, &q)
}

// RouteDel deletes a route (RTM_DELROUTE), filled as `ip route del`
// fills it: table main, scope RT_SCOPE_NOWHERE (any), family from the
// addresses.
func (c *Conn) RouteDel(r *Route) error {
	q := r.delDefaults()
	return c.request("route del", routeObj(&q), unix.RTM_DELROUTE, 0, &q)
}

func routeObj(r *Route) string {
	if !r.Dst.IsValid() && r.DstLen == 0 {
		return "default"
	}
	return r.DstPrefix().String()
}

// Neighs returns the neighbour entries of family (AF_INET, AF_INET6, or
// 0 for both): an RTM_GETNEIGH dump. Entries of every state are
// returned, NUD_NOARP ones included (`ip neigh show` hides those).
func (c *Conn) Neighs(family Family) ([]Neigh, error) {
	return dumpOf(c, "neigh dump", unix.RTM_GETNEIGH, unix.RTM_NEWNEIGH, &Neigh{Family: family}, func(n *Neigh) bool {
		return n.Family == unix.AF_INET || n.Family == unix.AF_INET6
	})
}

// NeighAdd adds a neighbour entry (RTM_NEWNEIGH, NLM_F_CREATE|NLM_F_EXCL)
// as `ip neigh add IP lladdr MAC dev DEV` does: State defaults to
// NUD_PERMANENT and the family is taken from the address.
func (c *Conn) NeighAdd(n *Neigh) error {
	q := n.request()
	return c.request("neigh add", q.IP.String(), unix.RTM_NEWNEIGH, netlink.Create|netlink.Excl, &q)
}

// NeighDel deletes a neighbour entry (RTM_DELNEIGH), filled as NeighAdd
// fills it.
func (c *Conn) NeighDel(n *Neigh) error {
	q := n.request()
	return c.request("neigh del", q.IP.String(), unix.RTM_DELNEIGH, 0, &q)
}

func (n *Neigh) request() Neigh {
	q := *n
	if q.State == 0 {
		q.State = unix.NUD_PERMANENT
	}
	if q.Family == 0 {
		q.Family = ipFamily(q.IP)
	}
	return q
}

// ipFamily is AF_INET or AF_INET6 for ip, AF_UNSPEC if ip is invalid.
func ipFamily(ip netip.Addr) Family {
	switch {
	case ip.Is4():
		return unix.AF_INET
	case ip.Is6():
		return unix.AF_INET6
	}
	return unix.AF_UNSPEC
}
