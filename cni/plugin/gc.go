package plugin

import (
	"errors"
	"net/netip"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/cni/hostlocal"
	"github.com/nsnet/nsnet/netops"
)

// gc is GC: every attachment of the network that is not in
// cni.dev/valid-attachments loses its host end, NAT rules, reservations
// and record, from nsnet's own records and host-local's store (so also
// reservations whose runtime cache is gone, and the reference
// host-local's). A request without the list collects nothing: a missing
// list is not an empty one. Errors do not stop the collection; they are
// reported together.
func (p *call) gc() error {
	c, st := p.conf, p.settings()
	if !c.HasValidAttachments {
		p.warn("GC without cni.dev/valid-attachments: nothing collected")
		return nil
	}
	valid := map[cni.Attachment]bool{}
	validID := map[string]bool{}
	for _, a := range c.ValidAttachments {
		valid[a] = true
		validID[a.ContainerID] = true
	}
	host, err := netops.OpenCurrent()
	if err != nil {
		return err
	}
	defer host.Close()
	var errs []error
	records, err := listStates(st.stateDir, c.Name)
	errs = append(errs, err)
	for _, a := range records {
		if valid[cni.Attachment{ContainerID: a.ContainerID, IfName: a.IfName}] {
			continue
		}
		errs = append(errs, teardown(host, a)...)
		if a.IPAM == ipamInternal {
			errs = append(errs, releaseIPs(c.Name, a))
		}
		errs = append(errs, removeState(st.stateDir, c.Name, a.ContainerID, a.IfName))
	}
	switch kind := ipamKind(c); kind {
	case ipamNone:
	case ipamInternal:
		errs = append(errs, p.gcStore(valid, validID))
	default:
		_, err := p.delegate(kind, cni.CmdGC)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func releaseIPs(network string, a *Attachment) error {
	ips := make([]netip.Addr, 0, len(a.IPs))
	for _, ip := range a.IPs {
		ips = append(ips, ip.Addr())
	}
	return releaseInternal(a.DataDir, network, a.ContainerID, a.IfName, ips)
}

// gcStore removes the reservations in host-local's store of attachments
// that are not valid (files of host-local before 0.7 name the container
// only: valid if the container is).
func (p *call) gcStore(valid map[cni.Attachment]bool, validID map[string]bool) error {
	cfg, err := hostlocal.Decode(p.conf, &p.env)
	if err != nil {
		return err
	}
	s, err := hostlocal.Open(cfg.DataDir, cfg.Network)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Lock(); err != nil {
		return err
	}
	defer s.Unlock()
	rs, err := s.List()
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rs {
		if r.IfName == "" && validID[r.ContainerID] || valid[cni.Attachment{ContainerID: r.ContainerID, IfName: r.IfName}] {
			continue
		}
		errs = append(errs, s.Release(r.Addr, r.ContainerID, r.IfName))
	}
	return errors.Join(errs...)
}
