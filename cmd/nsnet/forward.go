package main

import (
	"fmt"

	"github.com/nsnet/nsnet/nsutil"
)

const forwardUsage = `Usage: nsnet [-n NS] [-4|-6] forward on|off|show
IP forwarding (net.ipv4.ip_forward and net.ipv6.conf.all.forwarding) of
namespace NS, or of the current one: routing between interfaces, which NAT
and the seed's "namespace reaches the LAN" need. -4 or -6 picks one family;
without them both are changed (show always prints both).
`

// Per-namespace sysctls forward reads and writes.
const (
	sysctlIPv4Forward = "net.ipv4.ip_forward"
	sysctlIPv6Forward = "net.ipv6.conf.all.forwarding"
)

// forwardReq is `forward on|off|show`.
type forwardReq struct {
	show bool
	on   bool
	v4   bool // change IPv4
	v6   bool // change IPv6
}

func parseForward(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return forwardReq{show: true}, nil
	}
	if len(args) > 1 {
		return nil, fmt.Errorf("forward %s: unexpected %q: expected forward on|off|show", args[0], args[1])
	}
	r := forwardReq{v4: o.family != 6, v6: o.family != 4}
	switch args[0] {
	case "on":
		r.on = true
	case "off":
	case "show":
		r.show = true
	case "help":
		return helpReq{text: forwardUsage}, nil
	default:
		return nil, fmt.Errorf("forward: %q is unknown: expected on, off or show", args[0])
	}
	return r, nil
}

func (r forwardReq) run(e *env) error {
	var ns *nsutil.NetNS
	var err error
	if e.opts.netns == "" {
		ns, err = nsutil.Current()
	} else {
		ns, err = openNS(e.opts.netns)
	}
	if err != nil {
		return err
	}
	defer ns.Close()
	if !r.show {
		val := "0"
		if r.on {
			val = "1"
		}
		for _, k := range []struct {
			key string
			do  bool
		}{{sysctlIPv4Forward, r.v4}, {sysctlIPv6Forward, r.v6}} {
			if k.do {
				if err := ns.SysctlSet(k.key, val); err != nil {
					return &refused{err: err, where: e.where(), op: "forward", obj: k.key}
				}
			}
		}
		return nil
	}
	v4, err := ns.SysctlGet(sysctlIPv4Forward)
	if err != nil {
		return &refused{err: err, where: e.where(), op: "forward show", obj: sysctlIPv4Forward}
	}
	v6, err := ns.SysctlGet(sysctlIPv6Forward)
	if err != nil {
		return &refused{err: err, where: e.where(), op: "forward show", obj: sysctlIPv6Forward}
	}
	if e.opts.json {
		return writeJSON(e.out, e.opts, jobj{{jIPv4, v4 == "1"}, {jIPv6, v6 == "1"}})
	}
	fmt.Fprintf(e.out, "ipv4 %s\nipv6 %s\n", onOff(v4), onOff(v6))
	return nil
}

func onOff(v string) string {
	if v == "1" {
		return "on"
	}
	return "off"
}
