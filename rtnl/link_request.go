package rtnl

import (
	"errors"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// IFLA_AF_SPEC → AF_INET6 → IFLA_INET6_ADDR_GEN_MODE (Link.AddrGenModeNone)
// has two kernel constraints, both verified on 6.18:
//
//   - RTM_NEWLINK that creates a link refuses it with EAFNOSUPPORT (and no
//     extended-ACK text), on the link and on a veth peer alike; it is only
//     accepted on an existing link.
//   - do_setlink applies ifi_flags before IFLA_AF_SPEC, so a message that
//     sets IFF_UP and the mode together brings the link up with the old
//     mode: the fe80:: address is made before "none" takes effect.
//
// IPv6 configures a link (makes its fe80:: address) as soon as it is up
// and has carrier, and a bridge without ports has carrier on 6.18. So the
// requests below split such a Link into several: create it down, then set
// the mode by name, then bring it up by name (the follow-ups go in a later
// write of the Batch, only if the creation succeeded, so that they never
// change a link of that name that existed before); or, for an existing
// link, set the mode first and the rest after, in one write.

var errPeerAddrGenMode = errors.New("rtnl: a veth peer created in another namespace cannot get AddrGenModeNone at creation " +
	"(the kernel refuses IFLA_AF_SPEC when creating a link); set it with LinkSet on a Conn in that namespace before the peer comes up")

// linkMsg is one RTM_NEWLINK of a planned request.
type linkMsg struct {
	flags netlink.HeaderFlags
	link  *Link
}

// linkAddPlan returns the messages that create l: the RTM_NEWLINK with
// NLM_F_CREATE|NLM_F_EXCL, then one RTM_NEWLINK per end that asked for
// AddrGenModeNone, addressed by name.
func linkAddPlan(l *Link) ([]linkMsg, error) {
	v, isVeth := l.Info.(*Veth)
	peerNone := isVeth && v.Peer.AddrGenModeNone
	if !l.AddrGenModeNone && !peerNone {
		return []linkMsg{{netlink.Create | netlink.Excl, l}}, nil
	}
	create := *l
	create.AddrGenModeNone = false
	plan := []linkMsg{{netlink.Create | netlink.Excl, &create}}
	if l.AddrGenModeNone {
		plan = append(plan, linkMsg{0, &Link{Name: l.Name, AddrGenModeNone: true}})
		if setsUp(l) {
			create.Flags &^= unix.IFF_UP
			plan = append(plan, linkMsg{0, &Link{Name: l.Name, Flags: unix.IFF_UP, Change: unix.IFF_UP}})
		}
	}
	if peerNone {
		if v.Peer.NetNS != nil || v.Peer.Name == "" {
			return nil, errPeerAddrGenMode
		}
		peer := *v
		peer.Peer.AddrGenModeNone = false
		create.Info = &peer
		plan = append(plan, linkMsg{0, &Link{Name: v.Peer.Name, AddrGenModeNone: true}})
	}
	return plan, nil
}

// linkSetPlan returns the messages that apply l to an existing link: one,
// or, when l sets IFF_UP and AddrGenModeNone together, the mode first.
func linkSetPlan(l *Link) []linkMsg {
	if !l.AddrGenModeNone || !setsUp(l) {
		return []linkMsg{{0, l}}
	}
	mode := &Link{Index: l.Index, AddrGenModeNone: true}
	if l.Index == 0 {
		mode.Name = l.Name
	}
	rest := *l
	rest.AddrGenModeNone = false
	return []linkMsg{{0, mode}, {0, &rest}}
}

// setsUp reports whether a request brings the link up. ifi_change 0
// means "every flag" (rtnl_dev_combine_flags: "bugwards compatibility").
func setsUp(l *Link) bool {
	return l.Flags&unix.IFF_UP != 0 && (l.Change == 0 || l.Change&unix.IFF_UP != 0)
}
