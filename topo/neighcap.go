package topo

import (
	"fmt"
	"net/netip"

	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// A NeighCapacity compares what a topology needs of one of the kernel's
// neighbour tables (ARP for IPv4, NDP for IPv6) with what the table can
// hold.
//
// The table is the machine's, not a namespace's: every namespace's
// entries count against one limit, gc_thresh3 (net/core/neighbour.c,
// neigh_alloc: beyond it, and when forced garbage collection finds
// nothing older than 5 s to drop, no entry can be created: sends fail
// with ENOBUFS and ARP requests go unanswered). The limit can only be
// read in the initial namespace's /proc/sys, and only set there, so it
// is read with an RTM_GETNEIGHTBL dump, which any namespace may make.
type NeighCapacity struct {
	Family string // "IPv4" or "IPv6"
	Sysctl string // the limit's sysctl in the initial namespace: net.ipv4.neigh.default.gc_thresh3
	// Need is the entries traffic to all the topology's hosts at once
	// needs: on each segment (a bridge, or a veth pair not on one) with k
	// interfaces that have addresses of the family, 2(k-1), every one
	// talking to one other (its gateway) and being answered. Traffic
	// between every pair of a segment's hosts needs more, k(k-1).
	Need int
	// Limit is gc_thresh3; 0 when it could not be read (Err says why).
	Limit int
	// InUse is the entries the table holds now, in all namespaces.
	InUse int
	Err   error
}

// Short reports whether the table cannot hold what the topology needs
// next to what it holds now.
func (c NeighCapacity) Short() bool { return c.Limit > 0 && c.Need+c.InUse > c.Limit }

// Suggested is the limit to set: the need and what is in use now, a
// quarter more, rounded up to a multiple of 1024.
func (c NeighCapacity) Suggested() int {
	n := (c.Need + c.InUse) * 5 / 4
	return (n + 1023) / 1024 * 1024
}

// Warning says, in a sentence, why traffic to all hosts at once would
// overflow the table; "" when it would not (or the need is trivial).
func (c NeighCapacity) Warning() string {
	switch {
	case c.Short():
		return fmt.Sprintf("traffic to all hosts at once needs %d %s neighbour entries, but the kernel's table, shared by every namespace, holds at most %d (%s) and has %d in use now: beyond that, sends fail with \"no buffer space available\" and ARP goes unanswered (a kernel limit, not a fault of the topology)",
			c.Need, c.Family, c.Limit, c.Sysctl, c.InUse)
	case c.Limit == 0 && c.Need > defaultThresh3:
		return fmt.Sprintf("traffic to all hosts at once needs %d %s neighbour entries; the kernel's limit (%s, 1024 by default) could not be read: %v",
			c.Need, c.Family, c.Sysctl, c.Err)
	}
	return ""
}

// Fix is the command that raises the limit, run in the initial network
// namespace (the only one where it can be set).
func (c NeighCapacity) Fix() string {
	return fmt.Sprintf("sysctl -w %s=%d (as root in the initial network namespace: the table is global)", c.Sysctl, c.Suggested())
}

// defaultThresh3 is the kernel's default gc_thresh3 (arp_tbl, nd_tbl).
const defaultThresh3 = 1024

// neighNeed counts the entries of NeighCapacity.Need, per family.
func (t *Topology) neighNeed() (v4, v6 int) {
	type count struct{ v4, v6 int }
	seg := map[string]*count{}
	add := func(key string, addrs []netip.Prefix) {
		c := seg[key]
		if c == nil {
			c = &count{}
			seg[key] = c
		}
		// An interface is one station, however many addresses it has.
		has4, has6 := false, false
		for _, p := range addrs {
			switch {
			case p.Addr().IsLinkLocalUnicast():
			case p.Addr().Is4():
				has4 = true
			default:
				has6 = true
			}
		}
		if has4 {
			c.v4++
		}
		if has6 {
			c.v6++
		}
	}
	for _, b := range t.Bridges {
		add("bridge|"+b.Name, b.Addresses)
	}
	for i, v := range t.Veths {
		key := fmt.Sprintf("veth|%d", i)
		switch {
		case v.Bridge != "":
			key = "bridge|" + v.Bridge
		case v.Peer.Bridge != "":
			key = "bridge|" + v.Peer.Bridge
		}
		add(key, v.Addresses)
		add(key, v.Peer.Addresses)
	}
	for _, c := range seg {
		if c.v4 > 1 {
			v4 += 2 * (c.v4 - 1)
		}
		if c.v6 > 1 {
			v6 += 2 * (c.v6 - 1)
		}
	}
	return v4, v6
}

// neighNeeds returns t's need of each neighbour table, without the
// kernel's side; a family t has no addresses of is left out.
func neighNeeds(t *Topology) []NeighCapacity {
	v4, v6 := t.neighNeed()
	var out []NeighCapacity
	if v4 > 0 {
		out = append(out, NeighCapacity{Family: "IPv4", Sysctl: "net.ipv4.neigh.default.gc_thresh3", Need: v4})
	}
	if v6 > 0 {
		out = append(out, NeighCapacity{Family: "IPv6", Sysctl: "net.ipv6.neigh.default.gc_thresh3", Need: v6})
	}
	return out
}

// fillNeighCapacity fills in caps' limits and counts from the kernel's
// tables (an RTM_GETNEIGHTBL dump from any namespace: the answer is the
// machine's), or err, the dump's failure, into each one's Err.
func fillNeighCapacity(caps []NeighCapacity, tables []rtnl.NeighTable, err error) {
	for i := range caps {
		want := uint8(unix.AF_INET)
		if caps[i].Family == "IPv6" {
			want = unix.AF_INET6
		}
		caps[i].Err = err
		if err != nil {
			continue
		}
		caps[i].Err = fmt.Errorf("the kernel reported no %s neighbour table", caps[i].Family)
		for _, nt := range tables {
			if nt.Family == want && nt.Config != nil {
				caps[i].Limit, caps[i].InUse, caps[i].Err = int(nt.Thresh3), int(nt.Config.Entries), nil
			}
		}
	}
}

// NeighWarnings returns, for plan and up to print before building t, one
// warning (with its fix) per neighbour table that cannot hold t's traffic
// to all its hosts at once; none when the tables are large enough. The
// tables are read from the calling process's namespace.
func NeighWarnings(t *Topology) []string {
	caps := neighNeeds(t)
	if len(caps) == 0 {
		return nil
	}
	var tables []rtnl.NeighTable
	c, err := rtnl.Dial(nil)
	if err == nil {
		tables, err = c.NeighTables(0)
		c.Close()
	}
	fillNeighCapacity(caps, tables, err)
	var out []string
	for _, nc := range caps {
		if w := nc.Warning(); w != "" {
			out = append(out, w+"; fix: "+nc.Fix())
		}
	}
	return out
}
