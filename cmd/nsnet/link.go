package main

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/nsnet/nsnet/rtnl"
)

const linkUsage = `Usage: nsnet link add NAME type veth peer name PEER [netns NS]
       nsnet link add NAME type bridge
       nsnet link add NAME type vxlan id VNI [dstport PORT] [local ADDR]
                      [remote ADDR | group ADDR dev DEV] [dev DEV] [ttl N|auto|inherit]
                      [tos N|inherit] [df unset|set|inherit] [flowlabel N]
                      [srcport LOW HIGH] [ageing SEC|none] [maxaddress N|unlimited]
                      [[no]learning] [[no]proxy] [[no]rsc] [[no]l2miss] [[no]l3miss]
                      [[no]udpcsum] [[no]udp6zerocsumtx] [[no]udp6zerocsumrx]
                      [[no]remcsumtx] [[no]remcsumrx] [[no]external] [gbp] [gpe]
       nsnet link add NAME link DEV type macvlan|macvtap [mode private|vepa|bridge|passthru|source]
                      [nopromisc] [nodst] [bcqueuelen N]
       nsnet link add NAME link DEV type vlan id N [protocol 802.1Q|802.1ad]
       nsnet link add NAME type vrf table N
       nsnet link add NAME type dummy|ifb
       nsnet link set [dev] DEV [up|down] [netns NS|PID] [master BR|nomaster]
                                [mtu N] [name NEW] [address MAC] [txqueuelen N]
       nsnet link del [dev] DEV
       nsnet link show [[dev] DEV] [master BR] [type KIND] [up]
A bare "nsnet link" shows every link. Several settings may be given in one
"set", as with ip. NAME, PEER, DEV, BR, NEW: 1 to 15 bytes, no '/', ':' or
space. The veth peer cannot be created up (the kernel refuses): bring it up
with "link set" once it is where it belongs.
`

// linkAddReq is `link add`.
type linkAddReq struct {
	link linkArgs  // the new link: name, up, mtu, address, txqlen, netns, master
	kind string    // "veth", "bridge", or a kind of linkKinds (linkkinds.go)
	peer *linkArgs // veth only: name, netns, mtu, address, txqlen; nil when not given
	spec kindSpec  // the other kinds: their options
}

// linkSetReq is `link set`.
type linkSetReq struct{ linkArgs }

// linkDelReq is `link del`.
type linkDelReq struct{ dev string }

// linkShowReq is `link show`; empty fields do not filter.
type linkShowReq struct {
	dev, master, kind string
	up                bool
}

// linkArgs are the words iproute2's iplink_parse() reads, the subset nsnet
// supports. state is +1 for up, -1 for down, 0 for unchanged.
type linkArgs struct {
	dev      string
	name     string
	state    int
	mtu      uint32
	txqlen   uint32
	addr     net.HardwareAddr
	netns    string
	master   string
	nomaster bool
	link     string   // "link DEV": IFLA_LINK, the lower device (macvlan, vlan...)
	kind     string   // after "type"
	rest     []string // the words after "type KIND"
	help     bool
}

// parseLinkArgs reads link settings as iproute2's iplink_parse() does:
// keywords in its order, and any other word is the device.
func parseLinkArgs(ctx string, args []string) (linkArgs, error) {
	var a linkArgs
	for i := 0; i < len(args); i++ {
		w := args[i]
		switch {
		case w == "up":
			a.state = +1
		case w == "down":
			a.state = -1
		case w == "name":
			v, err := nextArg(ctx, args, &i, w, "a new interface name")
			if err != nil {
				return a, err
			}
			if err := checkIfName("interface name", v); err != nil {
				return a, err
			}
			a.name = v
		case matches(w, "address"):
			v, err := nextArg(ctx, args, &i, w, "a MAC address like aa:bb:cc:dd:ee:ff")
			if err != nil {
				return a, err
			}
			hw, err := parseMAC(v)
			if err != nil {
				return a, err
			}
			a.addr = hw
		case matches(w, "txqueuelen") || w == "qlen" || matches(w, "txqlen"):
			v, err := nextArg(ctx, args, &i, w, "a queue length")
			if err != nil {
				return a, err
			}
			n, err := parseUint("txqueuelen", v, 0, 1<<32-1)
			if err != nil {
				return a, err
			}
			a.txqlen = uint32(n)
		case w == "mtu":
			v, err := nextArg(ctx, args, &i, w, "an MTU in bytes")
			if err != nil {
				return a, err
			}
			n, err := parseUint("MTU", v, 1, 1<<31-1)
			if err != nil {
				return a, err
			}
			a.mtu = uint32(n)
		case w == "netns":
			v, err := nextArg(ctx, args, &i, w, "a namespace name or PID")
			if err != nil {
				return a, err
			}
			if err := checkNSName(v); err != nil {
				return a, err
			}
			a.netns = v
		case w == "master":
			v, err := nextArg(ctx, args, &i, w, "a bridge name")
			if err != nil {
				return a, err
			}
			if err := checkIfName("bridge name", v); err != nil {
				return a, err
			}
			a.master = v
		case w == "nomaster":
			a.nomaster = true
		case w == "link":
			v, err := nextArg(ctx, args, &i, w, "the lower device's name")
			if err != nil {
				return a, err
			}
			if err := checkIfName("interface name", v); err != nil {
				return a, err
			}
			a.link = v
		case matches(w, "type"):
			v, err := nextArg(ctx, args, &i, w, "a link type (veth or bridge)")
			if err != nil {
				return a, err
			}
			a.kind = v
			a.rest = args[i+1:]
			return a, nil
		case matches(w, "help"):
			a.help = true
			return a, nil
		default:
			if w == "dev" {
				v, err := nextArg(ctx, args, &i, w, "an interface name")
				if err != nil {
					return a, err
				}
				w = v
			}
			if a.dev != "" {
				return a, fmt.Errorf("%s: either \"dev\" is given twice or %q is garbage: the device is already %q", ctx, w, a.dev)
			}
			if err := checkIfName("interface name", w); err != nil {
				return a, err
			}
			a.dev = w
		}
	}
	return a, nil
}

// parseLink reads `link COMMAND ...` (iproute2's do_iplink order).
func parseLink(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return linkShowReq{}, nil
	}
	return pickVerb("link", args[0], args[1:], o, []verb{
		{names: []string{"add"}, parse: parseLinkAdd},
		{names: []string{"set", "change"}, parse: parseLinkSet},
		{names: []string{"replace"}},
		{names: []string{"delete"}, parse: parseLinkDel},
		{names: []string{"show", "lst", "list"}, parse: parseLinkShow},
		{names: []string{"xstats"}},
		{names: []string{"afstats"}},
		{names: []string{"property"}},
		helpVerb(linkUsage),
	})
}

func parseLinkAdd(args []string, _ opts) (request, error) {
	a, err := parseLinkArgs("link add", args)
	if err != nil {
		return nil, err
	}
	if a.help {
		return helpReq{text: linkUsage}, nil
	}
	switch {
	case a.name != "" && a.dev != "" && a.name != a.dev:
		return nil, fmt.Errorf("link add: both %q and name %q given: expected one interface name", a.dev, a.name)
	case a.nomaster:
		return nil, errors.New("link add: nomaster only applies to link set")
	case a.state < 0:
		a.state = 0 // a new link is down anyway
	}
	if a.name == "" {
		a.name = a.dev
	}
	a.dev = ""
	if a.kind == "" && a.name == "" {
		return nil, errors.New("link add: expected NAME type veth peer name PEER, or NAME type bridge")
	}
	if a.kind == "" {
		return nil, fmt.Errorf("link add %s: \"type\" is required: expected type veth peer name PEER, or type bridge", a.name)
	}
	req := linkAddReq{kind: a.kind}
	switch a.kind {
	case "veth":
		if len(a.rest) > 0 {
			if a.rest[0] != "peer" {
				return nil, fmt.Errorf("link add %s type veth: unexpected %q: expected peer name PEER", a.name, a.rest[0])
			}
			p, err := parseLinkArgs("link add type veth peer", a.rest[1:])
			if err != nil {
				return nil, err
			}
			if p.help {
				return helpReq{text: linkUsage}, nil
			}
			if err := checkPeer(&p); err != nil {
				return nil, err
			}
			req.peer = &p
		}
	case "bridge":
		if len(a.rest) > 0 {
			return nil, fmt.Errorf("link add %s type bridge: unexpected %q: nsnet takes no bridge options", a.name, a.rest[0])
		}
	default:
		k := findKind(a.kind)
		if k == nil {
			return nil, fmt.Errorf("link add %s: type %q is not supported by nsnet: expected one of %s", a.name, a.kind, kindNames())
		}
		spec, err := k.parse("link add "+a.name+" type "+a.kind, a.rest)
		if err != nil {
			return nil, err
		}
		req.spec = spec
	}
	a.kind, a.rest = "", nil
	req.link = a
	return req, nil
}

// checkPeer accepts the settings a veth peer can be born with.
func checkPeer(p *linkArgs) error {
	switch {
	case p.name != "" && p.dev != "" && p.name != p.dev:
		return fmt.Errorf("link add: peer given both %q and name %q: expected one peer name", p.dev, p.name)
	case p.state > 0:
		return errors.New("link add: the veth peer cannot be created up (the kernel answers ENOTCONN): bring it up afterwards with link set PEER up")
	case p.master != "" || p.nomaster:
		return errors.New("link add: the veth peer cannot be enslaved while it is created: use link set PEER master BR afterwards")
	case p.kind != "":
		return fmt.Errorf("link add: unexpected \"type %s\" after peer", p.kind)
	case p.link != "":
		return errors.New("link add: a veth peer has no lower device: unexpected \"link\" after peer")
	}
	if p.name == "" {
		p.name = p.dev
	}
	p.dev, p.state = "", 0
	return nil
}

func parseLinkSet(args []string, _ opts) (request, error) {
	a, err := parseLinkArgs("link set", args)
	if err != nil {
		return nil, err
	}
	switch {
	case a.help:
		return helpReq{text: linkUsage}, nil
	case a.dev == "":
		return nil, errors.New("link set: \"dev\" is required: expected link set [dev] DEV up|down|netns NS|master BR|nomaster|mtu N|name NEW|address MAC")
	case a.kind != "":
		return nil, fmt.Errorf("link set %s: \"type %s\" options are not supported by nsnet", a.dev, a.kind)
	case a.master != "" && a.nomaster:
		return nil, fmt.Errorf("link set %s: master and nomaster contradict each other: expected one of them", a.dev)
	case a.link != "":
		return nil, fmt.Errorf("link set %s: \"link\" (the lower device) can only be given to link add", a.dev)
	}
	return linkSetReq{a}, nil
}

func parseLinkDel(args []string, _ opts) (request, error) {
	a, err := parseLinkArgs("link del", args)
	if err != nil {
		return nil, err
	}
	if a.help {
		return helpReq{text: linkUsage}, nil
	}
	extra := a.name != "" || a.state != 0 || a.mtu != 0 || a.txqlen != 0 || a.addr != nil ||
		a.netns != "" || a.master != "" || a.nomaster || a.kind != "" || a.link != ""
	switch {
	case a.dev == "":
		return nil, errors.New("link del: \"dev\" is required: expected link del [dev] DEV")
	case extra:
		return nil, fmt.Errorf("link del %s: unexpected settings: expected only link del [dev] DEV", a.dev)
	}
	return linkDelReq{dev: a.dev}, nil
}

// parseLinkShow reads `link show` filters as ipaddr_list_flush_or_save().
func parseLinkShow(args []string, _ opts) (request, error) {
	var r linkShowReq
	for i := 0; i < len(args); i++ {
		w := args[i]
		val := func(what string) (string, error) { return nextArg("link show", args, &i, w, what) }
		var err error
		switch {
		case w == "up":
			r.up = true
		case w == "master":
			if r.master, err = val("a bridge name"); err == nil {
				err = checkIfName("bridge name", r.master)
			}
		case w == "type":
			r.kind, err = val("a link type, e.g. veth or bridge")
		case matches(w, "help"):
			return helpReq{text: linkUsage}, nil
		default:
			r.dev, err = showDev("link show", args, &i, r.dev)
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r linkAddReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	l, closeNS, err := r.link.request(e, c, "link add", r.link.name)
	if err != nil {
		return err
	}
	defer closeNS()
	peerWhere := e.where()
	switch r.kind {
	case "veth":
		v := &rtnl.Veth{}
		if r.peer != nil {
			p, closePeer, err := r.peer.request(e, c, "link add", r.link.name)
			if err != nil {
				return err
			}
			defer closePeer()
			v.Peer = *p
			if r.peer.netns != "" {
				peerWhere = "namespace " + r.peer.netns
			}
		}
		l.Info = v
	case "bridge":
		l.Info = &rtnl.Bridge{}
	default:
		byName := func(name string) (int32, error) {
			d, err := e.linkByName(c, name, "link add", r.link.name)
			if err != nil {
				return 0, err
			}
			return d.Index, nil
		}
		if err := r.spec.resolve(byName); err != nil {
			return err
		}
		l.Info = r.spec.info
	}
	if r.link.link != "" {
		d, err := e.linkByName(c, r.link.link, "link add", r.link.name)
		if err != nil {
			return err
		}
		l.ParentIndex = d.Index
	}
	err = c.LinkAdd(l)
	if err == nil || !errors.Is(err, syscall.EEXIST) {
		return inNS(err, e.where())
	}
	// Say which of the names is taken, and where: the new link's name in
	// its namespace, or else the peer's in its own.
	where := e.where()
	if r.link.netns != "" {
		where = "namespace " + r.link.netns
	}
	if r.peer == nil || linkExists(c, r.link.netns, r.link.name) {
		return &refused{err: err, where: where, name: r.link.name}
	}
	return &refused{err: err, where: peerWhere, name: r.peer.name}
}

// linkExists reports whether a link of that name is in namespace ns (""
// the namespace of c), for the message of a refused link add.
func linkExists(c *rtnl.Conn, ns, name string) bool {
	if ns != "" {
		n, err := openTarget(ns)
		if err != nil {
			return false
		}
		defer n.Close()
		if c, err = rtnl.Dial(n.File()); err != nil {
			return false
		}
		defer c.Close()
	}
	_, err := c.LinkByName(name)
	return err == nil
}

// request turns parsed settings into an rtnl.Link request: the master is
// looked up by name, a target namespace is opened (closeNS closes it once
// the request has been sent). op and obj ("link set", "veth-red") name the
// command in messages.
func (a *linkArgs) request(e *env, c *rtnl.Conn, op, obj string) (*rtnl.Link, func(), error) {
	l := &rtnl.Link{Name: a.name, MTU: a.mtu, TxQLen: a.txqlen, Address: a.addr, NoMaster: a.nomaster}
	switch a.state {
	case +1:
		l.Flags, l.Change = rtnl.LinkUp, rtnl.LinkUp
	case -1:
		l.Change = rtnl.LinkUp
	}
	if a.master != "" {
		m, err := c.LinkByName(a.master)
		if err != nil {
			return nil, nil, &refused{err: err, where: e.where(), name: a.master, role: "bridge", op: op, obj: obj}
		}
		l.Master = uint32(m.Index)
	}
	closeNS := func() {}
	if a.netns != "" {
		ns, err := openTarget(a.netns)
		if err != nil {
			return nil, nil, err
		}
		l.NetNS = ns.File()
		closeNS = func() { ns.Close() }
	}
	return l, closeNS, nil
}

func (r linkSetReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	cur, err := e.linkByName(c, r.dev, "link set", r.dev)
	if err != nil {
		return err
	}
	l, closeNS, err := r.request(e, c, "link set", r.dev)
	if err != nil {
		return err
	}
	defer closeNS()
	l.Index = cur.Index
	if err := c.LinkSet(l); err != nil {
		ref := &refused{err: err, where: e.where(), name: r.dev}
		if errors.Is(err, syscall.EEXIST) {
			// The name is taken: the new name here, or the same name
			// in the target namespace.
			ref.name = r.dev
			if r.name != "" {
				ref.name = r.name
			}
			if r.netns != "" {
				ref.where = "namespace " + r.netns
			}
		}
		if r.netns != "" && errors.Is(err, syscall.EINVAL) {
			ref.role = "netns" // e.g. lo, or a bridge port, cannot move
		}
		return ref
	}
	return nil
}

func (r linkDelReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	l, err := e.linkByName(c, r.dev, "link del", r.dev)
	if err != nil {
		return err
	}
	return inNS(c.LinkDel(l.Index), e.where())
}

func (r linkShowReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	set, shown, err := e.shownLinks(c, r.dev, r.master, r.kind, r.up)
	if err != nil {
		return err
	}
	st := linkStyle{mode: true, lladdr: e.opts.family == 0, details: e.opts.details}
	if e.opts.json {
		out := []jobj{}
		for _, l := range shown {
			if e.opts.brief {
				out = append(out, set.linkBriefJSON(l, st, nil, false))
			} else {
				out = append(out, set.linkJSON(l, st))
			}
		}
		return writeJSON(e.out, e.opts, out)
	}
	for _, l := range shown {
		if e.opts.brief {
			set.writeLinkBrief(e.out, l, st, nil, false)
		} else {
			set.writeLinkText(e.out, l, st)
		}
	}
	return nil
}

// shownLinks dumps the links of c's namespace, named for printing
// (link-netns NAME included), and selects those that `ip link show`'s
// filters keep (see filter).
func (e *env) shownLinks(c *rtnl.Conn, dev, master, kind string, up bool) (*linkSet, []*rtnl.Link, error) {
	links, err := c.Links()
	if err != nil {
		return nil, nil, inNS(err, e.where())
	}
	set := newLinkSet(links, e.nsNames())
	shown, err := set.filter(dev, master, kind, up, e.where())
	if err != nil {
		return nil, nil, err
	}
	return set, shown, nil
}

// filter selects links as `ip link show` filters do. A named device that
// does not exist is an error (ip: Device "X" does not exist).
func (s *linkSet) filter(dev, master, kind string, up bool, where string) ([]*rtnl.Link, error) {
	var masterIndex uint32
	if master != "" {
		m := s.byName(master)
		if m == nil {
			return nil, &notFound{what: "link", name: master, where: where}
		}
		masterIndex = uint32(m.Index)
	}
	var out []*rtnl.Link
	for i := range s.links {
		l := &s.links[i]
		switch {
		case dev != "" && l.Name != dev,
			master != "" && l.Master != masterIndex,
			up && !l.Up(),
			kind != "" && !kindMatches(l, kind):
			continue
		}
		out = append(out, l)
	}
	if dev != "" && len(out) == 0 && s.byName(dev) == nil {
		return nil, &notFound{what: "link", name: dev, where: where}
	}
	return out, nil
}

func (s *linkSet) byName(name string) *rtnl.Link {
	for i := range s.links {
		if s.links[i].Name == name {
			return &s.links[i]
		}
	}
	return nil
}

// kindMatches is `type KIND`; "KIND_slave" matches the ports of that kind
// of master (e.g. bridge_slave), as in iproute2.
func kindMatches(l *rtnl.Link, kind string) bool {
	if k, ok := strings.CutSuffix(kind, "_slave"); ok {
		return l.SlaveKind == k
	}
	return l.Kind() == kind
}
