package plugin

import (
	"errors"
	"net/netip"
	"slices"
	"strings"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/cni/hostlocal"
	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/netops"
	"github.com/nsnet/nsnet/nft"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// CodeCheckFailed is nsnet's error code for a CHECK that found the
// attachment different from what ADD made.
const CodeCheckFailed = 101

// check is CHECK: the live state against prevResult and the record:
// the link in the container with its addresses and routes, the host end
// on its bridge, the reservations, the NAT rules. The error names every
// difference.
func (p *call) check() error {
	c, env, st := p.conf, &p.env, p.settings()
	a, err := loadState(st.stateDir, c.Name, env.ContainerID, env.IfName)
	if err != nil {
		return &cni.Error{Code: cni.CodeIOFailure, Msg: "attachment record: " + err.Error()}
	}
	if a == nil {
		return &cni.Error{Code: CodeCheckFailed, Msg: "no attachment of container " + env.ContainerID + " as " + env.IfName + " on network " + c.Name}
	}
	var diffs []string
	differ := func(s string) { diffs = append(diffs, s) }
	want := map[netip.Prefix]bool{}
	for _, ip := range a.IPs {
		want[ip] = true
	}
	if prev := c.PrevResult; prev != nil {
		for _, ip := range prev.IPs {
			if ip.Interface != nil && *ip.Interface < len(prev.Interfaces) && prev.Interfaces[*ip.Interface].Name == env.IfName && prev.Interfaces[*ip.Interface].Sandbox != "" {
				if !want[ip.Address] {
					differ("prevResult has " + ip.Address.String() + " on " + env.IfName + ", which this attachment did not assign")
				}
			}
		}
	}
	cont, err := openNetns(env.Netns)
	if err != nil {
		return err
	}
	defer cont.Close()
	cc := cont.Conn()
	l, err := cc.LinkByName(env.IfName)
	switch {
	case errors.Is(err, unix.ENODEV):
		differ("no interface " + env.IfName + " in " + env.Netns)
	case err != nil:
		return err
	default:
		if l.Kind() != "veth" {
			differ(env.IfName + " is a " + netops.KindWord(l) + " link, not a veth")
		}
		if l.Flags&unix.IFF_UP == 0 {
			differ(env.IfName + " is down")
		}
		have := map[netip.Prefix]bool{}
		addrs, err := cc.Addrs(0)
		if err != nil {
			return err
		}
		for _, ad := range addrs {
			if ad.Index == l.Index {
				have[ad.Prefix()] = true
			}
		}
		for ip := range want {
			if !have[ip] {
				differ(env.IfName + " lacks its address " + ip.String())
			}
		}
		if prev := c.PrevResult; prev != nil {
			diffs = append(diffs, checkRoutes(cc, l.Index, env.IfName, prev.Routes)...)
		}
	}
	host, err := netops.OpenCurrent()
	if err != nil {
		return err
	}
	defer host.Close()
	hl, err := host.Conn().LinkByName(a.HostIf)
	switch {
	case errors.Is(err, unix.ENODEV):
		differ("no host end " + a.HostIf)
	case err != nil:
		return err
	default:
		br, err := host.Conn().LinkByName(a.Bridge)
		if err != nil {
			differ("no bridge " + a.Bridge)
		} else if hl.Master != uint32(br.Index) {
			differ("host end " + a.HostIf + " is not on bridge " + a.Bridge)
		}
	}
	if a.IPAM == ipamInternal {
		s, err := hostlocal.Open(a.DataDir, c.Name)
		if err != nil {
			return err
		}
		for _, ip := range a.IPs {
			id, ifname, ok := s.Owner(ip.Addr())
			if !ok || id != env.ContainerID || ifname != env.IfName && ifname != "" {
				differ("reservation of " + ip.Addr().String() + " in " + s.Dir() + " is not this attachment's")
			}
		}
		s.Close()
	} else if a.IPAM != ipamNone {
		if _, err := p.delegate(a.IPAM, cni.CmdCheck); err != nil {
			differ("IPAM plugin " + a.IPAM + ": " + err.Error())
		}
	}
	if len(a.Ports) > 0 || len(a.Masquerade) > 0 {
		diffs = append(diffs, checkNAT(host, a)...)
	}
	if len(diffs) > 0 {
		return &cni.Error{Code: CodeCheckFailed, Msg: "attachment of " + env.ContainerID + " as " + env.IfName + " differs: " + strings.Join(diffs, "; ")}
	}
	return nil
}

// checkNAT looks for the record's rules in table inet nsnet.
func checkNAT(host *netops.NS, a *Attachment) []string {
	nc, err := nft.Dial(nil)
	if err != nil {
		return []string{"table inet nsnet unreadable: " + err.Error()}
	}
	defer nc.Close()
	rules, err := firewall.NewNAT(nc).List()
	if err != nil {
		return []string{"table inet nsnet unreadable: " + err.Error()}
	}
	have := map[string]bool{}
	for _, r := range rules {
		have[r.Comment] = true
	}
	var diffs []string
	for _, f := range a.Ports {
		r := f.rule()
		if !have[r.String()] {
			diffs = append(diffs, "no rule "+r.String()+" in table inet nsnet")
		}
	}
	for _, m := range a.Masquerade {
		r := firewall.Masquerade{Src: m}
		if !have[r.String()] {
			diffs = append(diffs, "no rule "+r.String()+" in table inet nsnet")
		}
	}
	return diffs
}

// checkRoutes looks for each route of prevResult in the container (a
// later plugin may have added others; only these must be there).
func checkRoutes(c *rtnl.Conn, index int32, ifname string, want []cni.Route) []string {
	var diffs []string
	have := map[netip.Prefix][]netip.Addr{}
	rs, err := c.Routes(0)
	if err != nil {
		return []string{"routes unreadable: " + err.Error()}
	}
	for _, r := range rs {
		if r.OutIndex == index {
			have[r.DstPrefix()] = append(have[r.DstPrefix()], r.Gateway)
		}
	}
	for _, r := range want {
		gws, ok := have[r.Dst]
		if !ok {
			diffs = append(diffs, "no route to "+r.Dst.String()+" via "+ifname)
			continue
		}
		if r.GW.IsValid() && !slices.Contains(gws, r.GW) {
			diffs = append(diffs, "route to "+r.Dst.String()+" is not via "+r.GW.String())
		}
	}
	return diffs
}
