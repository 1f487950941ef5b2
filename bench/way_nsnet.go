package bench

import (
	"errors"
	"fmt"

	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// nsnetWay is nsnet's library path for one namespace, as DESIGN.md "Speed
// by design" lays it out: nsutil.Create (unshare on a disposable thread,
// bind mount), one rtnl.Conn dialled inside the namespace, the veth created
// from the host's Conn with its peer born in the namespace and the host end
// up on the bridge in the same RTM_NEWLINK, then one batch on the
// namespace's Conn (lo up, eth0 up, address, default route). The peer's
// index is asked for by name (RTM_GETLINK, no dump). With noIPv6, the
// links get AddrGenModeNone (what `up` does when a topology declares no
// IPv6). With oneQueue (implies noIPv6), both veth ends are also created
// with one TX and one RX queue (Link.NumTxQueues / NumRxQueues): the
// requests `nsnet up` makes for a topology that declares no IPv6.
func nsnetWay(noIPv6, oneQueue bool) Way {
	w := Way{
		Key:      "nsnet",
		Name:     "nsnet library (rtnl + nsutil)",
		Teardown: "nsutil.Delete (namespace)",
	}
	switch {
	case oneQueue:
		w.Key, w.Name, w.NoIPv6 = "nsnet-1q", "nsnet library, no IPv6, 1-queue veth (what `nsnet up` does)", true
		w.OneQueue = true
	case noIPv6:
		w.Key, w.Name, w.NoIPv6 = "nsnet-noipv6", "nsnet library, no IPv6 on new links", true
	}
	w.Start = func(e *Env) (Instance, error) {
		host, err := rtnl.Dial(nil)
		if err != nil {
			return nil, err
		}
		return &nsnetRun{e: e, host: host, noIPv6: noIPv6 || oneQueue, oneQueue: oneQueue}, nil
	}
	return w
}

type nsnetRun struct {
	e        *Env
	host     *rtnl.Conn
	noIPv6   bool
	oneQueue bool
}

func (r *nsnetRun) Setup(i int) error {
	ns, err := nsutil.Create(r.e.NS(i))
	if err != nil {
		return err
	}
	defer ns.Close()
	c, err := rtnl.Dial(ns.File())
	if err != nil {
		return err
	}
	defer c.Close()
	h := r.e.Host(i)
	veth := &rtnl.Link{
		Name:   h,
		Flags:  unix.IFF_UP,
		Change: unix.IFF_UP,
		Master: uint32(r.e.BridgeIdx),
		Info:   &rtnl.Veth{Peer: rtnl.Link{Name: "eth0", NetNS: ns.File()}},
	}
	if r.oneQueue {
		veth.NumTxQueues, veth.NumRxQueues = 1, 1
		peer := &veth.Info.(*rtnl.Veth).Peer
		peer.NumTxQueues, peer.NumRxQueues = 1, 1
	}
	// The kernel refuses IFLA_AF_SPEC in a create (EAFNOSUPPORT), and
	// applies IFF_UP before it in a set: without IPv6, create down, then
	// set the mode, then up, in one batch.
	if r.noIPv6 {
		veth.Flags = 0
	}
	var created rtnl.Link
	hb := r.host.Batch()
	hb.LinkCreate(veth, &created)
	if r.noIPv6 {
		hb.LinkSet(&rtnl.Link{Name: h, AddrGenModeNone: true})
		hb.LinkSet(&rtnl.Link{Name: h, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	}
	if err := hb.Flush(); err != nil {
		return err
	}
	// The kernel's report of the creation (NLM_F_ECHO) names the peer's
	// index in its namespace; look it up only if there was none.
	eth0 := &rtnl.Link{Index: created.ParentIndex}
	if created.Index == 0 {
		if eth0, err = c.LinkByName("eth0"); err != nil {
			return err
		}
	}
	b := c.Batch()
	b.LinkSet(&rtnl.Link{Index: 1, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	if r.noIPv6 {
		b.LinkSet(&rtnl.Link{Index: eth0.Index, AddrGenModeNone: true})
	}
	b.LinkSet(&rtnl.Link{Index: eth0.Index, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	a := r.e.Addr(i)
	b.AddrAdd(&rtnl.Addr{PrefixLen: uint8(a.Bits()), Index: eth0.Index, Local: a.Addr()})
	b.RouteAdd(&rtnl.Route{Gateway: r.e.GW.Addr(), OutIndex: eth0.Index})
	return b.Flush()
}

func (r *nsnetRun) Teardown(i int) error { return nsutil.Delete(r.e.NS(i)) }

func (r *nsnetRun) Close() error { return r.host.Close() }

// ErrMissing marks a way whose tool is not available in this tree or host.
var ErrMissing = errors.New("not available")

func missing(what string) error { return fmt.Errorf("%s: %w", what, ErrMissing) }
