package netops

import (
	"net"
	"net/netip"

	"github.com/nsnet/nsnet/firewall"
)

// An Attachment joins a namespace to a bridge on the host with a veth born
// inside the namespace: what `nsnet up` does for each namespace of a
// topology and a CNI ADD for each container.
type Attachment struct {
	Bridge     int32            // the bridge's ifindex on the host (EnsureBridge's)
	BridgeName string           // for messages
	HostIf     string           // the host end, up and enslaved at creation
	IfName     string           // the end inside the namespace (CNI_IFNAME)
	MTU        uint32           // both ends; 0: the kernel's default
	MAC        net.HardwareAddr // the namespace end's; nil: the kernel's random one
	HostMAC    net.HardwareAddr // the host end's; nil: the kernel's random one
	Addrs      []netip.Prefix   // on the namespace end
	// Routes are added in the namespace after the addresses; a Route
	// with Index 0 goes out of the namespace end.
	Routes  []Route
	NoIPv6  bool // no IPv6 link-local addresses on either end (no DAD, no MLD)
	Hairpin bool // the host end's bridge port in hairpin mode
	// LoUp also brings lo up in the same write. LoWasDown says lo was
	// down in a namespace that existed before (see Batch.LoUp).
	LoUp, LoWasDown bool
}

// Attach makes a: one RTM_NEWLINK from the host's socket creates the veth
// with its namespace end born in ns (IFLA_NET_NS_FD) and its host end up
// and on the bridge, whose echo gives both indexes; hairpin, if asked,
// follows on the host; then one write on ns's socket brings lo (if asked)
// and the namespace end up and adds the addresses and routes. Every step
// the kernel confirmed is journaled in j; on an error the caller undoes j
// (or carries on, for an error it tolerates). An interface name already
// taken on either side is a *ConflictError, and nothing is made.
func Attach(j *Journal, host, ns *NS, a Attachment) (Pair, error) {
	p, err := CreateVeth(j, host, Veth{Name: a.HostIf, Peer: a.IfName, PeerNS: ns, Master: a.Bridge, MasterName: a.BridgeName,
		MTU: a.MTU, MAC: a.HostMAC, PeerMAC: a.MAC, NoIPv6: a.NoIPv6})
	if err != nil {
		return p, err
	}
	if a.Hairpin {
		if err := SetLink(j, host, LinkChange{Index: p.Index, Name: a.HostIf, Hairpin: true}); err != nil {
			return p, err
		}
	}
	b := NewBatch(j, ns)
	if a.LoUp {
		b.LoUp(a.LoWasDown)
	}
	b.LinkUp(LinkUp{Index: p.PeerIndex, Name: a.IfName, NoIPv6: a.NoIPv6})
	for _, pfx := range a.Addrs {
		b.AddrAdd(Addr{Index: p.PeerIndex, Dev: a.IfName, Prefix: pfx})
	}
	for _, r := range a.Routes {
		if r.Index == 0 {
			r.Index, r.Dev = p.PeerIndex, a.IfName
		}
		b.RouteAdd(r)
	}
	return p, b.Flush()
}

// DeleteLink deletes the link called name in ns if it is of kind ("veth",
// "bridge"): teardown by name (CNI DEL, `nsnet down`), which needs no
// journal. A missing link is (false, nil); one of another kind is left
// alone and is a *ConflictError: it is not what the caller made.
func DeleteLink(ns *NS, name, kind string) (deleted bool, err error) {
	obj := Object{Kind: KindLink, NS: ns.label, Name: name}
	c, err := ns.conn()
	if err != nil {
		return false, &Error{Verb: Delete, Object: obj, Err: err}
	}
	defer ns.put(c)
	l, err := c.LinkByName(name)
	if ignoreMissing(err) == nil && err != nil {
		return false, nil
	}
	if err != nil {
		return false, &Error{Verb: Delete, Object: obj, Err: err}
	}
	if l.Kind() != kind {
		return false, &ConflictError{Object: obj, Found: "a " + KindWord(l) + " link, not a " + kind}
	}
	if err := c.LinkDel(l.Index); err != nil {
		if ignoreMissing(err) == nil {
			return false, nil
		}
		return false, &Error{Verb: Delete, Object: obj, Err: err}
	}
	return true, nil
}

// DeleteNAT deletes the copies of a masquerade or port forward of table
// inet nsnet in ns that carry one of owners' marks, in one transaction
// (firewall.NAT.DelOwned; and the table when nothing else is left in it):
// `down` of one of two files that share a rule takes its claim away, and
// the rule stays for the other. One that none of owners has a copy of is
// (false, nil).
func DeleteNAT(ns *NS, owners []string, rule firewall.NATRule) (deleted bool, err error) {
	obj := natObject(ns, rule)
	nat, err := ns.nat()
	if err != nil {
		return false, &Error{Verb: Delete, Object: obj, Err: err}
	}
	n, err := nat.DelOwned(owners, []firewall.NATRule{rule})
	if err != nil {
		return false, &Error{Verb: Delete, Object: obj, Err: err}
	}
	return n > 0, nil
}
