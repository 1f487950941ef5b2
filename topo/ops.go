package topo

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/netops"
	"github.com/nsnet/nsnet/rtnl"
)

// An operation is what up does about one Step: one small type per kind of
// object, holding the plan's data for it, that makes its change through
// netops (which journals the exact undo). diff builds them; apply.go only
// orders them.
type operation interface {
	step() int // the Step's position in the plan
}

// at is the part every operation has: its Step's position.
type at int

func (a at) step() int { return int(a) }

// A linkRef is an interface up works on: one that observe saw (its index
// is known) or one that an operation of this run creates (its index is
// known once that operation is done). It replaces looking links up by
// name: creations report their indexes (NLM_F_ECHO).
type linkRef struct {
	ns, name string
	seen     int32  // the index observe saw; 0: not there
	made     *int32 // the index the creating operation learnt; nil: none creates it
}

// index returns the link's index.
func (l *linkRef) index() (int32, error) {
	if l.made != nil && *l.made != 0 {
		return *l.made, nil
	}
	if l.seen != 0 {
		return l.seen, nil
	}
	return 0, &missingLink{ns: l.ns, name: l.name}
}

// missingLink is a link an operation needs that neither observe saw nor
// this run made.
type missingLink struct{ ns, name string }

func (e *missingLink) Error() string {
	return fmt.Sprintf("link %s in %s: not there", e.name, nsWord(e.ns))
}

// netnsOp creates a namespace, or brings lo up in one that exists.
type netnsOp struct {
	at
	name   string
	create bool // else lo is down in the existing namespace: bring it up
}

// bridgeOp creates a bridge, or fixes one that is there.
type bridgeOp struct {
	at
	br     *Bridge
	create bool
	up     bool // Change: set it up
	mtu    bool // Change: set its MTU
	seen   int32
	index  int32 // the bridge's index once created or found
	noIPv6 bool
}

func (o *bridgeOp) apply(r *run) error {
	h := r.sys.host.ops
	if o.create {
		idx, _, err := netops.EnsureBridge(r.j, h, netops.Bridge{Name: o.br.Name, MTU: uint32(o.br.MTU), NoIPv6: o.noIPv6})
		o.index = idx
		return err
	}
	o.index = o.seen
	ch := netops.LinkChange{Index: o.seen, Name: o.br.Name, Up: o.up}
	if o.mtu {
		ch.MTU = uint32(o.br.MTU)
	}
	return netops.SetLink(r.j, h, ch)
}

// vethOp creates a veth pair, or fixes one that is there. a is the end
// inside a namespace when there is one; b is created from its namespace's
// socket, up (and on its bridge) at once, with a born in a's namespace,
// down (a veth peer cannot be created up), brought up by a's namespace
// batch.
type vethOp struct {
	at
	v      *Veth
	a, b   End
	owner  string // the namespace whose worker creates it; "" for a pair between two namespaces (or on the host)
	create bool
	// Change: bring b up, bring a up, attach b to its bridge.
	upB, upA, attach bool
	bridge           *linkRef // b's bridge, if any
	seenA, seenB     int32
	pair             netops.Pair // once created
	noIPv6           bool
}

// late reports whether o is made after the namespaces' workers: a pair
// between two namespaces (or on the host), which no single worker owns.
func (o *vethOp) late() bool { return o.owner == "" }

// refs returns refs to a and b, whose indexes this operation learns when
// it creates them (or observe saw).
func (o *vethOp) refs() (a, b *linkRef) {
	return &linkRef{ns: o.a.Netns, name: o.a.Name, seen: o.seenA, made: &o.pair.PeerIndex},
		&linkRef{ns: o.b.Netns, name: o.b.Name, seen: o.seenB, made: &o.pair.Index}
}

func (o *vethOp) apply(r *run) error {
	ha, hb := r.sys.get(o.a.Netns), r.sys.get(o.b.Netns)
	if ha == nil || hb == nil {
		return fmt.Errorf("namespace %s or %s: %w", o.a.Netns, o.b.Netns, errNotOpen)
	}
	var master int32
	if o.bridge != nil {
		idx, err := o.bridge.index()
		if err != nil {
			return err
		}
		master = idx
	}
	if !o.create {
		if !o.upB && !o.attach {
			return nil
		}
		ch := netops.LinkChange{Index: o.seenB, Name: o.b.Name, Up: o.upB}
		if o.attach {
			ch.Master = master
		}
		return netops.SetLink(r.j, hb.ops, ch)
	}
	p, err := netops.CreateVeth(r.j, hb.ops, netops.Veth{Name: o.b.Name, Peer: o.a.Name, PeerNS: ha.ops,
		Master: master, MasterName: o.b.Bridge, NoIPv6: o.noIPv6})
	o.pair = p
	return err
}

// queueUp queues bringing a up in its namespace's batch: a created a (with
// no IPv6 when the file has none, set before it comes up: the kernel
// refuses the mode at creation), or an existing a that was down. It
// returns false if o has nothing for that batch.
func (o *vethOp) queueUp(b *netops.Batch) (bool, error) {
	if !o.create && !o.upA {
		return false, nil
	}
	ref, _ := o.refs()
	idx, err := ref.index()
	if err != nil {
		return false, err
	}
	b.LinkUp(netops.LinkUp{Index: idx, Name: o.a.Name, NoIPv6: o.create && o.noIPv6, WasDown: !o.create})
	return true, nil
}

// addrOp adds an address.
type addrOp struct {
	at
	ns       string
	dev      *linkRef
	pfx      netip.Prefix
	onBridge bool
	late     bool // on an end of a late veth: added once it exists
}

func (o *addrOp) queue(b *netops.Batch) error {
	idx, err := o.dev.index()
	if err != nil {
		return err
	}
	b.AddrAdd(netops.Addr{Index: idx, Dev: o.dev.name, Prefix: o.pfx, OnBridge: o.onBridge})
	return nil
}

// routeOp adds a route, or replaces the one that has its place.
type routeOp struct {
	at
	ns  string
	r   Route
	dev *linkRef    // nil: the kernel picks the device from the gateway
	old *rtnl.Route // Change: the route it replaces
}

func (o *routeOp) queue(b *netops.Batch) error {
	rt := netops.Route{Dst: o.r.To, Gateway: o.r.Via, Metric: o.r.Metric, Dev: o.r.Dev, Replaces: o.old}
	if o.dev != nil {
		idx, err := o.dev.index()
		if err != nil {
			return err
		}
		rt.Index = idx
	}
	b.RouteAdd(rt)
	return nil
}

// forwardingOp sets a namespace's forwarding sysctls to 1.
type forwardingOp struct {
	at
	ns   string
	keys []string
}

func (o *forwardingOp) apply(r *run) error {
	h := r.sys.get(o.ns)
	if h == nil {
		return fmt.Errorf("namespace %s is not open", o.ns)
	}
	for _, k := range o.keys {
		if err := netops.Sysctl(r.j, h.ops, k, "1"); err != nil {
			return err
		}
	}
	return nil
}

// natOp adds a masquerade or a port forward.
type natOp struct {
	at
	rule  firewall.NATRule
	owner string // natOwner's
	// claim: the rule is already there (an Exists step), but not the
	// owner's copy of it, which apply adds without counting a step.
	claim bool
}

func (o *natOp) apply(r *run) error {
	_, err := netops.AddNAT(r.j, r.sys.host.ops, o.owner, o.rule)
	return err
}

// errNotOpen is a namespace an operation needs that is not open.
var errNotOpen = errors.New("namespace is not open")
