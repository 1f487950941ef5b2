package netops

import (
	"net/netip"

	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// A downState is what bringing a link up changes that bringing it down
// again does not put back (verified on 6.18): the kernel attaches the
// default qdisc (noqueue on a veth, a bridge and lo) to a link that had
// noop because it never came up, and lo coming up gets 127.0.0.1/8 and
// its local routes. The undo of "set up" restores them: down, then
// 127.0.0.1/8 deleted (its local routes go with it), then a root qdisc
// added and deleted while the link is down, which leaves noop_qdisc
// (qdisc_graft). ::1 and IPv6 link-local addresses go by themselves when
// the link goes down.
type downState struct {
	noop     bool  // the link's qdisc was noop
	noLoop4  bool  // lo had no 127.0.0.1/8
	loopback bool  // the link is lo
	index    int32 // the link
}

var loop4 = netip.MustParsePrefix("127.0.0.1/8")

// readDownState reads l's downState through c (a socket in its namespace).
func readDownState(c *rtnl.Conn, l *rtnl.Link) (downState, error) {
	d := downState{noop: l.Qdisc == "noop", index: l.Index, loopback: l.Flags&unix.IFF_LOOPBACK != 0}
	if d.loopback {
		addrs, err := c.Addrs(unix.AF_INET)
		if err != nil {
			return d, err
		}
		d.noLoop4 = true
		for _, a := range addrs {
			if a.Index == l.Index && a.Prefix() == loop4 {
				d.noLoop4 = false
			}
		}
	}
	return d, nil
}

// restore brings the link down and puts back what coming up changed.
func (d downState) restore(c *rtnl.Conn) error {
	if err := c.LinkSet(&rtnl.Link{Index: d.index, Change: unix.IFF_UP}); err != nil {
		return ignoreMissing(err)
	}
	if d.loopback && d.noLoop4 {
		a := &rtnl.Addr{Index: d.index, PrefixLen: 8, Local: loop4.Addr()}
		if err := ignoreMissing(c.AddrDel(a)); err != nil {
			return err
		}
	}
	if d.noop {
		q := &rtnl.Qdisc{Index: d.index, Parent: rtnl.QdiscRoot, Handle: 1 << 16, Kind: "pfifo"}
		if err := c.QdiscAdd(q); err != nil {
			return ignoreMissing(err)
		}
		return ignoreMissing(c.QdiscDel(&rtnl.Qdisc{Index: d.index, Parent: rtnl.QdiscRoot}))
	}
	return nil
}

// undoUp returns the undo of bringing the link index in ns up, which was
// down: see downState.
func undoUp(ns *NS, d downState) func() error {
	return func() error {
		c, err := ns.conn()
		if err != nil {
			return err
		}
		defer ns.put(c)
		return d.restore(c)
	}
}
