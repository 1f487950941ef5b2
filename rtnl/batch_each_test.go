package rtnl

import (
	"errors"
	"io"
	"net/netip"
	"testing"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// TestBatchFlushEach: FlushEach reports each queued request on its own,
// whatever number of messages it took: a LinkSet of two messages whose
// second fails, an AddrAdd answered EEXIST, a LinkAdd whose creation
// fails (its follow-ups are not sent: the request's result is the
// creation's error), a route that succeeds.
func TestBatchFlushEach(t *testing.T) {
	var pending []netlink.Message
	var sent []netlink.Message
	c := fakeConn(func(reqs []netlink.Message) ([]netlink.Message, error) {
		if reqs != nil {
			for _, r := range reqs {
				sent = append(sent, r)
				switch len(sent) {
				case 2: // LinkSet's second message (IFF_UP after the mode)
					pending = append(pending, ack(r, unix.ENODEV, ""))
				case 3: // AddrAdd
					pending = append(pending, ack(r, unix.EEXIST, ""))
				case 4: // LinkAdd's creation
					pending = append(pending, ack(r, unix.EEXIST, ""))
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
	b.LinkSet(&Link{Index: 4, AddrGenModeNone: true, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	b.AddrAdd(&Addr{Index: 3, Local: netip.MustParseAddr("10.0.0.1"), PrefixLen: 24})
	b.LinkAdd(&Link{Name: "br0", Info: &Bridge{}, AddrGenModeNone: true, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	b.RouteAdd(&Route{Gateway: netip.MustParseAddr("10.0.0.9")})
	results, err := b.FlushEach()
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 4 {
		t.Fatalf("%d results, want 4: %v", len(results), results)
	}
	if len(sent) != 5 {
		t.Errorf("%d messages sent, want 5 (the failed creation's two follow-ups not)", len(sent))
	}
	for i, want := range []unix.Errno{unix.ENODEV, unix.EEXIST, unix.EEXIST, 0} {
		var oe *OpError
		switch {
		case want == 0 && results[i] != nil:
			t.Errorf("request %d: %v, want success", i, results[i])
		case want != 0 && (!errors.As(results[i], &oe) || !errors.Is(results[i], want)):
			t.Errorf("request %d: %v, want an *OpError wrapping %v", i, results[i], want)
		}
	}
	if b.Len() != 0 {
		t.Error("a flushed batch is not empty")
	}
}

// TestBatchFlushEachEncodeError: a request that cannot be encoded sends
// nothing; every request is ErrNotSent and the error is returned.
func TestBatchFlushEachEncodeError(t *testing.T) {
	c := fakeConn(func(reqs []netlink.Message) ([]netlink.Message, error) {
		if reqs != nil {
			t.Error("a batch with an encoding error was sent")
		}
		return nil, io.EOF
	})
	defer c.Close()
	b := c.Batch()
	b.AddrAdd(&Addr{Index: 3, Local: netip.MustParseAddr("10.0.0.1"), PrefixLen: 24})
	b.LinkAdd(&Link{Name: "v0", Info: &Veth{Peer: Link{Name: "v1", AddrGenModeNone: true, NetNS: nil}}, AddrGenModeNone: false})
	b.LinkAdd(&Link{Name: "v2", Info: &Veth{Peer: Link{AddrGenModeNone: true}}})
	results, err := b.FlushEach()
	if err == nil {
		t.Fatal("no error for a request that cannot be encoded")
	}
	for i, r := range results {
		if !errors.Is(r, ErrNotSent) {
			t.Errorf("request %d: %v, want ErrNotSent", i, r)
		}
	}
}
