package plugin

import (
	"errors"
	"strconv"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/cni/hostlocal"
	"github.com/nsnet/nsnet/netops"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// status is STATUS, cheap (containerd 2 calls it on every kubelet status
// poll): one link lookup and, with nsnet's IPAM, one stat per range set
// in the usual case. 50 when ADD cannot be served: the pool is exhausted,
// or the bridge's name is taken by a link of another kind.
func (p *call) status() error {
	c := p.conf
	rc, err := rtnl.Dial(nil)
	if err != nil {
		return &cni.Error{Code: cni.CodeNotAvailable, Msg: "no rtnetlink: " + err.Error()}
	}
	defer rc.Close()
	l, err := rc.LinkByName(c.Bridge)
	switch {
	case errors.Is(err, unix.ENODEV):
		// ADD will create it
	case err != nil:
		return &cni.Error{Code: cni.CodeNotAvailable, Msg: "bridge " + c.Bridge + ": " + err.Error()}
	case l.Kind() != "bridge":
		return &cni.Error{Code: cni.CodeNotAvailable, Msg: "bridge " + c.Bridge + " cannot be made: the name is a " + netops.KindWord(l) + " link"}
	}
	switch kind := ipamKind(c); kind {
	case ipamNone:
	case ipamInternal:
		cfg, err := hostlocal.Decode(c, &p.env)
		if err != nil {
			return err
		}
		s, err := hostlocal.Open(cfg.DataDir, cfg.Network)
		if err != nil {
			return &cni.Error{Code: cni.CodeNotAvailable, Msg: "IPAM store: " + err.Error()}
		}
		defer s.Close()
		if set, ok := hostlocal.Free(s, cfg); !ok {
			return &cni.Error{Code: cni.CodeNotAvailable, Msg: "no IP addresses available in range set " + strconv.Itoa(set) + ": " + cfg.Ranges[set].String()}
		}
	default:
		if _, err := p.delegate(kind, cni.CmdStatus); err != nil {
			return err
		}
	}
	return nil
}
