package topo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// A Removed is one object Down removed. The json tags are the names
// AppendJSON prints it with; a test holds AppendJSON to encoding/json.
type Removed struct {
	Kind   Kind   `json:"kind"`
	Object string `json:"object"`
}

// Down removes exactly what the topology describes, and nothing else:
// nsnet's NAT rules the file names, the host routes it names, its
// namespaces (the kernel frees their links with them, and the host ends of
// their veths), then the bridges and host veth ends it names that are
// still there. It works from the file alone, so it also cleans up after an
// up that was killed half-way. A second Down removes nothing.
//
// A bridge the file names that still has ports once the file's own are
// gone (another topology's, a CNI network's, a link someone enslaved by
// hand) is left, with its addresses: it is shared, and removing it would
// cut the others off. It is reported as a *SharedBridgeError (joined to
// the result), so that the caller can say so.
//
// The host's net.ipv4.ip_forward is left as it is: the file cannot know
// whether something else needs it.
func Down(ctx context.Context, t *Topology, o Options) ([]Removed, error) {
	if o.Workers <= 0 {
		o.Workers = defaultWorkers
	}
	s, err := openSys()
	if err != nil {
		return nil, err
	}
	defer s.close()
	var (
		mu      sync.Mutex
		removed []Removed
		errs    []error
	)
	note := func(k Kind, obj string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", k, obj, err))
			return
		}
		removed = append(removed, Removed{k, obj})
	}
	// NAT first: nothing should be translated towards what is going away.
	nr, err := natDel(s.host, t)
	for _, obj := range nr {
		note("nat", obj, nil)
	}
	if err != nil {
		note("nat", "inet nsnet", err)
	}
	// Host routes the file names.
	if len(t.Host.Routes) > 0 {
		hl, err := readNS(s.host, linkNames(t)[""], true, false, false)
		if err != nil {
			return nil, err
		}
		for _, r := range t.Host.Routes {
			if old, same := findRoute(hl, r.To, r.Metric, r.Via, r.Dev); old != nil && same {
				note(KindRoute, routeString(r), ignoreMissing(s.host.c.RouteDel(old)))
			}
		}
	}
	// The host veth ends there are now: the kernel frees those whose peer
	// is in a namespace deleted below (asynchronously); the rest are
	// deleted after.
	var present []string
	for _, v := range t.Veths {
		for _, e := range []End{v.End, v.Peer} {
			if e.Netns != "" {
				continue
			}
			if l, err := s.host.c.LinkByName(e.Name); err == nil && l.Kind() == "veth" {
				present = append(present, e.Name)
			}
		}
	}
	// Namespaces, in parallel: each is an unmount and an unlink.
	err = forEach(ctx, o.Workers, len(t.Namespaces), func(i int) error {
		name := t.Namespaces[i].Name
		err := nsutil.Delete(name)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			note(KindNetns, name, err)
		default:
			note(KindNetns, name, nil)
		}
		return nil
	})
	if err != nil {
		return removed, err
	}
	if err := waitGone(s.host.c, present); err != nil {
		note(KindVeth, "host ends", err)
		// Report as removed only the ends that are gone.
		present = slices.DeleteFunc(present, func(name string) bool {
			_, err := s.host.c.LinkByName(name)
			return !errors.Is(err, unix.ENODEV)
		})
	}
	for _, name := range present {
		note(KindVeth, name, nil)
	}
	var ports map[uint32][]string // bridge index -> its remaining ports, read once
	for _, b := range t.Bridges {
		l, err := s.host.c.LinkByName(b.Name)
		if errors.Is(err, unix.ENODEV) {
			continue
		}
		if err != nil {
			note(KindBridge, b.Name, err)
			continue
		}
		if l.Kind() != "bridge" {
			continue // not ours: a bridge the file names would be a bridge
		}
		if ports == nil {
			if ports, err = bridgePorts(s.host.c); err != nil {
				note(KindBridge, b.Name, err)
				continue
			}
		}
		if p := ports[uint32(l.Index)]; len(p) > 0 {
			mu.Lock()
			errs = append(errs, &SharedBridgeError{Bridge: b.Name, Ports: p})
			mu.Unlock()
			continue
		}
		note(KindBridge, b.Name, ignoreMissing(s.host.c.LinkDel(l.Index)))
	}
	return removed, errors.Join(errs...)
}

// A SharedBridgeError is a bridge Down left because ports that the file
// does not describe are still on it.
type SharedBridgeError struct {
	Bridge string
	Ports  []string
}

func (e *SharedBridgeError) Error() string {
	return fmt.Sprintf("bridge %s: left in place: %d other ports are on it (%s)", e.Bridge, len(e.Ports), strings.Join(e.Ports, ", "))
}

// bridgePorts lists the host's links by the bridge they are enslaved to.
func bridgePorts(c *rtnl.Conn) (map[uint32][]string, error) {
	links, err := c.Links()
	if err != nil {
		return nil, err
	}
	m := map[uint32][]string{}
	for _, l := range links {
		if l.Master != 0 {
			m[l.Master] = append(m[l.Master], l.Name)
		}
	}
	return m, nil
}
