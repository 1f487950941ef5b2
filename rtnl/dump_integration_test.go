package rtnl

import (
	"errors"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// TestIntegrationDumpInterrupted dumps 1000 addresses while another socket
// adds and deletes one address in a loop. The kernel then marks many
// dumps NLM_F_DUMP_INTR (about a third of them here); Addrs must never
// return a partial list: every answer holds all 1000 fixed addresses, or
// is ErrDumpInterrupted.
func TestIntegrationDumpInterrupted(t *testing.T) {
	ns := newTestNS(t, "rtnl-intr")
	ns.run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	va := ns.link(t, "va")
	const fixed = 1000
	b := ns.c.Batch()
	for i := range fixed {
		b.AddrAdd(&Addr{Index: va.Index, Local: netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), PrefixLen: 32})
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	churn, err := Dial(ns.f)
	if err != nil {
		t.Fatal(err)
	}
	defer churn.Close()
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		a := &Addr{Index: va.Index, Local: netip.MustParseAddr("10.1.0.128"), PrefixLen: 24} // sorts inside the fixed ones
		for !stop.Load() {
			churn.AddrAdd(a)
			churn.AddrDel(a)
		}
	}()
	defer func() { stop.Store(true); <-done }()

	// How often the raw dump is marked, seen through the socket, and how
	// often a marked one is really partial.
	count := func(msgs []netlink.Message) int {
		n := 0
		for _, m := range msgs {
			var a Addr
			if m.Header.Type == unix.RTM_NEWADDR && a.UnmarshalBinary(m.Data) == nil && a.Index == va.Index && a.PrefixLen == 32 {
				n++
			}
		}
		return n
	}
	marked, partial := 0, 0
	for range 100 {
		m, _ := message(unix.RTM_GETADDR, netlink.Dump, &Addr{Family: unix.AF_INET})
		ns.c.mu.Lock()
		msgs, intr, err := ns.c.execute(m)
		ns.c.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		if intr {
			marked++
		}
		if count(msgs) != fixed {
			partial++
			if !intr {
				t.Errorf("a dump missing addresses was not marked NLM_F_DUMP_INTR")
			}
		}
	}
	gaveUp := 0
	for range 100 {
		addrs, err := ns.c.Addrs(unix.AF_INET)
		if errors.Is(err, ErrDumpInterrupted) {
			gaveUp++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range addrs {
			if a.Index == va.Index && a.PrefixLen == 32 {
				n++
			}
		}
		if n != fixed {
			t.Fatalf("Addrs returned %d of the %d fixed addresses: a partial dump", n, fixed)
		}
	}
	t.Logf("raw dumps marked interrupted: %d/100 (partial: %d); Addrs gave up (after %d tries each): %d/100", marked, partial, maxDumpTries, gaveUp)
}
