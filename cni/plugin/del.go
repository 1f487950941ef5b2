package plugin

import (
	"bytes"
	"errors"
	"net/netip"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/cni/hostlocal"
	"github.com/nsnet/nsnet/netops"
	"github.com/nsnet/nsnet/nsutil"
	"golang.org/x/sys/unix"
)

// del is DEL: idempotent, and complete without CNI_NETNS or prevResult,
// from the attachment's record: the veth (from inside the container if
// CNI_NETNS is given and still there, else by its host end), the NAT
// rules, the reservations, the record. Whatever is already gone is
// skipped. Every step runs even when an earlier one failed; the errors
// are reported together.
func (p *call) del() error {
	c, env, st := p.conf, &p.env, p.settings()
	a, err := loadState(st.stateDir, c.Name, env.ContainerID, env.IfName)
	if err != nil {
		p.warn("attachment record of " + env.ContainerID + "/" + env.IfName + " unreadable, deleting without it: " + err.Error())
		a = nil
	}
	host, err := netops.OpenCurrent()
	if err != nil {
		return err
	}
	defer host.Close()
	var errs []error
	if env.Netns != "" {
		errs = append(errs, deleteInNetns(env.Netns, env.IfName))
	}
	if a != nil {
		errs = append(errs, teardown(host, a)...)
	}
	errs = append(errs, p.releaseIPAM(a))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return removeState(st.stateDir, c.Name, env.ContainerID, env.IfName)
}

// deleteInNetns deletes the container's end (and so the pair) from
// inside; a namespace that is gone took its links with it.
func deleteInNetns(path, ifname string) error {
	h, err := nsutil.OpenPath(path)
	if err != nil {
		return nil // gone: nothing of ours is left in it
	}
	ns, err := netops.Open(h, path)
	if err != nil {
		h.Close()
		return err
	}
	defer ns.Close()
	_, err = netops.DeleteLink(ns, ifname, "veth")
	return err
}

// teardown removes what the record a names on the host: the host end
// (if it is still the one ADD made: same name and MAC), the NAT rules.
func teardown(host *netops.NS, a *Attachment) []error {
	var errs []error
	if a.HostIf != "" {
		l, err := host.Conn().LinkByName(a.HostIf)
		switch {
		case errors.Is(err, unix.ENODEV):
		case err != nil:
			errs = append(errs, err)
		case a.HostMAC == nil || bytes.Equal(l.Address, a.HostMAC):
			_, err := netops.DeleteLink(host, a.HostIf, "veth")
			errs = append(errs, err)
		}
	}
	return append(errs, netops.DeleteNATs(host, a.natRules()))
}

// releaseIPAM gives the attachment's addresses back: in host-local's
// store exactly the recorded ones (or, without a record, every file
// holding the container ID and ifname, as host-local does); a delegated
// IPAM gets its DEL.
func (p *call) releaseIPAM(a *Attachment) error {
	env := &p.env
	switch kind := ipamKind(p.conf); kind {
	case ipamNone:
		return nil
	case ipamInternal:
		var dataDir string
		network := p.conf.Name
		var ips []netip.Addr
		if a != nil && a.IPAM == ipamInternal {
			dataDir = a.DataDir
			for _, ip := range a.IPs {
				ips = append(ips, ip.Addr())
			}
		} else if cfg, err := hostlocal.Decode(p.conf, env); err == nil {
			dataDir = cfg.DataDir
		} else {
			return err
		}
		if ips == nil {
			ips = nil // release by ID
		}
		return releaseInternal(dataDir, network, env.ContainerID, env.IfName, ips)
	default:
		_, err := p.delegate(kind, cni.CmdDel)
		return err
	}
}
