package topo

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// configure sends one namespace's batch: lo up and its veth ends up,
// addresses, and (if routes) routes; then forwarding. late selects the
// veths between namespaces (created after the pool) instead of the
// others.
func (r *run) configure(ns string, routes, late bool) error {
	h := r.sys.get(ns)
	if h == nil {
		return fmt.Errorf("namespace %s is not open", ns)
	}
	b := h.c.Batch()
	var batched []*Step
	var fixed []*Step // lo or a veth end brought up: done once the batch succeeded
	var undos []undo
	created := r.isCreated(ns)
	linkIndex := func(name string) (int32, error) { return r.linkIndex(h.c, ns, name) }
	add := func(s *Step) error {
		if err := r.begin(s); err != nil {
			return err
		}
		batched = append(batched, s)
		return nil
	}
	if !late {
		for _, s := range r.steps(KindNetns, ns) {
			b.LinkSet(&rtnl.Link{Name: "lo", Flags: unix.IFF_UP, Change: unix.IFF_UP})
			if s.Action == Change {
				undos = append(undos, undo{what: "lo up in " + ns, netns: ns, do: func(r *run) error {
					return setLink(r, ns, &rtnl.Link{Name: "lo", Change: unix.IFF_UP})
				}})
				fixed = append(fixed, s)
			}
		}
	}
	// Namespace ends of veths that were created or need to come up.
	for _, s := range r.steps(KindVeth, ns) {
		if (s.owner == "") != late {
			continue
		}
		for _, e := range []End{s.veth.End, s.veth.Peer} {
			if e.Netns != ns || ns == "" && !late {
				continue // host ends are created up
			}
			if s.Action == Change && s.fix&(fixPeerUp|fixRecreate) == 0 {
				continue
			}
			idx, err := linkIndex(e.Name)
			if err != nil {
				return r.fail(s, err)
			}
			if (s.Action == Create || s.fix&fixRecreate != 0) && !r.v6 {
				// Before it comes up: no link-local address, no DAD, no MLD.
				b.LinkSet(&rtnl.Link{Index: idx, AddrGenModeNone: true})
			}
			b.LinkSet(&rtnl.Link{Index: idx, Flags: unix.IFF_UP, Change: unix.IFF_UP})
			if s.Action == Change && s.fix&fixPeerUp != 0 {
				undos = append(undos, undo{what: e.Name + " up", netns: ns, do: func(r *run) error {
					return setLink(r, ns, &rtnl.Link{Index: idx, Change: unix.IFF_UP})
				}})
				fixed = append(fixed, s)
			}
		}
	}
	for _, s := range r.steps(KindAddr, ns) {
		if late != r.lateDev[ns+"|"+s.dev] {
			continue
		}
		idx, err := linkIndex(s.dev)
		if err != nil {
			return r.fail(s, err)
		}
		if err := add(s); err != nil {
			return err
		}
		a := &rtnl.Addr{Index: idx, PrefixLen: uint8(s.addr.Bits()), Local: s.addr.Addr()}
		if s.addr.Addr().Is6() {
			a.Family, a.Flags = unix.AF_INET6, unix.IFA_F_NODAD // unique by validation
		} else {
			a.Family = unix.AF_INET
			if s.addr.Bits() < 31 {
				a.Broadcast = lastAddr(s.addr)
			}
		}
		b.AddrAdd(a)
		undos = append(undos, undo{what: "address " + s.Object, netns: ns, link: s.dev, do: func(r *run) error {
			h := r.sys.get(ns)
			if h == nil {
				return nil
			}
			return ignoreMissing(h.c.AddrDel(a))
		}})
	}
	if routes {
		for _, s := range r.steps(KindRoute, ns) {
			if err := add(s); err != nil {
				return err
			}
			rt := &rtnl.Route{Dst: s.dst.Addr(), DstLen: uint8(s.dst.Bits()), Gateway: s.gw, Priority: s.route.Metric}
			if s.dst.Bits() == 0 {
				rt.Dst = netip.Addr{}
			}
			if s.dst.Addr().Is6() {
				rt.Family = unix.AF_INET6
			} else {
				rt.Family = unix.AF_INET
			}
			if s.dev != "" {
				idx, err := linkIndex(s.dev)
				if err != nil {
					return r.fail(s, err)
				}
				rt.OutIndex = idx
			}
			if s.Action == Change && s.old != nil {
				old := *s.old
				b.RouteDel(&old)
				undos = append(undos, undo{what: "route " + s.Object + " (restore)", netns: ns, do: func(r *run) error {
					h := r.sys.get(ns)
					if h == nil {
						return nil
					}
					// EEXIST: the batch's deletion of old is what failed,
					// so old is still there.
					if err := h.c.RouteAdd(&old); err != nil && !errors.Is(err, unix.EEXIST) {
						return err
					}
					return nil
				}})
			}
			b.RouteAdd(rt)
			undos = append(undos, undo{what: "route " + s.Object, netns: ns, do: func(r *run) error {
				h := r.sys.get(ns)
				if h == nil {
					return nil
				}
				return ignoreMissing(h.c.RouteDel(rt))
			}})
		}
	}
	if b.Len() > 0 {
		err := b.Flush()
		// The kernel tries every request of a batch: record all undos,
		// whose deletions tolerate what was never added.
		for _, u := range undos {
			r.record(u)
		}
		if err != nil {
			return r.fail(firstOr(batched, r.batchStep(ns)), err)
		}
		r.finish(append(fixed, batched...)...)
	}
	if !routes || late && ns == "" {
		return nil
	}
	for _, s := range r.steps(KindForwarding, ns) {
		if err := r.begin(s); err != nil {
			return err
		}
		for _, k := range forwardingKeys(r.v6) {
			old, err := h.sysctlGet(k)
			if err != nil {
				return r.fail(s, err)
			}
			if old == "1" {
				continue
			}
			if err := h.sysctlSet(k, "1"); err != nil {
				return r.fail(s, err)
			}
			if !created {
				r.record(undo{what: k + " in " + nsWord(ns), netns: ns, do: func(r *run) error {
					h := r.sys.get(ns)
					if h == nil {
						return nil
					}
					return h.sysctlSet(k, old)
				}})
			}
		}
		r.finish(s)
	}
	return nil
}

func (r *run) batchStep(ns string) *Step {
	for _, s := range r.steps(KindNetns, ns) {
		return s
	}
	return &Step{Kind: KindNetns, NS: ns, Object: ns}
}

func firstOr(steps []*Step, s *Step) *Step {
	if len(steps) > 0 {
		return steps[0]
	}
	return s
}

func setLink(r *run, ns string, l *rtnl.Link) error {
	h := r.sys.get(ns)
	if h == nil {
		return nil
	}
	return ignoreMissing(h.c.LinkSet(l))
}

func (r *run) isCreated(ns string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.created[ns]
}
