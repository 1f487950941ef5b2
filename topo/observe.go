package topo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/nsnet/nsnet/netops"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// handle is an open namespace as netops keys it (its handle and its
// rtnetlink sockets, dialled inside it once and reused for every request
// there), with its name. ns and c are ops's namespace file and first
// socket, for reads.
type handle struct {
	name string // "" = host
	ops  *netops.NS
	ns   *nsutil.NetNS
	c    *rtnl.Conn
}

func newHandle(name string, n *netops.NS) *handle {
	return &handle{name: name, ops: n, ns: n.NetNS(), c: n.Conn()}
}

func (h *handle) close() {
	if h.ops != nil {
		h.ops.Close()
	}
}

// sysctlGet reads a sysctl of the handle's namespace.
func (h *handle) sysctlGet(key string) (string, error) { return h.ops.SysctlGet(key) }

// sys holds the open namespaces of one Plan/Up/Down/Status.
type sys struct {
	mu   sync.Mutex
	host *handle
	ns   map[string]*handle
}

func openSys() (*sys, error) {
	// The host's sockets need no setns: every thread but nsutil's
	// disposable ones is in the process's namespace.
	cur, err := netops.OpenCurrent()
	if err != nil {
		return nil, err
	}
	return &sys{host: newHandle("", cur), ns: map[string]*handle{}}, nil
}

func (s *sys) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.ns {
		h.close()
	}
	s.ns = map[string]*handle{}
	if s.host != nil {
		s.host.close()
	}
}

// get returns the handle of ns ("" = host), or nil if it is not open.
func (s *sys) get(ns string) *handle {
	if ns == "" {
		return s.host
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ns[ns]
}

// put files h as the handle of its namespace, closing the one it
// replaces (a second observe opens the namespaces again).
func (s *sys) put(h *handle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.ns[h.name]; old != nil && old != h {
		old.close()
	}
	s.ns[h.name] = h
}

// openNS opens the named namespace and dials its socket. A missing
// namespace returns (nil, nil).
func openNS(name string) (*handle, error) {
	ns, err := nsutil.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	n, err := netops.Open(ns, name)
	if err != nil {
		ns.Close()
		return nil, fmt.Errorf("namespace %s: %w", name, err)
	}
	return newHandle(name, n), nil
}

// observe opens every namespace of t (in parallel) and reads what the file
// names: links by name, addresses, routes, forwarding sysctls, and nsnet's
// NAT rules.
func observe(ctx context.Context, t *Topology, s *sys, workers int) (*live, error) {
	lv := &live{ns: map[string]*nsLive{}}
	names := linkNames(t)
	v6 := t.HasIPv6()
	var err error
	lv.host, err = readNS(s.host, names[""], true, v6, t.Host.Forwarding)
	if err != nil {
		return nil, fmt.Errorf("read the host: %w", err)
	}
	var mu sync.Mutex
	err = forEach(ctx, workers, len(t.Namespaces), func(i int) error {
		n := t.Namespaces[i]
		h, err := openNS(n.Name)
		if err != nil || h == nil {
			return err
		}
		s.put(h)
		nl, err := readNS(h, names[n.Name], len(n.Routes) > 0, v6, n.Forwarding)
		if err != nil {
			return fmt.Errorf("read namespace %s: %w", n.Name, err)
		}
		mu.Lock()
		lv.ns[n.Name] = nl
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	lv.nat, err = readNAT(s.host)
	if err != nil {
		return nil, err
	}
	return lv, nil
}

// linkNames lists, per namespace ("" = host), the link names the file uses.
func linkNames(t *Topology) map[string][]string {
	m := map[string][]string{}
	for _, b := range t.Bridges {
		m[""] = append(m[""], b.Name)
	}
	for _, v := range t.Veths {
		for _, e := range []End{v.End, v.Peer} {
			m[e.Netns] = append(m[e.Netns], e.Name)
		}
	}
	for _, n := range t.Namespaces {
		m[n.Name] = append(m[n.Name], "lo")
		for _, r := range n.Routes {
			if r.Dev != "" {
				m[n.Name] = append(m[n.Name], r.Dev)
			}
		}
	}
	for _, r := range t.Host.Routes {
		if r.Dev != "" {
			m[""] = append(m[""], r.Dev)
		}
	}
	return m
}

// readNS reads the named links of one namespace (by name, no dump), its
// addresses, and its routes and forwarding sysctls when the file has any.
func readNS(h *handle, names []string, routes, v6, fwd bool) (*nsLive, error) {
	nl := &nsLive{links: map[string]*rtnl.Link{}, forwarding: map[string]string{}}
	for _, name := range names {
		if nl.links[name] != nil {
			continue
		}
		l, err := h.c.LinkByName(name)
		if errors.Is(err, unix.ENODEV) {
			continue
		}
		if err != nil {
			return nil, err
		}
		nl.links[name] = l
	}
	var err error
	if nl.addrs, err = h.c.Addrs(0); err != nil {
		return nil, err
	}
	if routes {
		if nl.routes, err = h.c.Routes(0); err != nil {
			return nil, err
		}
	}
	if fwd {
		for _, k := range forwardingKeys(v6) {
			v, err := h.sysctlGet(k)
			if err != nil {
				return nil, err
			}
			nl.forwarding[k] = v
		}
	}
	return nl, nil
}

// forEach runs fn(0..n-1) on at most workers goroutines
// (errgroup.SetLimit). The first error stops handing out work; it waits
// for the running calls and returns that error (or the context's, if it
// was cancelled).
func forEach(ctx context.Context, workers, n int, fn func(i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for i := 0; i < n && gctx.Err() == nil; i++ {
		g.Go(func() error { return fn(i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// Plan compares the topology with the live system and returns what up
// would do, changing nothing.
func Plan(ctx context.Context, t *Topology) (*PlanResult, error) {
	s, err := openSys()
	if err != nil {
		return nil, err
	}
	defer s.close()
	lv, err := observe(ctx, t, s, defaultWorkers)
	if err != nil {
		return nil, err
	}
	return diff(t, lv), nil
}

// defaultWorkers is how many namespaces are set up at once. Namespace
// creation serializes on the kernel's locks; beyond a few workers there
// is nothing to gain.
const defaultWorkers = 8
