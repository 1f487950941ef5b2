package main

import (
	"fmt"
	"strings"

	"github.com/nsnet/nsnet/rtnl"
)

// `ip -d link`: the details iproute2 6.1's print_linkinfo prints with
// show_details, after the link/ether line, and print_linktype's kind
// line. Each kind with options has one printer here, written after its
// *_print_opt in ip/iplink_KIND.c; the kinds iproute2 prints no options
// for (veth, dummy, ifb) print their name only, as there. bridge and
// bridge_slave options are not printed yet (their names only).

// dprint collects one link's details as iproute2's print_* functions do:
// text for the terminal, fields for -j, from the same calls.
type dprint struct {
	text strings.Builder
	json jobj
}

// any is print_*(PRINT_ANY, key, format, v).
func (p *dprint) any(key, format string, v any) {
	fmt.Fprintf(&p.text, format, v)
	p.json.add(key, v)
}

// fp is print_*(PRINT_FP, NULL, format, v): text only.
func (p *dprint) fp(format string, v ...any) { fmt.Fprintf(&p.text, format, v...) }

// js is print_*(PRINT_JSON, key, NULL, v): JSON only.
func (p *dprint) js(key string, v any) { p.json.add(key, v) }

// kindPrinter prints a kind's IFLA_INFO_DATA (info_data in JSON).
type kindPrinter func(p *dprint, l *rtnl.Link, s *linkSet)

// kindPrinters are the kinds iproute2 has a print_opt for that nsnet
// prints; a kind not listed gets its name only, as in iproute2 for a kind
// without print_opt.
func kindPrinters() map[string]kindPrinter {
	return map[string]kindPrinter{
		"vxlan":   printVxlan,
		"macvlan": printMacvlan,
		"macvtap": printMacvlan,
		"vrf":     printVrf,
	}
}

// linkDetails prints l's -d part: text (starting after the link/ether
// line's last word) and the JSON fields, in iproute2's order.
func (s *linkSet) linkDetails(l *rtnl.Link) (string, jobj) {
	d := l.Details()
	var p dprint
	if d.HasPromiscuity {
		p.any("promiscuity", " promiscuity %d ", d.Promiscuity)
	}
	if d.HasAllMulti {
		p.any("allmulti", " allmulti %d ", d.AllMulti)
	}
	if d.HasMinMTU {
		p.any("min_mtu", "minmtu %d ", d.MinMTU)
	}
	if d.HasMaxMTU {
		p.any("max_mtu", "maxmtu %d ", d.MaxMTU)
	}
	if l.Info != nil || l.SlaveKind != "" {
		var info dprint
		if l.Info != nil {
			info.text.WriteString("\n")
			info.any("info_kind", "    %s ", l.Kind())
			if pr, ok := kindPrinters()[l.Kind()]; ok {
				var data dprint
				pr(&data, l, s)
				info.text.WriteString(data.text.String())
				info.js("info_data", data.json)
			}
		}
		if l.SlaveKind != "" {
			info.text.WriteString("\n")
			info.fp("    %s_slave ", l.SlaveKind)
			info.js("info_slave_kind", l.SlaveKind)
		}
		p.text.WriteString(info.text.String())
		p.js("linkinfo", info.json)
	}
	if d.HasAddrGenMode {
		p.any("inet6_addr_gen_mode", "addrgenmode %s ", rtnl.AddrGenModeName(d.AddrGenMode))
	}
	if l.NumTxQueues != 0 {
		p.any("num_tx_queues", "numtxqueues %d ", l.NumTxQueues)
	}
	if l.NumRxQueues != 0 {
		p.any("num_rx_queues", "numrxqueues %d ", l.NumRxQueues)
	}
	for _, f := range []struct {
		has  bool
		name string
		v    uint32
	}{
		{d.HasGSOMaxSize, "gso_max_size", d.GSOMaxSize}, {d.HasGSOMaxSegs, "gso_max_segs", d.GSOMaxSegs},
		{d.HasTSOMaxSize, "tso_max_size", d.TSOMaxSize}, {d.HasTSOMaxSegs, "tso_max_segs", d.TSOMaxSegs},
		{d.HasGROMaxSize, "gro_max_size", d.GROMaxSize},
	} {
		if f.has {
			p.any(f.name, f.name+" %d ", f.v)
		}
	}
	if d.ParentBus != "" {
		p.any("parentbus", "parentbus %s ", d.ParentBus)
	}
	if d.ParentDev != "" {
		p.any("parentdev", "parentdev %s ", d.ParentDev)
	}
	return p.text.String(), p.json
}

// printVxlan is vxlan_print_opt (ip/iplink_vxlan.c, iproute2 6.1).
func printVxlan(p *dprint, l *rtnl.Link, s *linkSet) {
	v := l.Info.(*rtnl.Vxlan)
	if v.External {
		p.js("external", true)
		p.fp("external ")
	}
	p.any("id", "id %d ", v.ID)
	if g := v.Group; g.IsValid() && !g.IsUnspecified() {
		key := map[bool]string{true: "group", false: "remote"}[g.IsMulticast()]
		if g.Is6() {
			key += "6"
		}
		p.js(key, g.String())
		p.fp("%s %s ", strings.TrimSuffix(key, "6"), g)
	}
	if a := v.Local; a.IsValid() && !a.IsUnspecified() {
		key := "local"
		if a.Is6() {
			key = "local6"
		}
		p.js(key, a.String())
		p.fp("local %s ", a)
	}
	if v.Link != 0 {
		p.any("link", "dev %s ", s.name(int32(v.Link)))
	}
	if r := v.PortRange; r != nil {
		p.js("port_range", jobj{{"low", r.Low}, {"high", r.High}})
		p.fp("srcport %d %d ", r.Low, r.High)
	}
	if v.Port != 0 {
		p.any("port", "dstport %d ", v.Port)
	}
	if v.Learning != nil {
		p.js("learning", *v.Learning)
		if !*v.Learning {
			p.fp("nolearning ")
		}
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{v.Proxy, "proxy"}, {v.RSC, "rsc"}, {v.L2Miss, "l2miss"}, {v.L3Miss, "l3miss"}} {
		if f.on {
			p.js(f.name, true)
			p.fp("%s ", f.name)
		}
	}
	if v.TOS != 0 {
		p.js("tos", fmt.Sprintf("%#x", v.TOS))
		if v.TOS == rtnl.VxlanTOSInherit {
			p.fp("tos inherit ")
		} else {
			p.fp("tos %#x ", v.TOS)
		}
	}
	switch {
	case v.TTLInherit:
		p.fp("ttl inherit ")
	case v.TTL != nil:
		p.js("ttl", *v.TTL)
		if *v.TTL == 0 {
			p.fp("ttl auto ")
		} else {
			p.fp("ttl %d ", *v.TTL)
		}
	}
	if v.DF != nil {
		switch *v.DF {
		case rtnl.VxlanDFUnset:
			p.js("df", "unset")
		case rtnl.VxlanDFSet:
			p.any("df", "df %s ", "set")
		case rtnl.VxlanDFInherit:
			p.any("df", "df %s ", "inherit")
		}
	}
	if v.Label != 0 {
		p.js("label", fmt.Sprintf("%#x", v.Label))
		p.fp("flowlabel %#x ", v.Label)
	}
	if v.Ageing != nil {
		p.js("ageing", *v.Ageing)
		if *v.Ageing == 0 {
			p.fp("ageing none ")
		} else {
			p.fp("ageing %d ", *v.Ageing)
		}
	}
	if v.Limit != 0 {
		p.any("limit", "maxaddr %d ", v.Limit)
	}
	for _, f := range []struct {
		on   *bool
		key  string
		word string
	}{
		{v.UDPCsum, "udp_csum", "udpcsum"},
		{v.UDPZeroCsum6TX, "udp_zero_csum6_tx", "udp6zerocsumtx"},
		{v.UDPZeroCsum6RX, "udp_zero_csum6_rx", "udp6zerocsumrx"},
	} {
		if f.on != nil {
			p.js(f.key, *f.on)
			if !*f.on {
				p.fp("no")
			}
			p.fp("%s ", f.word)
		}
	}
	for _, f := range []struct {
		on        bool
		key, word string
	}{{v.RemCsumTX, "remcsum_tx", "remcsumtx"}, {v.RemCsumRX, "remcsum_rx", "remcsumrx"}, {v.GBP, "gbp", "gbp"}, {v.GPE, "gpe", "gpe"}} {
		if f.on {
			p.js(f.key, true)
			p.fp("%s ", f.word)
		}
	}
}

// printMacvlan is macvlan_print_opt (ip/iplink_macvlan.c), for macvlan
// and macvtap. (Source mode's address list is not printed.)
func printMacvlan(p *dprint, l *rtnl.Link, _ *linkSet) {
	var m *rtnl.Macvlan
	switch i := l.Info.(type) {
	case *rtnl.Macvlan:
		m = i
	case *rtnl.Macvtap:
		m = &i.Macvlan
	}
	if m.Mode == 0 {
		return // iproute2 prints nothing without IFLA_MACVLAN_MODE
	}
	p.any("mode", "mode %s ", m.Mode.String())
	if m.Flags&rtnl.MacvlanNoPromisc != 0 {
		p.js("nopromisc", true)
		p.fp("nopromisc ")
	}
	if m.Flags&rtnl.MacvlanNoDst != 0 {
		p.js("nodst", true)
		p.fp("nodst ")
	}
	p.any("bcqueuelen", "bcqueuelen %d ", m.BCQueueLen)
	p.any("usedbcqueuelen", "usedbcqueuelen %d ", m.BCQueueUsed)
}

// printVrf is vrf_print_opt (ip/iplink_vrf.c).
func printVrf(p *dprint, l *rtnl.Link, _ *linkSet) {
	if v := l.Info.(*rtnl.Vrf); v.Table != 0 {
		p.any("table", "table %d ", v.Table)
	}
}
