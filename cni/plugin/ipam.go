package plugin

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/cni/hostlocal"
)

// IPAM kinds of a configuration.
const (
	ipamNone     = ""           // no ipam object: layer 2 only
	ipamInternal = "host-local" // host-local's store, inside nsnet
)

// ipamKind is what runs the configuration's IPAM: nsnet itself for
// "host-local" (or an ipam object without a type), no IPAM without an
// ipam object, else the delegate named by ipam.type.
func ipamKind(c *cni.NetConf) string {
	switch {
	case !c.IPAM.Present():
		return ipamNone
	case c.IPAM.Type == "" || c.IPAM.Type == "host-local":
		return ipamInternal
	}
	return c.IPAM.Type
}

// ipamResult is what IPAM gave one ADD, and how to give it back.
type ipamResult struct {
	ips     []cni.IPConfig
	routes  []cni.Route
	dns     cni.DNS
	dataDir string
	release func() // undoes the allocation (failed ADD)
}

// allocate runs the configuration's IPAM for ADD.
func (p *call) allocate() (*ipamResult, error) {
	switch kind := ipamKind(p.conf); kind {
	case ipamNone:
		return &ipamResult{release: func() {}}, nil
	case ipamInternal:
		cfg, err := hostlocal.Decode(p.conf, &p.env)
		if err != nil {
			return nil, err
		}
		s, err := hostlocal.Open(cfg.DataDir, cfg.Network)
		if err != nil {
			return nil, &cni.Error{Code: cni.CodeIOFailure, Msg: "IPAM store: " + err.Error()}
		}
		defer s.Close()
		as, err := hostlocal.Allocate(s, cfg, p.env.ContainerID, p.env.IfName)
		if err != nil {
			return nil, err
		}
		r := &ipamResult{routes: cfg.Routes, dataDir: cfg.DataDir}
		if cfg.ResolvConf != "" {
			if r.dns, err = cfg.ResolvDNS(); err != nil {
				releaseInternal(cfg.DataDir, cfg.Network, p.env.ContainerID, p.env.IfName, addrsOf(as))
				return nil, &cni.Error{Code: cni.CodeIOFailure, Msg: "resolvConf: " + err.Error()}
			}
		}
		for _, a := range as {
			r.ips = append(r.ips, cni.IPConfig{Address: a.Address, Gateway: a.Gateway})
		}
		id, ifname, network, dir := p.env.ContainerID, p.env.IfName, cfg.Network, cfg.DataDir
		r.release = func() { releaseInternal(dir, network, id, ifname, addrsOf(as)) }
		return r, nil
	default:
		out, err := p.delegate(kind, cni.CmdAdd)
		if err != nil {
			return nil, err
		}
		res, err := cni.DecodeResult(out, p.conf.CNIVersion)
		if err != nil {
			p.delegate(kind, cni.CmdDel)
			return nil, &cni.Error{Code: cni.CodeDecodingFailure, Msg: "IPAM plugin " + kind + " returned an unreadable result", Details: err.Error()}
		}
		return &ipamResult{ips: res.IPs, routes: res.Routes, dns: res.DNS,
			release: func() { p.delegate(kind, cni.CmdDel) }}, nil
	}
}

func addrsOf(as []hostlocal.Allocation) []netip.Addr {
	out := make([]netip.Addr, len(as))
	for i, a := range as {
		out[i] = a.Address.Addr()
	}
	return out
}

// releaseInternal frees the reservations of (id, ifname) in host-local's
// store: exactly ips when the record names them, else every file that
// holds id and ifname (host-local's DEL, which reads the whole store).
func releaseInternal(dataDir, network, id, ifname string, ips []netip.Addr) error {
	s, err := hostlocal.Open(dataDir, network)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Lock(); err != nil {
		return err
	}
	defer s.Unlock()
	if ips == nil {
		return s.ReleaseByID(id, ifname)
	}
	var errs []error
	for _, a := range ips {
		errs = append(errs, s.Release(a, id, ifname))
	}
	return errors.Join(errs...)
}

// delegate runs the IPAM plugin typ with the same environment (but
// CNI_COMMAND cmd) and the same stdin, as the spec's delegation says; its
// stderr goes to ours. A failure is its error result.
func (p *call) delegate(typ, cmd string) ([]byte, error) {
	path, err := findPlugin(typ, p.env.Path)
	if err != nil {
		return nil, err
	}
	c := exec.Command(path)
	c.Stdin = bytes.NewReader(p.stdin)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, p.stderr
	c.Env = append(os.Environ(), "CNI_COMMAND="+cmd)
	if err := c.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if _, e, derr := cni.DecodeErrorResult(out.Bytes()); derr == nil {
				return nil, e
			}
			return nil, &cni.Error{Code: cni.CodeInternal, Msg: "IPAM plugin " + typ + " failed: " + err.Error(), Details: strings.TrimSpace(out.String())}
		}
		return nil, &cni.Error{Code: cni.CodeIOFailure, Msg: "IPAM plugin " + typ + ": " + err.Error()}
	}
	return out.Bytes(), nil
}

// findPlugin looks typ up in CNI_PATH, as libcni's FindInPath does.
func findPlugin(typ, cniPath string) (string, error) {
	if typ == "" || strings.ContainsAny(typ, `/\`) {
		return "", &cni.Error{Code: cni.CodeInvalidConfig, Msg: "invalid plugin type " + quoted(typ)}
	}
	if cniPath == "" {
		return "", &cni.Error{Code: cni.CodeInvalidEnvironment, Msg: "required env variables [CNI_PATH] missing", Details: "to run the IPAM plugin " + typ}
	}
	for _, dir := range filepath.SplitList(cniPath) {
		f := filepath.Join(dir, typ)
		if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return f, nil
		}
	}
	return "", &cni.Error{Code: cni.CodeInvalidConfig, Msg: "failed to find plugin " + quoted(typ) + " in path " + quoted(cniPath)}
}
