package netops

import (
	"errors"
	"math/rand/v2"
	"net"
	"runtime"
	"strconv"

	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// vethQueues is the number of TX and RX queues each end of a veth gets
// (IFLA_NUM_TX_QUEUES / IFLA_NUM_RX_QUEUES): a veth otherwise gets one
// per possible CPU, and allocating them is ~270 µs of a pair's creation
// (measured in bench/). A namespace's single veth gains nothing from more.
const vethQueues = 1

// A Bridge is a bridge as a change declares it.
type Bridge struct {
	Name string
	MTU  uint32 // IFLA_MTU at creation; 0: the kernel's default
	// MAC is the bridge's address at creation. nil: a random locally
	// administered one, fixed at creation. Otherwise the bridge takes the
	// lowest MAC of its ports and changes it when ports come and go, and
	// every namespace's ARP entry for the host's address goes stale
	// (Docker sets docker0's MAC for the same reason).
	MAC     net.HardwareAddr
	NoIPv6  bool // no IPv6 link-local address (IFLA_INET6_ADDR_GEN_MODE none, before it comes up)
	Promisc bool // IFF_PROMISC at creation (the CNI bridge plugin's promiscMode)
}

// EnsureBridge makes the bridge b exist, up, in ns: it creates it (and
// records its deletion), or finds one that is already there, whoever made
// it and when (a concurrent `up` or CNI ADD creating the same bridge is
// not an error), and records nothing for it. It does not change a bridge
// that was there: SetLink does, journaled, when the caller decided to. A
// link of another kind with the name is a *ConflictError. It returns the
// bridge's ifindex and whether this call created it.
func EnsureBridge(j *Journal, ns *NS, b Bridge) (index int32, created bool, err error) {
	obj := Object{Kind: KindBridge, NS: ns.label, Name: b.Name}
	if err := j.before(obj); err != nil {
		return 0, false, &Error{Verb: Create, Object: obj, Err: err}
	}
	c, err := ns.conn()
	if err != nil {
		return 0, false, &Error{Verb: Create, Object: obj, Err: err}
	}
	defer ns.put(c)
	mac := b.MAC
	if mac == nil {
		// math/rand/v2 is enough for a locally administered address and,
		// unlike crypto/rand, adds nothing to the binary.
		mac = make(net.HardwareAddr, 6)
		for i := range mac {
			mac[i] = byte(rand.Uint32())
		}
		mac[0] = mac[0]&0xfe | 0x02 // unicast, locally administered
	}
	l := &rtnl.Link{Name: b.Name, Info: &rtnl.Bridge{}, MTU: b.MTU, Address: mac,
		Flags: unix.IFF_UP, Change: unix.IFF_UP, AddrGenModeNone: b.NoIPv6}
	if b.Promisc {
		l.Flags, l.Change = l.Flags|unix.IFF_PROMISC, l.Change|unix.IFF_PROMISC
	}
	got, err := create(c, l)
	if got != 0 {
		j.record(entry{verb: Create, obj: obj, ns: ns, link: got, made: true, shared: true, undo: delLink(ns, got)})
		if err != nil {
			return got, true, &Error{Verb: Create, Object: obj, Err: err}
		}
		return got, true, nil
	}
	if !errors.Is(err, unix.EEXIST) {
		return 0, false, &Error{Verb: Create, Object: obj, Err: err}
	}
	old, lerr := c.LinkByName(b.Name)
	if lerr != nil {
		// EEXIST, then gone: a concurrent writer deleted it meanwhile.
		return 0, false, &Error{Verb: Create, Object: obj, Err: err}
	}
	if old.Kind() != "bridge" {
		return 0, false, &ConflictError{Object: obj, Found: "a " + KindWord(old) + " link"}
	}
	return old.Index, false, nil
}

// KindWord is a link's kind as messages name it: "veth", "bridge", or
// "device" for a link without one (lo, a physical interface).
func KindWord(l *rtnl.Link) string {
	if k := l.Kind(); k != "" {
		return k
	}
	return "device"
}

// create sends l's creation with NLM_F_ECHO and returns the new link's
// index when the kernel confirmed the creation (0 otherwise: EEXIST means
// the name is someone else's), with the error of the creation or of its
// follow-ups (AddrGenModeNone, then IFF_UP: rtnl sends them only after
// the creation succeeded, and by name, so never to a link that was there
// before). A non-zero index with an error is a link this call made whose
// follow-up failed.
func create(c *rtnl.Conn, l *rtnl.Link) (int32, error) {
	var got rtnl.Link
	b := c.Batch()
	b.LinkCreate(l, &got)
	results, err := b.FlushEach()
	if err == nil && len(results) == 1 {
		err = results[0]
	}
	if got.Index == 0 && err == nil {
		// A kernel before 6.1 ignores NLM_F_ECHO; the creation was
		// acknowledged, so the link of that name is ours.
		nl, lerr := c.LinkByName(l.Name)
		if lerr != nil {
			return 0, lerr
		}
		return nl.Index, nil
	}
	return stillThere(c, got.Index, err), err
}

// stillThere returns index if the link the kernel reported creating is
// there, else 0. The kernel sends its NLM_F_ECHO report when it registers
// the link, before it applies the rest of the request: when that fails
// (IFLA_MASTER naming a bridge that is gone: EINVAL) it unregisters the
// link again and the request fails, report or not (verified on 6.18). An
// error with a report is therefore a link this run made only if the link
// is still there (a follow-up failed).
func stillThere(c *rtnl.Conn, index int32, err error) int32 {
	if index == 0 || err == nil {
		return index
	}
	if _, lerr := c.LinkByIndex(index); lerr != nil {
		return 0
	}
	return index
}

// delLink is the undo of a link's creation: delete it by index (a name
// could be someone else's by then). Deleting a veth end deletes the pair.
func delLink(ns *NS, index int32) func() error {
	return func() error {
		c, err := ns.conn()
		if err != nil {
			return err
		}
		defer ns.put(c)
		return ignoreMissing(c.LinkDel(index))
	}
}

// A Veth is a veth pair as a change declares it: Name is created in the
// namespace the change is made from, Peer is born directly in PeerNS
// (IFLA_NET_NS_FD, never moved), both with one TX and one RX queue.
type Veth struct {
	Name    string
	Peer    string
	PeerNS  *NS    // nil: the same namespace
	Master  int32  // ifindex of the bridge Name joins in the same RTM_NEWLINK (0: none)
	MTU     uint32 // both ends; 0: the kernel's default
	MAC     net.HardwareAddr
	PeerMAC net.HardwareAddr
	// NoIPv6: no IPv6 link-local address on Name (set before it comes
	// up); the peer gets it when its namespace's Batch brings it up
	// (LinkUp with NoIPv6): the kernel refuses the mode at creation.
	NoIPv6 bool
	// MasterName names the bridge in messages (a master that disappeared
	// is reported as such).
	MasterName string
}

// A Pair is a created veth's ends as the kernel's report of the creation
// gives them (no lookup): Index in the namespace it was created from,
// PeerIndex in the peer's, and MAC, the address of the end at Index (the
// peer's is not in the report: it is Veth.PeerMAC when one was given).
type Pair struct {
	Index, PeerIndex int32
	MAC              net.HardwareAddr
}

// CreateVeth creates v from ns in one RTM_NEWLINK: Name up and enslaved
// to Master, Peer born down in PeerNS (a veth peer cannot be created up:
// veth_newlink answers ENOTCONN; the peer's namespace Batch brings it up
// with LinkUp). It records the pair's deletion only when the kernel
// confirmed the creation: a name that is taken (EEXIST) is someone
// else's, and is a *ConflictError naming it.
func CreateVeth(j *Journal, ns *NS, v Veth) (Pair, error) {
	obj := Object{Kind: KindVeth, NS: ns.label, Name: v.Name}
	if err := j.before(obj); err != nil {
		return Pair{}, &Error{Verb: Create, Object: obj, Err: err}
	}
	c, err := ns.conn()
	if err != nil {
		return Pair{}, &Error{Verb: Create, Object: obj, Err: err}
	}
	defer ns.put(c)
	peer := rtnl.Link{Name: v.Peer, MTU: v.MTU, Address: v.PeerMAC, NumTxQueues: vethQueues, NumRxQueues: vethQueues}
	if v.PeerNS != nil {
		peer.NetNS = v.PeerNS.ns.File()
	}
	l := &rtnl.Link{Name: v.Name, Master: uint32(v.Master), MTU: v.MTU, Address: v.MAC,
		NumTxQueues: vethQueues, NumRxQueues: vethQueues,
		Flags: unix.IFF_UP, Change: unix.IFF_UP, AddrGenModeNone: v.NoIPv6,
		Info: &rtnl.Veth{Peer: peer}}
	var got rtnl.Link
	b := c.Batch()
	b.LinkCreate(l, &got)
	results, err := b.FlushEach()
	if v.PeerNS != nil {
		keepAlive(v.PeerNS)
	}
	if err == nil {
		err = results[0]
	}
	if got.Index == 0 && err == nil {
		// No NLM_F_ECHO report (a kernel before 6.1): look both up.
		nl, lerr := c.LinkByName(v.Name)
		if lerr != nil {
			return Pair{}, &Error{Verb: Create, Object: obj, Err: lerr}
		}
		got = *nl
	}
	got.Index = stillThere(c, got.Index, err)
	if got.Index != 0 {
		peerNS := v.PeerNS
		if peerNS == nil {
			peerNS = ns
		}
		j.record(entry{verb: Create, obj: obj, ns: ns, link: got.Index, made: true,
			peer: v.PeerNS, peerLink: got.ParentIndex, peerIn: peerNS, undo: delLink(ns, got.Index)})
	}
	p := Pair{Index: got.Index, PeerIndex: got.ParentIndex, MAC: got.Address}
	switch {
	case err == nil:
		return p, nil
	case got.Index == 0 && errors.Is(err, unix.EEXIST):
		return p, &ConflictError{Object: obj, Found: "a link named " + v.Name + " in " + ns.label + " or " + v.Peer + " in " + peerLabel(v.PeerNS, ns)}
	case got.Index == 0 && v.Master != 0 && (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENODEV)):
		// The kernel answers EINVAL for a master that does not exist:
		// say that the bridge went away (a concurrent down), if it did.
		if _, lerr := c.LinkByIndex(v.Master); errors.Is(lerr, unix.ENODEV) {
			name := v.MasterName
			if name == "" {
				name = "index " + itoa(v.Master)
			}
			return p, &Error{Verb: Create, Object: obj, Err: &GoneError{Object: Object{Kind: KindBridge, NS: ns.label, Name: name}, Err: err}}
		}
	}
	return p, &Error{Verb: Create, Object: obj, Err: err}
}

func peerLabel(peer, ns *NS) string {
	if peer == nil {
		return ns.label
	}
	return peer.label
}

// A LinkChange is a change of settings of an existing link, found by
// Index: each non-zero field is applied, and SetLink records the exact
// undo of what it changed (the old values, as read just before).
type LinkChange struct {
	Index int32
	Name  string // for messages
	Up    bool   // set IFF_UP
	MTU   uint32
	// Master enslaves the link to this bridge (ifindex).
	Master int32
	// Hairpin turns on the bridge port's hairpin mode
	// (IFLA_BRPORT_MODE): frames may go back out of the port they came
	// in by, which a namespace reaching itself through a port forward
	// on the host needs.
	Hairpin bool
}

// SetLink applies ch to the link in ns and records the undo of what it
// changed: the link goes back down, to its old MTU, to its old master
// (or none), out of hairpin mode. Nothing that already was as ch says is
// changed or recorded.
func SetLink(j *Journal, ns *NS, ch LinkChange) error {
	obj := Object{Kind: KindLink, NS: ns.label, Name: ch.Name}
	if obj.Name == "" {
		obj.Name = "index " + itoa(ch.Index)
	}
	if err := j.before(obj); err != nil {
		return &Error{Verb: Set, Object: obj, Err: err}
	}
	c, err := ns.conn()
	if err != nil {
		return &Error{Verb: Set, Object: obj, Err: err}
	}
	defer ns.put(c)
	old, err := c.LinkByIndex(ch.Index)
	if err != nil {
		return &Error{Verb: Set, Object: obj, Err: err}
	}
	set := &rtnl.Link{Index: ch.Index}
	back := &rtnl.Link{Index: ch.Index}
	var down *downState
	if ch.Up && !old.Up() {
		set.Flags, set.Change = unix.IFF_UP, unix.IFF_UP
		d, err := readDownState(c, old)
		if err != nil {
			return &Error{Verb: Set, Object: obj, Err: err}
		}
		down = &d
	}
	if ch.MTU != 0 && ch.MTU != old.MTU {
		set.MTU, back.MTU = ch.MTU, old.MTU
	}
	if ch.Master != 0 && uint32(ch.Master) != old.Master {
		set.Master = uint32(ch.Master)
		if old.Master != 0 {
			back.Master = old.Master
		} else {
			back.NoMaster = true
		}
	}
	if set.Change != 0 || set.MTU != 0 || set.Master != 0 {
		if err := c.LinkSet(set); err != nil {
			return &Error{Verb: Set, Object: obj, Err: err}
		}
		j.record(entry{verb: Set, obj: obj, ns: ns, link: ch.Index, undo: func() error {
			c, err := ns.conn()
			if err != nil {
				return err
			}
			defer ns.put(c)
			if back.MTU != 0 || back.Master != 0 || back.NoMaster {
				if err := ignoreMissing(c.LinkSet(back)); err != nil {
					return err
				}
			}
			if down != nil {
				return down.restore(c)
			}
			return nil
		}})
	}
	if ch.Hairpin {
		if err := setHairpin(j, ns, c, obj, ch.Index); err != nil {
			return err
		}
	}
	return nil
}

// setHairpin turns on hairpin mode on the bridge port index, recording
// the undo (off) when it was off.
func setHairpin(j *Journal, ns *NS, c *rtnl.Conn, obj Object, index int32) error {
	old, err := c.LinkByIndex(index)
	if err != nil {
		return &Error{Verb: Set, Object: obj, Err: err}
	}
	if p, ok := old.BridgePort(); ok && p.Hairpin {
		return nil
	}
	set := &rtnl.Link{Index: index}
	set.SetBridgePort(rtnl.BridgePort{Hairpin: true})
	if err := c.LinkSet(set); err != nil {
		return &Error{Verb: Set, Object: obj, Err: err}
	}
	j.record(entry{verb: Set, obj: obj, ns: ns, link: index, undo: func() error {
		c, err := ns.conn()
		if err != nil {
			return err
		}
		defer ns.put(c)
		back := &rtnl.Link{Index: index}
		back.SetBridgePort(rtnl.BridgePort{})
		return ignoreMissing(c.LinkSet(back))
	}})
	return nil
}

func itoa(i int32) string { return strconv.Itoa(int(i)) }

// keepAlive keeps n's namespace file open until here: its descriptor was
// passed in a request (IFLA_NET_NS_FD).
func keepAlive(n *NS) { runtime.KeepAlive(n.ns) }
