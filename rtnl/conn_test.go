package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/sys/unix"
)

// ack answers req with errno (0 for success), optionally with an
// extended-ACK message, as the kernel does on a NETLINK_EXT_ACK socket.
func ack(req netlink.Message, errno unix.Errno, hint string) netlink.Message {
	data := binary.NativeEndian.AppendUint32(nil, uint32(-int32(errno)))
	hdr, _ := req.MarshalBinary()
	flags := netlink.HeaderFlags(0)
	if errno != 0 {
		data = append(data, hdr...) // the request is echoed in an error answer
	} else {
		data = append(data, hdr[:unix.NLMSG_HDRLEN]...)
		binary.NativeEndian.PutUint32(data[4:], unix.NLMSG_HDRLEN) // without payload
	}
	if hint != "" {
		flags |= netlink.AcknowledgeTLVs
		ae := netlink.NewAttributeEncoder()
		ae.String(unix.NLMSGERR_ATTR_MSG, hint)
		tlv, _ := ae.Encode()
		data = append(data, tlv...)
	}
	return netlink.Message{
		Header: netlink.Header{Type: netlink.Error, Flags: flags, Sequence: req.Header.Sequence, PID: req.Header.PID},
		Data:   data,
	}
}

// record returns a test Conn that answers every request with answer and
// keeps what was sent, one slice per write. As the kernel does, each
// request's answer is a datagram of its own, read by one Receive.
func record(t *testing.T, answer func(req netlink.Message) []netlink.Message) (*Conn, *[][]netlink.Message) {
	t.Helper()
	var writes [][]netlink.Message
	var datagrams [][]netlink.Message
	c := fakeConn(func(reqs []netlink.Message) ([]netlink.Message, error) {
		if reqs != nil { // a write: queue the answers
			writes = append(writes, reqs)
			for _, r := range reqs {
				datagrams = append(datagrams, answer(r))
			}
			return nil, nil
		}
		if len(datagrams) == 0 {
			return nil, io.EOF
		}
		d := datagrams[0]
		datagrams = datagrams[1:]
		return d, nil
	})
	t.Cleanup(func() {
		c.Close()
		if len(datagrams) != 0 {
			t.Errorf("%d answers were never read", len(datagrams))
		}
	})
	return c, &writes
}

func TestConnRequestFraming(t *testing.T) {
	c, writes := record(t, func(req netlink.Message) []netlink.Message {
		return []netlink.Message{ack(req, 0, "")}
	})
	l := &Link{Name: "veth-red", Info: &Veth{Peer: Link{Name: "eth0"}}}
	ip := netip.MustParseAddr("10.0.0.1")
	calls := []struct {
		do    func() error
		typ   netlink.HeaderType
		flags netlink.HeaderFlags
	}{
		{func() error { return c.LinkAdd(l) }, unix.RTM_NEWLINK, netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl},
		{func() error { return c.LinkSet(&Link{Index: 3, Flags: unix.IFF_UP, Change: unix.IFF_UP}) }, unix.RTM_NEWLINK, netlink.Request | netlink.Acknowledge},
		{func() error { return c.LinkDel(3) }, unix.RTM_DELLINK, netlink.Request | netlink.Acknowledge},
		{func() error { return c.AddrAdd(&Addr{Index: 3, Local: ip, PrefixLen: 24}) }, unix.RTM_NEWADDR, netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl},
		{func() error { return c.AddrDel(&Addr{Index: 3, Local: ip, PrefixLen: 24}) }, unix.RTM_DELADDR, netlink.Request | netlink.Acknowledge},
		{func() error { return c.RouteAdd(&Route{Gateway: ip}) }, unix.RTM_NEWROUTE, netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl},
		{func() error { return c.RouteDel(&Route{Gateway: ip}) }, unix.RTM_DELROUTE, netlink.Request | netlink.Acknowledge},
		{func() error { return c.NeighAdd(&Neigh{Index: 3, IP: ip}) }, unix.RTM_NEWNEIGH, netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl},
		{func() error { return c.NeighDel(&Neigh{Index: 3, IP: ip}) }, unix.RTM_DELNEIGH, netlink.Request | netlink.Acknowledge},
	}
	for i, call := range calls {
		if err := call.do(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		m := (*writes)[i][0]
		if m.Header.Type != call.typ || m.Header.Flags != call.flags {
			t.Errorf("call %d sent type %v flags %v, want %v %v", i, m.Header.Type, m.Header.Flags, call.typ, call.flags)
		}
	}
	want, _ := l.MarshalBinary()
	if diff := cmp.Diff(want, (*writes)[0][0].Data); diff != "" {
		t.Errorf("LinkAdd body is not Link.MarshalBinary:\n%s", diff)
	}
	var route Route
	if err := route.UnmarshalBinary((*writes)[5][0].Data); err != nil || route.Table != unix.RT_TABLE_MAIN ||
		route.Protocol != unix.RTPROT_BOOT || route.Family != unix.AF_INET || route.Type != unix.RTN_UNICAST {
		t.Errorf("RouteAdd sent %+v, %v", route, err)
	}
	var neigh Neigh
	if err := neigh.UnmarshalBinary((*writes)[7][0].Data); err != nil || neigh.State != unix.NUD_PERMANENT || neigh.Family != unix.AF_INET {
		t.Errorf("NeighAdd sent %+v, %v", neigh, err)
	}
	var addr Addr
	if err := addr.UnmarshalBinary((*writes)[3][0].Data); err != nil || addr.Address != ip || addr.Local != ip || addr.Family != unix.AF_INET {
		t.Errorf("AddrAdd sent %+v, %v", addr, err)
	}
}

func TestConnErrorMapping(t *testing.T) {
	c, _ := record(t, func(req netlink.Message) []netlink.Message {
		return []netlink.Message{ack(req, unix.EEXIST, "A link named veth-red exists")}
	})
	err := c.LinkAdd(&Link{Name: "veth-red", Info: &Veth{}})
	if !errors.Is(err, unix.EEXIST) {
		t.Fatalf("errors.Is(%v, EEXIST) is false", err)
	}
	var oe *OpError
	if !errors.As(err, &oe) || oe.Op != "link add" || oe.Obj != "veth-red" || oe.Hint != "A link named veth-red exists" {
		t.Fatalf("error = %#v", err)
	}
	if got, want := err.Error(), "link add veth-red: file exists (A link named veth-red exists)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := (&OpError{Op: "link dump", Err: unix.EINTR}).Error(); got != "link dump: interrupted system call" {
		t.Errorf("Error() without Obj and Hint = %q", got)
	}
}

func TestConnLinkByName(t *testing.T) {
	lo := Link{Index: 1, Type: unix.ARPHRD_LOOPBACK, Flags: unix.IFF_UP | unix.IFF_LOOPBACK, Name: "lo", MTU: 65536}
	body, _ := lo.MarshalBinary()
	c, writes := record(t, func(req netlink.Message) []netlink.Message {
		var l Link
		if err := l.UnmarshalBinary(req.Data); err != nil || l.Name != "lo" {
			return []netlink.Message{ack(req, unix.ENODEV, "")}
		}
		return []netlink.Message{{Header: netlink.Header{Type: unix.RTM_NEWLINK, Sequence: req.Header.Sequence, PID: req.Header.PID}, Data: body}}
	})
	got, err := c.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&lo, got, cmpOpts()); diff != "" {
		t.Errorf("LinkByName(lo) (-want +got):\n%s", diff)
	}
	req := (*writes)[0][0]
	if req.Header.Type != unix.RTM_GETLINK || req.Header.Flags != netlink.Request {
		t.Errorf("LinkByName sent type %v flags %v, want RTM_GETLINK, a plain request (no dump)", req.Header.Type, req.Header.Flags)
	}
	_, err = c.LinkByName("nope")
	var oe *OpError
	if !errors.Is(err, unix.ENODEV) || !errors.As(err, &oe) || oe.Obj != "nope" {
		t.Errorf("LinkByName(nope) = %v, want ENODEV naming it", err)
	}
}

// dumpAnswer is a multi-part answer of n links; intr sets NLM_F_DUMP_INTR
// on the last data message.
func dumpAnswer(req netlink.Message, n int, intr bool) []netlink.Message {
	var msgs []netlink.Message
	for i := range n {
		l := Link{Index: int32(i + 1), Name: "eth" + string(rune('0'+i))}
		b, _ := l.MarshalBinary()
		msgs = append(msgs, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK, Sequence: req.Header.Sequence, PID: req.Header.PID}, Data: b})
	}
	msgs = append(msgs, netlink.Message{Header: netlink.Header{Sequence: req.Header.Sequence, PID: req.Header.PID}, Data: make([]byte, 4)})
	msgs, _ = nltest.Multipart(msgs)
	if intr {
		msgs[n-1].Header.Flags |= netlink.DumpInterrupted
	}
	return msgs
}

func TestConnDumpRetriesInterrupted(t *testing.T) {
	tries := 0
	c, writes := record(t, func(req netlink.Message) []netlink.Message {
		tries++
		return dumpAnswer(req, 3, tries < 3) // interrupted twice, then consistent
	})
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 3 || links[2].Name != "eth2" || tries != 3 {
		t.Errorf("got %d links after %d tries, want 3 after 3", len(links), tries)
	}
	seqs := map[uint32]bool{}
	for _, w := range *writes {
		if w[0].Header.Flags != netlink.Request|netlink.Dump || w[0].Header.Type != unix.RTM_GETLINK {
			t.Errorf("dump sent %v %v", w[0].Header.Type, w[0].Header.Flags)
		}
		seqs[w[0].Header.Sequence] = true
	}
	if len(seqs) != 3 {
		t.Errorf("retries reused sequence numbers: %v", seqs)
	}
}

func TestConnDumpInterruptedGivesUp(t *testing.T) {
	tries := 0
	c, _ := record(t, func(req netlink.Message) []netlink.Message {
		tries++
		return dumpAnswer(req, 2, true)
	})
	links, err := c.Links()
	if !errors.Is(err, ErrDumpInterrupted) || links != nil {
		t.Fatalf("Links() = %d links, %v; want ErrDumpInterrupted and nothing", len(links), err)
	}
	if tries != maxDumpTries {
		t.Errorf("tried %d times, want %d", tries, maxDumpTries)
	}
	if !strings.HasPrefix(err.Error(), "link dump: ") {
		t.Errorf("error %q does not name the dump", err)
	}
}

// TestDumpInterruptedOnDone: the flag may come on NLMSG_DONE only (the
// table changed after the last data batch), which package netlink's Conn
// swallows with the DONE; the Conn's own receive path sees it and retries.
func TestDumpInterruptedOnDone(t *testing.T) {
	tries := 0
	c, _ := record(t, func(req netlink.Message) []netlink.Message {
		tries++
		msgs := dumpAnswer(req, 2, false)
		if tries == 1 {
			msgs[len(msgs)-1].Header.Flags |= netlink.DumpInterrupted // the DONE message
		}
		return msgs
	})
	links, err := c.Links()
	if err != nil || len(links) != 2 || tries != 2 {
		t.Fatalf("Links() = %d links, %v after %d tries; want 2 links after a retry", len(links), err, tries)
	}
}

// TestParseMessagesTruncated: a datagram whose last message is cut short
// is an error, not fewer messages.
func TestParseMessagesTruncated(t *testing.T) {
	d := datagram(dumpAnswer(netlink.Message{Header: netlink.Header{Sequence: 7}}, 2, false))
	if msgs, err := parseMessages(d); err != nil || len(msgs) != 3 || msgs[2].Header.Type != netlink.Done {
		t.Fatalf("parseMessages = %v, %v", msgs, err)
	}
	if _, err := parseMessages(d[:len(d)-2]); err == nil {
		t.Error("truncated datagram parsed without error")
	}
}

// TestBatchOneWriteErrorsBySequence: a batch is one write; the kernel's
// answers arrive one per datagram, and each error is mapped back to its
// request by sequence number.
func TestBatchOneWriteErrorsBySequence(t *testing.T) {
	var pending []netlink.Message
	writes := 0
	c := fakeConn(func(reqs []netlink.Message) ([]netlink.Message, error) {
		if reqs != nil { // the write: answers are queued, one per read
			writes++
			for i, r := range reqs {
				switch i {
				case 1:
					pending = append(pending, ack(r, unix.EEXIST, "Address already assigned"))
				case 3:
					pending = append(pending, ack(r, unix.ENETUNREACH, ""))
				default:
					pending = append(pending, ack(r, 0, ""))
				}
			}
			return nil, nil
		}
		if len(pending) == 0 {
			return nil, io.EOF
		}
		m := pending[0]
		pending = pending[1:]
		return []netlink.Message{m}, nil
	})
	defer c.Close()

	b := c.Batch()
	b.LinkSet(&Link{Name: "veth-red", Flags: unix.IFF_UP, Change: unix.IFF_UP})
	b.AddrAdd(&Addr{Index: 3, Local: netip.MustParseAddr("10.0.0.1"), PrefixLen: 24})
	b.NeighAdd(&Neigh{Index: 3, IP: netip.MustParseAddr("10.0.0.9")})
	b.RouteAdd(&Route{Gateway: netip.MustParseAddr("10.9.9.9")})
	b.LinkDel(9)
	if b.Len() != 5 {
		t.Fatalf("Len = %d", b.Len())
	}
	err := b.Flush()
	if writes != 1 {
		t.Errorf("batch took %d writes, want 1", writes)
	}
	if len(pending) != 0 {
		t.Errorf("%d answers left unread", len(pending))
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Flush() = %v, want errors.Join of OpErrors", err)
	}
	errs := joined.Unwrap()
	if len(errs) != 2 {
		t.Fatalf("Flush() = %v, want 2 errors", err)
	}
	for i, want := range []struct {
		op, obj string
		errno   unix.Errno
		hint    string
	}{
		{"addr add", "10.0.0.1/24", unix.EEXIST, "Address already assigned"},
		{"route add", "default", unix.ENETUNREACH, ""},
	} {
		var oe *OpError
		if !errors.As(errs[i], &oe) || oe.Op != want.op || oe.Obj != want.obj || !errors.Is(oe, want.errno) || oe.Hint != want.hint {
			t.Errorf("error %d = %#v, want %s %s %v %q", i, errs[i], want.op, want.obj, want.errno, want.hint)
		}
	}
	if b.Len() != 0 || b.Flush() != nil {
		t.Error("a flushed batch is not empty")
	}
}

func TestBatchEncodeErrorSendsNothing(t *testing.T) {
	c, writes := record(t, func(req netlink.Message) []netlink.Message {
		return []netlink.Message{ack(req, 0, "")}
	})
	b := c.Batch()
	b.LinkSet(&Link{Index: 1, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	b.LinkAdd(&Link{Name: strings.Repeat("x", 70000)}) // no attribute holds that
	b.LinkDel(1)
	err := b.Flush()
	var oe *OpError
	if !errors.As(err, &oe) || oe.Op != "link add" {
		t.Fatalf("Flush() = %v, want the encoding OpError", err)
	}
	if len(*writes) != 0 {
		t.Errorf("%d writes after an encoding error", len(*writes))
	}
}

func TestBatchChunks(t *testing.T) {
	c, writes := record(t, func(req netlink.Message) []netlink.Message {
		return []netlink.Message{ack(req, 0, "")}
	})
	b := c.Batch()
	for i := range maxBatchWrite + 1 {
		b.LinkDel(int32(i + 1))
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(*writes) != 2 || len((*writes)[0]) != maxBatchWrite || len((*writes)[1]) != 1 {
		t.Errorf("writes of %d requests: %d", maxBatchWrite+1, len(*writes))
	}
}

// TestLinkAddFollowUpsOnlyAfterCreate: the AddrGenModeNone follow-ups
// address the link by name, so they go in a later write and only if the
// creation succeeded; otherwise they would change the link that was
// already there.
func TestLinkAddFollowUpsOnlyAfterCreate(t *testing.T) {
	exists := map[string]bool{"br-old": true}
	c, writes := record(t, func(req netlink.Message) []netlink.Message {
		var l Link
		if err := l.UnmarshalBinary(req.Data); err != nil {
			return []netlink.Message{ack(req, unix.EINVAL, "")}
		}
		if req.Header.Flags&netlink.Create != 0 {
			if exists[l.Name] {
				return []netlink.Message{ack(req, unix.EEXIST, "")}
			}
			exists[l.Name] = true
		}
		return []netlink.Message{ack(req, 0, "")}
	})
	up := func(name string) *Link {
		return &Link{Name: name, Flags: unix.IFF_UP, Change: unix.IFF_UP, AddrGenModeNone: true, Info: &Bridge{}}
	}
	err := c.LinkAdd(up("br-old"))
	if !errors.Is(err, unix.EEXIST) || len(*writes) != 1 {
		t.Fatalf("LinkAdd(existing) = %v after %d writes; want EEXIST and no follow-up", err, len(*writes))
	}
	*writes = nil
	b := c.Batch()
	b.LinkAdd(up("br-a"))
	b.AddrAdd(&Addr{Index: 7, Local: netip.MustParseAddr("10.0.0.1"), PrefixLen: 8})
	b.LinkAdd(up("br-old"))
	b.LinkAdd(up("br-b"))
	if err := b.Flush(); !errors.Is(err, unix.EEXIST) {
		t.Fatalf("Flush() = %v, want br-old's EEXIST", err)
	}
	var got [][]string
	for _, w := range *writes {
		var names []string
		for _, m := range w {
			var l Link
			_ = l.UnmarshalBinary(m.Data)
			switch {
			case m.Header.Type == unix.RTM_NEWADDR:
				names = append(names, "addr")
			case m.Header.Flags&netlink.Create != 0:
				names = append(names, "create "+l.Name+fmt.Sprintf(" up=%v", l.Up()))
			case l.AddrGenModeNone:
				names = append(names, "mode "+l.Name)
			default:
				names = append(names, "up "+l.Name)
			}
		}
		got = append(got, names)
	}
	want := [][]string{
		{"create br-a up=false"},
		{"mode br-a", "up br-a", "addr", "create br-old up=false"},
		{"create br-b up=false"}, // br-old's follow-ups were due here: dropped, as it failed
		{"mode br-b", "up br-b"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

// TestLinkCreateEcho checks both kernels LinkCreate meets: one that
// echoes the new link (Linux 6.1+: the RTM_NEWLINK comes before the ACK,
// with the request's sequence) and one that ignores NLM_F_ECHO, where
// LinkCreate looks the link up by name.
func TestLinkCreateEcho(t *testing.T) {
	for _, echoes := range []bool{true, false} {
		c, writes := record(t, func(req netlink.Message) []netlink.Message {
			var l Link
			if err := l.UnmarshalBinary(req.Data); err != nil {
				return []netlink.Message{ack(req, unix.EINVAL, "")}
			}
			created := Link{Index: 9, Name: l.Name, ParentIndex: 2}
			b, _ := created.MarshalBinary()
			report := netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK, Sequence: req.Header.Sequence}, Data: b}
			switch {
			case req.Header.Type == unix.RTM_GETLINK:
				return []netlink.Message{report}
			case echoes && req.Header.Flags&netlink.Echo != 0:
				return []netlink.Message{report, ack(req, 0, "")}
			}
			return []netlink.Message{ack(req, 0, "")}
		})
		l, err := c.LinkCreate(&Link{Name: "veth0", Info: &Veth{Peer: Link{Name: "eth0"}}})
		if err != nil || l.Index != 9 || l.ParentIndex != 2 || l.Name != "veth0" {
			t.Fatalf("echoes=%v: LinkCreate = %+v, %v", echoes, l, err)
		}
		var types []string
		for _, w := range *writes {
			for _, m := range w {
				types = append(types, fmt.Sprintf("%d echo=%v", m.Header.Type, m.Header.Flags&netlink.Echo != 0))
			}
		}
		want := []string{fmt.Sprintf("%d echo=true", unix.RTM_NEWLINK)}
		if !echoes {
			want = append(want, fmt.Sprintf("%d echo=false", unix.RTM_GETLINK))
		}
		if diff := cmp.Diff(want, types); diff != "" {
			t.Errorf("echoes=%v: requests (-want +got):\n%s", echoes, diff)
		}
	}
}

// TestAnswerError reads the errno and the extended-ACK text wherever the
// kernel puts them: after the whole echoed request, after its header only
// (NLM_F_CAPPED), and right after the errno in a dump's NLMSG_DONE.
func TestAnswerError(t *testing.T) {
	req := netlink.Message{Header: netlink.Header{Length: unix.NLMSG_HDRLEN + 16, Type: unix.RTM_NEWLINK, Sequence: 9}, Data: make([]byte, 16)}
	full := ack(req, unix.EEXIST, "exists")
	capped := full
	capped.Header.Flags |= nlmCapped
	capped.Data = append(capped.Data[:4+unix.NLMSG_HDRLEN:4+unix.NLMSG_HDRLEN], full.Data[4+req.Header.Length:]...)
	tlv := full.Data[4+req.Header.Length:]
	emsgsize := -int32(unix.EMSGSIZE)
	done := netlink.Message{Header: netlink.Header{Type: netlink.Done, Flags: netlink.Multi | netlink.AcknowledgeTLVs},
		Data: append(binary.NativeEndian.AppendUint32(nil, uint32(emsgsize)), tlv...)}
	for name, tt := range map[string]struct {
		m     netlink.Message
		errno unix.Errno
		hint  string
	}{
		"ack":         {ack(req, 0, ""), 0, ""},
		"error":       {ack(req, unix.ENODEV, ""), unix.ENODEV, ""},
		"error+hint":  {full, unix.EEXIST, "exists"},
		"capped+hint": {capped, unix.EEXIST, "exists"},
		"done":        {netlink.Message{Header: netlink.Header{Type: netlink.Done, Flags: netlink.Multi}, Data: make([]byte, 4)}, 0, ""},
		"done empty":  {netlink.Message{Header: netlink.Header{Type: netlink.Done, Flags: netlink.Multi}}, 0, ""},
		"done failed": {done, unix.EMSGSIZE, "exists"},
	} {
		err := answerError(tt.m)
		var ke *kernelError
		switch {
		case tt.errno == 0 && err != nil:
			t.Errorf("%s: %v, want nil", name, err)
		case tt.errno != 0 && (!errors.As(err, &ke) || ke.errno != tt.errno || ke.hint != tt.hint):
			t.Errorf("%s: %#v, want %v %q", name, err, tt.errno, tt.hint)
		}
	}
	if err := answerError(netlink.Message{Header: netlink.Header{Type: netlink.Error}, Data: []byte{1}}); err == nil {
		t.Error("a 1-byte NLMSG_ERROR is not an error")
	}
}

// FuzzAnswerError: whatever follows the errno, answerError returns nil
// exactly when the errno is 0 (or a DONE carries none), and otherwise an
// error that errors.Is the errno.
func FuzzAnswerError(f *testing.F) {
	req := netlink.Message{Header: netlink.Header{Length: unix.NLMSG_HDRLEN + 4, Type: unix.RTM_NEWADDR}, Data: make([]byte, 4)}
	for _, m := range []netlink.Message{ack(req, 0, ""), ack(req, unix.EEXIST, "Address already assigned"), ack(req, unix.EINVAL, "")} {
		f.Add(uint16(m.Header.Type), uint16(m.Header.Flags), m.Data)
	}
	f.Add(uint16(netlink.Done), uint16(netlink.Multi|netlink.AcknowledgeTLVs), []byte{0xf6, 0xff, 0xff, 0xff, 8, 0, 1, 0, 'a', 'b', 0, 0})
	f.Fuzz(func(t *testing.T, typ, flags uint16, data []byte) {
		m := netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(typ), Flags: netlink.HeaderFlags(flags)}, Data: data}
		err := answerError(m)
		if len(data) < 4 {
			if (err == nil) != (m.Header.Type == netlink.Done) {
				t.Fatalf("%d bytes, type %d: %v", len(data), typ, err)
			}
			return
		}
		code := int32(binary.NativeEndian.Uint32(data))
		if (err == nil) != (code == 0) {
			t.Fatalf("errno %d: answerError = %v", -code, err)
		}
		if err != nil && !errors.Is(err, unix.Errno(-code)) {
			t.Fatalf("errno %d: answerError = %v, which is not that errno", -code, err)
		}
	})
}

// TestAddrDelLocal: the wildcard deletion sends IFA_LOCAL and no
// IFA_ADDRESS (the kernel then ignores the prefix length), with the
// host prefix length iproute2 sends; AddrDelAsDumped sends the dumped
// address back as it is.
func TestAddrDelLocal(t *testing.T) {
	c, writes := record(t, func(req netlink.Message) []netlink.Message {
		return []netlink.Message{ack(req, 0, "")}
	})
	ip := netip.MustParseAddr("169.254.10.20")
	if err := c.AddrDelLocal(&Addr{Index: 3, Local: ip}); err != nil {
		t.Fatal(err)
	}
	var a Addr
	m := (*writes)[0][0]
	if err := a.UnmarshalBinary(m.Data); err != nil || m.Header.Type != unix.RTM_DELADDR ||
		a.Local != ip || a.Address.IsValid() || a.PrefixLen != 32 || a.Family != unix.AF_INET || a.Index != 3 {
		t.Errorf("AddrDelLocal sent type %d %+v, %v", m.Header.Type, a, err)
	}
	dumped := Addr{Family: unix.AF_INET, PrefixLen: 16, Index: 3, Local: ip, Address: ip, Label: "eth0", Scope: ScopeLink}
	b := c.Batch()
	b.AddrDelAsDumped(&dumped)
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	m = (*writes)[1][0]
	if err := a.UnmarshalBinary(m.Data); err != nil || m.Header.Type != unix.RTM_DELADDR || !cmp.Equal(a, dumped, cmpOpts()) {
		t.Errorf("AddrDelAsDumped sent type %d %+v, %v; want %+v", m.Header.Type, a, err, dumped)
	}
}
