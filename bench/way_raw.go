package bench

import (
	"errors"
	"sync"
)

// peerIndex is the ifindex the kernel gives the first link created in a
// fresh namespace after lo (1): ifindexes are allocated per namespace.
// The floor relies on it instead of asking; a wrong guess fails the batch.
const peerIndex = 2

// rawWay is the floor: hand-written netlink, the peer born in its
// namespace, the host end born up on the bridge, one batch per namespace,
// no moves, no dumps, no lookups. With noIPv6 the new links also get
// IFLA_INET6_ADDR_GEN_MODE none; with oneQueue (only with noIPv6) the veth
// ends get one queue each (see vethAdd).
func rawWay(noIPv6, oneQueue bool) Way {
	w := Way{
		Key:      "raw",
		Name:     "raw syscalls (floor)",
		Teardown: "delete namespace (umount+unlink)",
	}
	switch {
	case oneQueue:
		w.Key, w.Name, w.NoIPv6, w.OneQueue = "raw-1q", "raw syscalls, no IPv6, 1-queue veth", true, true
	case noIPv6:
		w.Key, w.Name, w.NoIPv6 = "raw-noipv6", "raw syscalls, addr-gen-mode none", true
	}
	w.Start = func(e *Env) (Instance, error) {
		return &rawRun{e: e, mk: newNSMaker(), noIPv6: noIPv6 || oneQueue, oneQueue: oneQueue}, nil
	}
	return w
}

type rawRun struct {
	e        *Env
	mk       *nsMaker
	noIPv6   bool
	oneQueue bool
	stop     sync.Once // ends the maker's thread, which sits in the last namespace made
}

func (r *rawRun) Setup(i int) error {
	ns, err := r.mk.create(r.e.NS(i))
	if err != nil {
		return err
	}
	h := r.e.Host(i)
	add := vethAdd(h, r.e.BridgeIdx, "eth0", int(ns.f.Fd()), r.noIPv6, r.oneQueue)
	if r.noIPv6 {
		err = r.e.host.send([]string{"veth add", "addrgenmode none", "up"}, add, noIPv6Msg(0, h), linkUpByName(h))
	} else {
		err = r.e.host.send([]string{"veth add"}, add)
	}
	if err == nil {
		if r.noIPv6 {
			err = ns.sock.send([]string{"lo up", "addrgenmode none", "eth0 up", "addr add", "route add"},
				linkUp(1),
				noIPv6Msg(peerIndex, ""),
				linkUp(peerIndex),
				addrAdd(peerIndex, r.e.Addr(i)),
				defaultRoute(peerIndex, r.e.GW.Addr()))
		} else {
			err = ns.sock.send([]string{"lo up", "eth0 up", "addr add", "route add"},
				linkUp(1),
				linkUp(peerIndex),
				addrAdd(peerIndex, r.e.Addr(i)),
				defaultRoute(peerIndex, r.e.GW.Addr()))
		}
	}
	return errors.Join(err, ns.Close())
}

func (r *rawRun) Teardown(i int) error {
	r.stop.Do(r.mk.Close)
	return deleteNamed(r.e.NS(i))
}

func (r *rawRun) Close() error {
	r.stop.Do(r.mk.Close)
	return nil
}
