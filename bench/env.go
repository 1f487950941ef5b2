package bench

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// Env is what every way shares in one measurement: the seed's shared
// bridge, with its address, in the sandbox's own namespace.
type Env struct {
	Bridge    string       // bridge name
	BridgeIdx int32        // its ifindex
	GW        netip.Prefix // the bridge's address; the namespaces' default gateway
	host      *nlSock
	baseLinks int // links in the host namespace with no namespace set up
}

// NewEnv creates the bridge (up, with GW) in the calling thread's namespace.
// Call it inside the sandbox only.
func NewEnv() (*Env, error) {
	s, err := openNL()
	if err != nil {
		return nil, err
	}
	e := &Env{Bridge: "nbr0", GW: netip.MustParsePrefix("10.0.0.1/16"), host: s}
	if err := s.send([]string{"bridge add"}, bridgeAdd(e.Bridge)); err != nil {
		s.Close()
		return nil, err
	}
	if e.BridgeIdx, err = s.linkIndex(e.Bridge); err != nil {
		e.Close()
		return nil, err
	}
	if err := s.send([]string{"bridge addr"}, addrAdd(e.BridgeIdx, e.GW)); err != nil {
		e.Close()
		return nil, err
	}
	if e.baseLinks, err = s.countLinks(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close deletes the bridge (a topology's down may have deleted it already).
func (e *Env) Close() error {
	err := e.host.send([]string{"bridge del"}, linkDelByName(e.Bridge))
	if errors.Is(err, unix.ENODEV) {
		err = nil
	}
	return errors.Join(err, e.host.Close())
}

// NS is the name of namespace i.
func (e *Env) NS(i int) string { return fmt.Sprintf("nb%d", i) }

// Host is the name of namespace i's veth end on the bridge.
func (e *Env) Host(i int) string { return fmt.Sprintf("vh%d", i) }

// Peer is the temporary name of the end that ways which move links create
// in the host namespace before moving it.
func (e *Env) Peer(i int) string { return fmt.Sprintf("vp%d", i) }

// Addr is namespace i's address in the bridge's subnet (i < 65000).
func (e *Env) Addr(i int) netip.Prefix {
	n := i + 2
	b := e.GW.Addr().As4()
	b[2], b[3] = byte(n>>8), byte(n)
	return netip.PrefixFrom(netip.AddrFrom4(b), e.GW.Bits())
}

// HostLinks counts the links now in the host namespace beyond the bridge
// and lo: the veth ends the kernel has not freed yet.
func (e *Env) HostLinks() (int, error) {
	n, err := e.host.countLinks()
	return n - e.baseLinks, err
}

// Settle waits until every veth end has left the host namespace, i.e. the
// kernel has finished the work that a teardown only queued. It returns how
// long that took.
func (e *Env) Settle(timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		n, err := e.HostLinks()
		if err != nil {
			return time.Since(start), err
		}
		if n <= 0 {
			return time.Since(start), nil
		}
		if time.Since(start) > timeout {
			return time.Since(start), fmt.Errorf("settle: %d links still in the host namespace after %v", n, timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
