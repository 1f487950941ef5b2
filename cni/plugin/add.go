package plugin

import (
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/netops"
	"golang.org/x/sys/unix"
)

// settings nsnet reads beyond the reference bridge's fields.
type settings struct {
	stateDir string
}

func (p *call) settings() settings {
	s := settings{stateDir: DefaultStateDir}
	if p.conf.StateDir != "" {
		s.stateDir = p.conf.StateDir
	}
	return s
}

// add is ADD: IPAM, the bridge, the veth born in the container with its
// addresses and routes, the gateway address, masquerade and port
// mappings; the result in the configuration's version. On any failure
// the journal is undone and the addresses are released: nothing is left.
func (p *call) add() (out []byte, err error) {
	c, env, st := p.conf, &p.env, p.settings()
	if old, err := loadState(st.stateDir, c.Name, env.ContainerID, env.IfName); err != nil {
		return nil, &cni.Error{Code: cni.CodeIOFailure, Msg: "attachment record: " + err.Error()}
	} else if old != nil {
		return nil, &cni.Error{Code: cni.CodeInvalidConfig, Msg: "container " + env.ContainerID + " is already attached to network " + c.Name + " as " + env.IfName + " (DEL it first)"}
	}
	var mac net.HardwareAddr
	if m := c.MAC(env); m != "" {
		if mac, err = net.ParseMAC(m); err != nil || len(mac) != 6 {
			return nil, &cni.Error{Code: cni.CodeInvalidConfig, Msg: "invalid MAC address " + quoted(m)}
		}
	} else {
		mac = randomMAC()
	}
	for _, pm := range c.RuntimeConfig.PortMappings {
		if pm.HostIP.IsValid() && !pm.HostIP.IsUnspecified() {
			return nil, &cni.Error{Code: cni.CodeUnsupportedField, Msg: "unsupported field in network configuration: portMappings hostIP=" + pm.HostIP.String() + " (nsnet maps ports on every host address)"}
		}
	}
	cont, err := openNetns(env.Netns)
	if err != nil {
		return nil, err
	}
	defer cont.Close()
	if l, err := cont.Conn().LinkByName(env.IfName); err == nil {
		return nil, &cni.Error{Code: cni.CodeInvalidConfig, Msg: "interface " + env.IfName + " already exists in " + env.Netns, Details: "a " + netops.KindWord(l) + " link with index " + strconv.Itoa(int(l.Index))}
	} else if !errors.Is(err, unix.ENODEV) {
		return nil, err
	}
	host, err := netops.OpenCurrent()
	if err != nil {
		return nil, err
	}
	defer host.Close()

	ipam, err := p.allocate()
	if err != nil {
		return nil, err
	}
	j := &netops.Journal{}
	a := &Attachment{ContainerID: env.ContainerID, IfName: env.IfName, Netns: env.Netns, Bridge: c.Bridge,
		IPAM: ipamKind(c), DataDir: ipam.dataDir, HostMAC: randomMAC()}
	defer func() {
		if err != nil {
			if uerr := j.Undo(); uerr != nil {
				p.warn("undoing a failed ADD: " + uerr.Error())
			}
			ipam.release()
			removeState(st.stateDir, c.Name, env.ContainerID, env.IfName)
		}
	}()
	res, err := p.wire(j, host, cont, a, ipam, mac)
	if err != nil {
		return nil, err
	}
	if err := saveState(st.stateDir, c.Name, a); err != nil {
		return nil, &cni.Error{Code: cni.CodeIOFailure, Msg: "attachment record: " + err.Error()}
	}
	return append(res.AppendJSON(nil, c.CNIVersion), '\n'), nil
}

// wire makes the kernel objects of one attachment, each through the
// operations layer and journaled in j, and fills a and the result.
func (p *call) wire(j *netops.Journal, host, cont *netops.NS, a *Attachment, ipam *ipamResult, mac net.HardwareAddr) (*cni.Result, error) {
	c, env := p.conf, &p.env
	noIPv6 := true
	for _, ip := range ipam.ips {
		a.IPs = append(a.IPs, ip.Address)
		if ip.Address.Addr().Is6() {
			noIPv6 = false
		}
	}
	br, _, err := netops.EnsureBridge(j, host, netops.Bridge{Name: c.Bridge, MTU: uint32(c.MTU), Promisc: c.PromiscMode, NoIPv6: noIPv6})
	if err != nil {
		return nil, err
	}
	// Gateways per family (the IP's own, or the subnet's first address
	// when isGateway asks for one), and the routes with them.
	ips := append([]cni.IPConfig(nil), ipam.ips...)
	routes := append([]cni.Route(nil), ipam.routes...)
	var gw4, gw6 netip.Addr
	for i := range ips {
		if !ips[i].Gateway.IsValid() && c.IsGateway {
			ips[i].Gateway = ips[i].Address.Masked().Addr().Next()
		}
		if ips[i].Address.Addr().Is4() && !gw4.IsValid() {
			gw4 = ips[i].Gateway
		} else if ips[i].Address.Addr().Is6() && !gw6.IsValid() {
			gw6 = ips[i].Gateway
		}
	}
	if c.IsDefaultGateway {
		for _, gw := range []netip.Addr{gw4, gw6} {
			if !gw.IsValid() {
				continue
			}
			def := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
			if gw.Is6() {
				def = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
			}
			found := false
			for _, r := range routes {
				found = found || r.Dst == def && r.GW.IsValid()
			}
			if !found {
				routes = append(routes, cni.Route{Dst: def, GW: gw})
			}
		}
	}
	var opRoutes []netops.Route
	for _, r := range routes {
		gw := r.GW
		if !gw.IsValid() {
			if r.Dst.Addr().Is4() {
				gw = gw4
			} else {
				gw = gw6
			}
		}
		opRoutes = append(opRoutes, netops.Route{Dst: r.Dst, Gateway: gw, Metric: uint32(r.Priority)})
	}
	hostMAC := a.HostMAC
	var pair netops.Pair
	for try := 0; ; try++ {
		a.HostIf = hostIfName(env.ContainerID, env.IfName, try)
		pair, err = netops.Attach(j, host, cont, netops.Attachment{Bridge: br, BridgeName: c.Bridge, HostIf: a.HostIf, IfName: env.IfName,
			MTU: uint32(c.MTU), MAC: mac, HostMAC: hostMAC, Addrs: a.IPs, Routes: opRoutes, NoIPv6: noIPv6, Hairpin: c.HairpinMode})
		var conflict *netops.ConflictError
		if errors.As(err, &conflict) && pair.Index == 0 && try < 3 {
			continue // another attachment's host end has this name
		}
		break
	}
	if err != nil {
		return nil, err
	}
	if c.IsGateway {
		if err := p.gatewayOnBridge(j, host, br, ips); err != nil {
			return nil, err
		}
	}
	// Forwarding for each family the pod routes through the host (the
	// reference enables it with isGateway; masquerade and port mappings
	// need it too).
	if c.IsGateway || c.IPMasq || len(c.RuntimeConfig.PortMappings) > 0 {
		if gw4.IsValid() || hasFamily(a.IPs, true) {
			if err := netops.Sysctl(j, host, "net.ipv4.ip_forward", "1"); err != nil {
				return nil, err
			}
		}
		if !noIPv6 {
			if err := netops.Sysctl(j, host, "net.ipv6.conf.all.forwarding", "1"); err != nil {
				return nil, err
			}
		}
	}
	if c.IPMasq {
		for _, ip := range a.IPs {
			a.Masquerade = append(a.Masquerade, netip.PrefixFrom(ip.Addr(), ip.Addr().BitLen()))
		}
	}
	if len(c.RuntimeConfig.PortMappings) > 0 {
		if err := p.portMappings(j, host, a); err != nil {
			return nil, err
		}
	}
	// The masquerade and the port forwards: one nf_tables transaction,
	// appended without reading the table (they name the address IPAM just
	// gave this attachment), so ADD costs the same at 1 and 500 pods.
	if err := netops.AppendNATs(j, host, a.natRules()); err != nil {
		return nil, err
	}
	brMAC := ""
	if l, err := host.Conn().LinkByIndex(br); err == nil {
		brMAC = l.Address.String()
	}
	mine := []cni.Interface{
		{Name: c.Bridge, Mac: brMAC},
		{Name: a.HostIf, Mac: hostMAC.String()},
		{Name: env.IfName, Mac: mac.String(), Sandbox: env.Netns},
	}
	_ = pair
	return p.result(mine, ips, routes, ipam.dns), nil
}

// result is the ADD result: prevResult (if any) with this plugin's
// interfaces, IPs (pointing at the container's interface), routes and
// DNS added.
func (p *call) result(ifs []cni.Interface, ips []cni.IPConfig, routes []cni.Route, dns cni.DNS) *cni.Result {
	r := &cni.Result{CNIVersion: p.conf.CNIVersion}
	if prev := p.conf.PrevResult; prev != nil {
		*r = *prev
		r.Interfaces = append([]cni.Interface(nil), prev.Interfaces...)
		r.IPs = append([]cni.IPConfig(nil), prev.IPs...)
		r.Routes = append([]cni.Route(nil), prev.Routes...)
	}
	idx := len(r.Interfaces) + len(ifs) - 1
	r.Interfaces = append(r.Interfaces, ifs...)
	for _, ip := range ips {
		i := idx
		ip.Interface = &i
		r.IPs = append(r.IPs, ip)
	}
	r.Routes = append(r.Routes, routes...)
	switch {
	case !emptyDNS(p.conf.DNS):
		r.DNS = p.conf.DNS
	case !emptyDNS(dns):
		r.DNS = dns
	}
	return r
}

func emptyDNS(d cni.DNS) bool {
	return len(d.Nameservers) == 0 && d.Domain == "" && len(d.Search) == 0 && len(d.Options) == 0
}

// gatewayOnBridge puts each family's gateway address on the bridge (the
// subnet's length), unless it is there already: the first ADD of a
// network adds it, the others find it (and so skip the operations
// layer's port census that a shared address's undo needs).
func (p *call) gatewayOnBridge(j *netops.Journal, host *netops.NS, br int32, ips []cni.IPConfig) error {
	var want []netip.Prefix
	for _, ip := range ips {
		if ip.Gateway.IsValid() {
			want = append(want, netip.PrefixFrom(ip.Gateway, ip.Address.Bits()))
		}
	}
	if len(want) == 0 {
		return nil
	}
	have := map[netip.Prefix]bool{}
	addrs, err := host.Conn().Addrs(0) // the host's few: containers' are in their namespaces
	if err != nil {
		return err
	}
	for _, ad := range addrs {
		if ad.Index == br {
			have[ad.Prefix()] = true
		}
	}
	b := netops.NewBatch(j, host)
	for _, w := range want {
		if have[w] {
			continue
		}
		for h := range have {
			if h.Addr().Is4() == w.Addr().Is4() && h.Overlaps(w) && !p.conf.ForceAddress {
				return &cni.Error{Code: cni.CodeInvalidConfig, Msg: "bridge " + p.conf.Bridge + " already has an IP address different from " + w.String() + " (" + h.String() + ")"}
			}
		}
		b.AddrAdd(netops.Addr{Index: br, Dev: p.conf.Bridge, Prefix: w, OnBridge: true})
	}
	if b.Len() == 0 {
		return nil
	}
	return b.Flush()
}

// portMappings records one Port (a firewall.Forward: DNAT from outside,
// from the host itself and hairpin) per mapping and container address of
// the mapping's family; route_localnet on the bridge lets the host reach
// a mapping through 127.0.0.1.
func (p *call) portMappings(j *netops.Journal, host *netops.NS, a *Attachment) error {
	if err := netops.Sysctl(j, host, "net.ipv4.conf."+p.conf.Bridge+".route_localnet", "1"); err != nil {
		return err
	}
	for _, pm := range p.conf.RuntimeConfig.PortMappings {
		for _, ip := range a.IPs {
			if pm.HostIP.IsValid() && pm.HostIP.Is4() != ip.Addr().Is4() {
				continue
			}
			a.Ports = append(a.Ports, Port{Proto: pm.Protocol, HostPort: pm.HostPort, To: netip.AddrPortFrom(ip.Addr(), pm.ContainerPort)})
		}
	}
	return nil
}

// hostIfName is the host end's name: "veth" and 8 hex digits of a hash
// of (container ID, ifname, try), so that it is found again from the
// attachment alone; try > 0 after a collision.
func hostIfName(id, ifname string, try int) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(ifname))
	if try > 0 {
		h.Write([]byte{byte(try)})
	}
	s := strconv.FormatUint(uint64(h.Sum32()), 16)
	for len(s) < 8 {
		s = "0" + s
	}
	return "veth" + s
}

// randomMAC is a random unicast, locally administered address (the
// kernel's eth_random_addr, chosen here so that the result knows it
// without asking).
func randomMAC() net.HardwareAddr {
	m := make(net.HardwareAddr, 6)
	v := rand.Uint64()
	for i := range m {
		m[i] = byte(v >> (8 * i))
	}
	m[0] = m[0]&0xfe | 0x02
	return m
}

func (p *call) warn(msg string) {
	p.stderr.Write([]byte("nsnet: " + msg + "\n"))
}

func hasFamily(ps []netip.Prefix, v4 bool) bool {
	for _, p := range ps {
		if p.Addr().Is4() == v4 {
			return true
		}
	}
	return false
}
