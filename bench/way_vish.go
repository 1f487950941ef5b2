package bench

import (
	"errors"
	"fmt"
	"net"
	"runtime"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// vishDockerWay uses github.com/vishvananda/netlink + netns the way Docker's
// libnetwork does: the package-level functions (a new socket per request,
// in the calling thread's namespace), the veth created in the host and its
// peer moved with LinkSetNsFd, renamed to eth0 inside, and netns.Set to
// switch the locked thread in and back out.
func vishDockerWay() Way {
	return Way{
		Key:      "vish-docker",
		Name:     "vishvananda/netlink, Docker style (move + setns)",
		Teardown: "vishvananda LinkDel + netns.DeleteNamed",
		Start: func(e *Env) (Instance, error) {
			return &vishDockerRun{e: e, br: &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: e.Bridge, Index: int(e.BridgeIdx)}}}, nil
		},
	}
}

type vishDockerRun struct {
	e  *Env
	br *netlink.Bridge
}

func (r *vishDockerRun) Setup(i int) error {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	ns, err := netns.NewNamed(r.e.NS(i))
	if rerr := netns.Set(orig); rerr != nil {
		// The thread is in the wrong namespace: keep it locked so that the
		// runtime discards it with its goroutine.
		return fmt.Errorf("netns.Set back: %w", rerr)
	}
	runtime.UnlockOSThread()
	if err != nil {
		return fmt.Errorf("netns.NewNamed: %w", err)
	}
	defer ns.Close()
	h, p := r.e.Host(i), r.e.Peer(i)
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: h}, PeerName: p}); err != nil {
		return fmt.Errorf("veth add: %w", err)
	}
	peer, err := netlink.LinkByName(p)
	if err != nil {
		return err
	}
	if err := netlink.LinkSetNsFd(peer, int(ns)); err != nil {
		return fmt.Errorf("move peer: %w", err)
	}
	host, err := netlink.LinkByName(h)
	if err != nil {
		return err
	}
	if err := netlink.LinkSetMaster(host, r.br); err != nil {
		return fmt.Errorf("set master: %w", err)
	}
	if err := netlink.LinkSetUp(host); err != nil {
		return fmt.Errorf("host up: %w", err)
	}
	return r.inside(ns, i)
}

// inside configures the namespace from a thread switched into it.
func (r *vishDockerRun) inside(ns netns.NsHandle, i int) error {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	if err := netns.Set(ns); err != nil {
		runtime.UnlockOSThread()
		return err
	}
	err = r.configure(i)
	if rerr := netns.Set(orig); rerr != nil {
		return errors.Join(err, fmt.Errorf("netns.Set back: %w", rerr)) // thread stays locked, discarded
	}
	runtime.UnlockOSThread()
	return err
}

func (r *vishDockerRun) configure(i int) error {
	l, err := netlink.LinkByName(r.e.Peer(i))
	if err != nil {
		return err
	}
	if err := netlink.LinkSetName(l, "eth0"); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	a := r.e.Addr(i)
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: a.Addr().AsSlice(), Mask: net.CIDRMask(a.Bits(), 32)}}
	if err := netlink.AddrAdd(l, addr); err != nil {
		return fmt.Errorf("addr add: %w", err)
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("eth0 up: %w", err)
	}
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return err
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	gw := r.e.GW.Addr().AsSlice()
	if err := netlink.RouteAdd(&netlink.Route{LinkIndex: l.Attrs().Index, Gw: gw}); err != nil {
		return fmt.Errorf("route add: %w", err)
	}
	return nil
}

func (r *vishDockerRun) Teardown(i int) error {
	l, err := netlink.LinkByName(r.e.Host(i))
	if err != nil {
		return err
	}
	if err := netlink.LinkDel(l); err != nil {
		return fmt.Errorf("link del: %w", err)
	}
	return netns.DeleteNamed(r.e.NS(i))
}

func (r *vishDockerRun) Close() error { return nil }

// vishBestWay uses the same library as well as it allows: the namespace
// made on a throwaway thread, one handle for the host and one made in the
// namespace (NewHandleAt), the peer born in its namespace (PeerNamespace)
// and the host end created up with MasterIndex (the library still sends a
// lookup and a separate set-master after the create).
func vishBestWay() Way {
	return Way{
		Key:      "vish-best",
		Name:     "vishvananda/netlink at its best (peer born in ns)",
		Teardown: "netns.DeleteNamed",
		Start: func(e *Env) (Instance, error) {
			h, err := netlink.NewHandle()
			if err != nil {
				return nil, err
			}
			return &vishBestRun{e: e, host: h}, nil
		},
	}
}

type vishBestRun struct {
	e    *Env
	host *netlink.Handle
}

// newNamedThrowaway makes a named namespace on a thread that is then
// discarded, never switched back.
func newNamedThrowaway(name string) (netns.NsHandle, error) {
	type res struct {
		ns  netns.NsHandle
		err error
	}
	ch := make(chan res, 1)
	go func() {
		runtime.LockOSThread() // never unlocked
		ns, err := netns.NewNamed(name)
		ch <- res{ns, err}
	}()
	r := <-ch
	return r.ns, r.err
}

func (r *vishBestRun) Setup(i int) error {
	ns, err := newNamedThrowaway(r.e.NS(i))
	if err != nil {
		return fmt.Errorf("netns.NewNamed: %w", err)
	}
	defer ns.Close()
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: r.e.Host(i), MasterIndex: int(r.e.BridgeIdx), Flags: net.FlagUp},
		PeerName:      "eth0",
		PeerNamespace: netlink.NsFd(ns),
	}
	if err := r.host.LinkAdd(veth); err != nil {
		return fmt.Errorf("veth add: %w", err)
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	l, err := h.LinkByName("eth0")
	if err != nil {
		return err
	}
	if err := h.LinkSetUp(&netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: 1}}); err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	if err := h.LinkSetUp(l); err != nil {
		return fmt.Errorf("eth0 up: %w", err)
	}
	a := r.e.Addr(i)
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: a.Addr().AsSlice(), Mask: net.CIDRMask(a.Bits(), 32)}}
	if err := h.AddrAdd(l, addr); err != nil {
		return fmt.Errorf("addr add: %w", err)
	}
	if err := h.RouteAdd(&netlink.Route{LinkIndex: l.Attrs().Index, Gw: r.e.GW.Addr().AsSlice()}); err != nil {
		return fmt.Errorf("route add: %w", err)
	}
	return nil
}

func (r *vishBestRun) Teardown(i int) error { return netns.DeleteNamed(r.e.NS(i)) }

func (r *vishBestRun) Close() error {
	r.host.Close()
	return nil
}
