package topo

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// Discover describes the live system as a topology: every named
// namespace, the host's bridges, the veth pairs between the host and the
// namespaces (and between namespaces), their addresses, the namespaces'
// routes that are not the kernel's own, host forwarding and nsnet's NAT
// rules. `nsnet graph` draws it and `nsnet doctor` without a file checks
// it. Interfaces it cannot place (a physical NIC, a veth whose peer is
// in an unnamed namespace) are left out.
func Discover(ctx context.Context) (*Topology, error) {
	s, err := openSys()
	if err != nil {
		return nil, err
	}
	defer s.close()
	t := &Topology{source: "live system"}
	entries, err := nsutil.List()
	if err != nil {
		return nil, err
	}
	type nsView struct {
		name   string
		nsid   int32
		links  []rtnl.Link
		addrs  []rtnl.Addr
		routes []rtnl.Route
	}
	read := func(h *handle, name string, nsid int32) (*nsView, error) {
		v := &nsView{name: name, nsid: nsid}
		var err error
		if v.links, err = h.c.Links(); err != nil {
			return nil, err
		}
		if v.addrs, err = h.c.Addrs(0); err != nil {
			return nil, err
		}
		if name != "" {
			if v.routes, err = h.c.Routes(0); err != nil {
				return nil, err
			}
		}
		return v, nil
	}
	host, err := read(s.host, "", -1)
	if err != nil {
		return nil, err
	}
	var views []*nsView
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := openNS(e.Name)
		if err != nil || h == nil {
			continue // vanished or not a namespace: not ours to describe
		}
		s.put(h)
		v, err := read(h, e.Name, e.ID)
		if err != nil {
			return nil, fmt.Errorf("namespace %s: %w", e.Name, err)
		}
		views = append(views, v)
		t.Namespaces = append(t.Namespaces, Namespace{Name: e.Name})
	}
	addrsOf := func(v *nsView, idx int32) []netip.Prefix {
		var out []netip.Prefix
		for _, a := range v.addrs {
			p := a.Prefix()
			if a.Index != idx || p.Addr().IsLinkLocalUnicast() || p.Addr().IsLoopback() {
				continue
			}
			out = append(out, p)
		}
		return out
	}
	byIndex := map[int32]*rtnl.Link{}
	for i := range host.links {
		l := &host.links[i]
		byIndex[l.Index] = l
		if l.Kind() == "bridge" {
			t.Bridges = append(t.Bridges, Bridge{Name: l.Name, Addresses: addrsOf(host, l.Index)})
		}
	}
	// Veths between the host and a namespace.
	paired := map[string]bool{} // "ns|name" of ends already placed
	for _, v := range views {
		for i := range v.links {
			x := &v.links[i]
			if x.Kind() != "veth" || !x.HasLinkNetNSID {
				continue
			}
			for j := range host.links {
				h := &host.links[j]
				if h.Kind() != "veth" || !h.HasLinkNetNSID || h.LinkNetNSID != v.nsid || h.ParentIndex != x.Index || x.ParentIndex != h.Index {
					continue
				}
				peer := End{Name: h.Name, Addresses: addrsOf(host, h.Index)}
				if br := byIndex[int32(h.Master)]; h.Master != 0 && br != nil && br.Kind() == "bridge" {
					peer.Bridge = br.Name
				}
				t.Veths = append(t.Veths, Veth{End: End{Name: x.Name, Netns: v.name, Addresses: addrsOf(v, x.Index)}, Peer: peer})
				paired[v.name+"|"+x.Name] = true
			}
		}
	}
	// Veths between two namespaces: each end points at the other's index.
	for a, va := range views {
		for i := range va.links {
			x := &va.links[i]
			if x.Kind() != "veth" || !x.HasLinkNetNSID || paired[va.name+"|"+x.Name] {
				continue
			}
			for _, vb := range views[a+1:] {
				for j := range vb.links {
					y := &vb.links[j]
					if y.Kind() != "veth" || paired[vb.name+"|"+y.Name] || x.ParentIndex != y.Index || y.ParentIndex != x.Index {
						continue
					}
					t.Veths = append(t.Veths, Veth{End: End{Name: x.Name, Netns: va.name, Addresses: addrsOf(va, x.Index)},
						Peer: End{Name: y.Name, Netns: vb.name, Addresses: addrsOf(vb, y.Index)}})
					paired[va.name+"|"+x.Name], paired[vb.name+"|"+y.Name] = true, true
				}
			}
		}
	}
	// Routes the user (or nsnet) added.
	for i, v := range views {
		names := map[int32]string{}
		for _, l := range v.links {
			names[l.Index] = l.Name
		}
		for _, r := range v.routes {
			if r.Table != unix.RT_TABLE_MAIN || r.Type != unix.RTN_UNICAST || r.Protocol == unix.RTPROT_KERNEL || r.Protocol == unix.RTPROT_RA {
				continue
			}
			fr := Route{To: r.DstPrefix(), Via: r.Gateway}
			if !r.Gateway.IsValid() {
				fr.Dev = names[r.OutIndex]
			}
			if !(r.Family == unix.AF_INET6 && r.Priority == 1024) {
				fr.Metric = r.Priority
			}
			t.Namespaces[i].Routes = append(t.Namespaces[i].Routes, fr)
		}
		fwd, err := s.get(v.name).sysctlGet("net.ipv4.ip_forward")
		if err == nil && fwd == "1" {
			t.Namespaces[i].Forwarding = true
		}
	}
	if fwd, err := s.host.sysctlGet("net.ipv4.ip_forward"); err == nil && fwd == "1" {
		t.Host.Forwarding = true
	}
	nc, err := dialNFT(s.host)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	entriesNAT, err := firewall.NewNAT(nc).List()
	if err != nil && !errors.Is(err, unix.EPERM) {
		return nil, err
	}
	for _, e := range entriesNAT {
		switch r := e.Rule.(type) {
		case firewall.Masquerade:
			t.NAT.Masquerade = append(t.NAT.Masquerade, firewall.Masquerade{Src: r.Src.Masked(), OutIface: r.OutIface})
		case firewall.Forward:
			t.NAT.Forward = append(t.NAT.Forward, firewall.Forward{Proto: r.Proto, Port: r.Port, To: r.To, InIface: r.InIface})
		}
	}
	return t, nil
}

// hostAddrs lists every host address outside loopback and link-local,
// with the name of its link.
func hostAddrs(c *rtnl.Conn) (map[netip.Prefix]string, error) {
	links, err := c.Links()
	if err != nil {
		return nil, err
	}
	names := map[int32]string{}
	for _, l := range links {
		names[l.Index] = l.Name
	}
	addrs, err := c.Addrs(0)
	if err != nil {
		return nil, err
	}
	out := map[netip.Prefix]string{}
	for _, a := range addrs {
		p := a.Prefix()
		if p.Addr().IsLoopback() || p.Addr().IsLinkLocalUnicast() {
			continue
		}
		out[p] = names[a.Index]
	}
	return out, nil
}
