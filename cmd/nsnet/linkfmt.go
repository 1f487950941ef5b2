package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/rtnl"
)

// linkGroup is IFLA_GROUP as iproute2 prints it: "default" for group 0
// (its builtin name in /etc/iproute2/group), the number otherwise.
func linkGroup(l *rtnl.Link) string {
	if l.Group == 0 {
		return "default"
	}
	return strconv.FormatUint(uint64(l.Group), 10)
}

// linkFlags returns the words iproute2 prints between < > for a link:
// rtnl's words for its flags, and M-DOWN last when the link's lower
// device is down.
func linkFlags(f rtnl.LinkFlags, mdown bool) []string {
	out := f.Words()
	if mdown {
		out = append(out, "M-DOWN")
	}
	return out
}

// linkSet is one namespace's links, as a dump returned them, with what
// printing one link needs to know about the others.
type linkSet struct {
	links   []rtnl.Link
	byIndex map[int32]*rtnl.Link
	// nsName names the namespace with an nsid (as seen from the
	// namespace the links are in), or "" when it has no name.
	nsName func(id int32) string
}

func newLinkSet(links []rtnl.Link, nsName func(int32) string) *linkSet {
	s := &linkSet{links: links, byIndex: make(map[int32]*rtnl.Link, len(links)), nsName: nsName}
	for i := range links {
		s.byIndex[links[i].Index] = &links[i]
	}
	return s
}

// name returns the name of the link with index i, or iproute2's "if%d".
func (s *linkSet) name(i int32) string {
	if l, ok := s.byIndex[i]; ok {
		return l.Name
	}
	return "if" + strconv.Itoa(int(i))
}

// peer describes IFLA_LINK as iproute2 prints it after the name: "@peer"
// (same namespace) or "@ifN" (another namespace), and whether the lower
// link is down there (M-DOWN).
func (s *linkSet) peer(l *rtnl.Link, st linkStyle) (at string, mdown bool) {
	if l.ParentIndex == 0 {
		return "", false
	}
	if l.HasLinkNetNSID && !st.inet6 {
		return "if" + strconv.Itoa(int(l.ParentIndex)), false
	}
	// iproute2's ll_index_to_flags() answers all ones for an index it
	// does not know, so M-DOWN is printed only for a known link that is down.
	p, ok := s.byIndex[l.ParentIndex]
	return s.name(l.ParentIndex), ok && !p.Up()
}

// linkStyle says which of iproute2's two link printers is meant.
type linkStyle struct {
	mode   bool // `ip link` prints "mode DEFAULT", `ip addr` does not
	lladdr bool // the link/ether line (omitted when -4/-6 filters)
	// inet6: `ip -6 addr` reads links through the kernel's AF_INET6
	// link dump (inet6_fill_ifinfo), which carries no qdisc, master,
	// group or link-netnsid; iproute2 prints what it gets, and so do we.
	inet6 bool
	// details: -d, iproute2's show_details (linkdetails.go).
	details bool
}

// writeLinkText prints a link as print_linkinfo() does, without the final
// newline's successors (the addresses of `ip addr` follow it).
func (s *linkSet) writeLinkText(w io.Writer, l *rtnl.Link, st linkStyle) {
	var b strings.Builder
	fmt.Fprintf(&b, "%d: %s", l.Index, l.Name)
	at, mdown := s.peer(l, st)
	if at != "" {
		b.WriteString("@" + at)
	}
	fmt.Fprintf(&b, ": <%s> ", strings.Join(linkFlags(l.Flags, mdown), ","))
	if l.MTU != 0 {
		fmt.Fprintf(&b, "mtu %d ", l.MTU)
	}
	if l.Qdisc != "" && !st.inet6 {
		fmt.Fprintf(&b, "qdisc %s ", l.Qdisc)
	}
	if l.Master != 0 && !st.inet6 {
		fmt.Fprintf(&b, "master %s ", s.name(int32(l.Master)))
	}
	fmt.Fprintf(&b, "state %s ", l.OperState)
	if l.HasLinkMode && st.mode {
		fmt.Fprintf(&b, "mode %s ", l.LinkMode)
	}
	if l.HasGroup && !st.inet6 {
		fmt.Fprintf(&b, "group %s ", linkGroup(l))
	}
	if l.TxQLen != 0 {
		fmt.Fprintf(&b, "qlen %d", l.TxQLen)
	}
	if st.lladdr {
		fmt.Fprintf(&b, "\n    link/%s ", l.Type)
		b.WriteString(l.Address.String())
		if len(l.Broadcast) > 0 {
			if l.Flags&rtnl.LinkPointToPoint != 0 {
				b.WriteString(" peer ")
			} else {
				b.WriteString(" brd ")
			}
			b.WriteString(l.Broadcast.String())
		}
	}
	if l.HasLinkNetNSID && !st.inet6 {
		if l.LinkNetNSID < 0 {
			b.WriteString(" link-netnsid unknown")
		} else if n := s.nsName(l.LinkNetNSID); n != "" {
			b.WriteString(" link-netns " + n)
		} else {
			fmt.Fprintf(&b, " link-netnsid %d", l.LinkNetNSID)
		}
	}
	if st.details {
		text, _ := s.linkDetails(l)
		b.WriteString(text)
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// addPeerJSON adds IFLA_LINK to o as ip -j prints it: "link", the peer's
// name, or "link_index", its index in another namespace. It returns
// whether the peer is down (M-DOWN), as peer does.
func (s *linkSet) addPeerJSON(o *jobj, l *rtnl.Link, st linkStyle) (mdown bool) {
	at, mdown := s.peer(l, st)
	if at != "" {
		if l.HasLinkNetNSID && !st.inet6 {
			o.add(jLinkIndex, l.ParentIndex)
		} else {
			o.add(jLink, at)
		}
	}
	return mdown
}

// linkJSON is the link as `ip -j link` prints it (and, without
// linkmode, the head of an `ip -j addr` entry).
func (s *linkSet) linkJSON(l *rtnl.Link, st linkStyle) jobj {
	o := jobj{{jIfindex, l.Index}}
	mdown := s.addPeerJSON(&o, l, st)
	o.add(jIfname, l.Name)
	o.add(jFlags, linkFlags(l.Flags, mdown))
	if l.MTU != 0 {
		o.add(jMTU, l.MTU)
	}
	if l.Qdisc != "" && !st.inet6 {
		o.add(jQdisc, l.Qdisc)
	}
	if l.Master != 0 && !st.inet6 {
		o.add(jMaster, s.name(int32(l.Master)))
	}
	o.add(jOperstate, l.OperState.String())
	if l.HasLinkMode && st.mode {
		o.add(jLinkmode, l.LinkMode.String())
	}
	if l.HasGroup && !st.inet6 {
		o.add(jGroup, linkGroup(l))
	}
	if l.TxQLen != 0 {
		o.add(jTxqlen, l.TxQLen)
	}
	if st.lladdr {
		o.add(jLinkType, l.Type.String())
		if l.Address != nil {
			o.add(jAddress, l.Address.String())
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&rtnl.LinkPointToPoint != 0 {
				o.add(jLinkPtp, true)
			}
			o.add(jBroadcast, l.Broadcast.String())
		}
	}
	if l.HasLinkNetNSID && !st.inet6 {
		o.add(jLinkNetnsid, l.LinkNetNSID)
	}
	if st.details {
		_, fields := s.linkDetails(l)
		o = append(o, fields...)
	}
	return o
}

// writeLinkBrief prints a link as print_linkinfo_brief() does for
// `ip -br link` (addrs nil) and `ip -br addr` (its addresses follow).
func (s *linkSet) writeLinkBrief(w io.Writer, l *rtnl.Link, st linkStyle, addrs []*rtnl.Addr, withAddrs bool) {
	name := l.Name
	at, mdown := s.peer(l, st)
	if at != "" {
		name += "@" + at
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %-14s ", name, l.OperState)
	if withAddrs {
		for _, a := range addrs {
			fmt.Fprintf(&b, "%s/%d ", a.IP(), a.PrefixLen)
		}
	} else {
		if l.Address != nil {
			fmt.Fprintf(&b, "%s ", l.Address)
		}
		fmt.Fprintf(&b, "<%s> ", strings.Join(linkFlags(l.Flags, mdown), ","))
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// linkBriefJSON is one element of `ip -j -br link` / `ip -j -br addr`.
func (s *linkSet) linkBriefJSON(l *rtnl.Link, st linkStyle, addrs []*rtnl.Addr, withAddrs bool) jobj {
	var o jobj
	mdown := s.addPeerJSON(&o, l, st)
	o.add(jIfname, l.Name)
	o.add(jOperstate, l.OperState.String())
	if withAddrs {
		info := []jobj{}
		for _, a := range addrs {
			info = append(info, jobj{{jLocal, a.IP().String()}, {jPrefixlen, a.PrefixLen}})
		}
		o.add(jAddrInfo, info)
		return o
	}
	if l.Address != nil {
		o.add(jAddress, l.Address.String())
	}
	o.add(jFlags, linkFlags(l.Flags, mdown))
	return o
}
