package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/nft"
)

// listRules prints chains as iptables -S does: -P for base chains, -N
// for user chains, then -A lines; only rule num of one chain when num > 0.
func (d *iptDialect) listRules(chains []firewall.IPTChain, one bool, num int, counters bool) {
	if num > 0 {
		if len(chains) == 1 && num <= len(chains[0].Rules) {
			fmt.Fprintf(d.out, "-A %s %s\n", chains[0].Name, chains[0].Rules[num-1].Rule.Spec())
		}
		return
	}
	for _, ch := range chains {
		if ch.Builtin {
			fmt.Fprintf(d.out, "-P %s %s\n", ch.Name, strings.ToUpper(ch.Policy.String()))
		} else {
			fmt.Fprintf(d.out, "-N %s\n", ch.Name)
		}
	}
	for _, ch := range chains {
		for _, r := range ch.Rules {
			fmt.Fprintf(d.out, "-A %s %s\n", ch.Name, r.Rule.Spec())
		}
	}
}

// list prints chains as iptables -L does, with -n, -v, -x and
// --line-numbers. Without -n, iptables would resolve addresses and ports
// to names; nsnet prints them as numbers (it reads no /etc/services and
// asks no resolver) except "anywhere" and the protocol names.
func (d *iptDialect) list(chains []firewall.IPTChain, c *iptCmd) {
	for i, ch := range chains {
		if i > 0 {
			fmt.Fprintln(d.out)
		}
		switch {
		case ch.Builtin && c.verbose:
			fmt.Fprintf(d.out, "Chain %s (policy %s 0 packets, 0 bytes)\n", ch.Name, strings.ToUpper(ch.Policy.String()))
		case ch.Builtin:
			fmt.Fprintf(d.out, "Chain %s (policy %s)\n", ch.Name, strings.ToUpper(ch.Policy.String()))
		default:
			fmt.Fprintf(d.out, "Chain %s (%d references)\n", ch.Name, ch.Refs)
		}
		var h strings.Builder
		if c.lineNum {
			h.WriteString("num  ")
		}
		switch {
		case c.verbose && c.exact:
			h.WriteString("    pkts      bytes target     prot opt in     out     source               destination         ")
		case c.verbose:
			h.WriteString(" pkts bytes target     prot opt in     out     source               destination         ")
		default:
			h.WriteString("target     prot opt source               destination         ")
		}
		fmt.Fprintln(d.out, strings.TrimPrefix(h.String(), ""))
		for n, r := range ch.Rules {
			fmt.Fprintln(d.out, d.listLine(n+1, r, c))
		}
	}
}

func (d *iptDialect) listLine(n int, l firewall.IPTListed, c *iptCmd) string {
	r := l.Rule
	var b strings.Builder
	if c.lineNum {
		fmt.Fprintf(&b, "%-4d ", n)
	}
	if c.verbose {
		b.WriteString(iptNum(l.Packets, c.exact))
		b.WriteString(iptNum(l.Bytes, c.exact))
	}
	target := r.Target.Kind
	if target == "JUMP" {
		target = r.Target.Chain
	}
	fmt.Fprintf(&b, "%-9s ", target)
	proto := "all"
	if r.Proto != 0 {
		proto = iptProtoName(r.Proto)
	}
	if c.numeric {
		proto = strconv.Itoa(int(r.Proto))
	}
	fmt.Fprintf(&b, "%s%-4s ", inv(r.ProtoInv), proto)
	b.WriteString("-- ")
	if c.verbose {
		iface := func(s string) string {
			if s == "" {
				return "*"
			}
			return s
		}
		fmt.Fprintf(&b, "%s%-6s%s%-6s ", inv(r.InInv), iface(r.In), inv(r.OutInv), iface(r.Out))
	}
	fmt.Fprintf(&b, "%s%-19s ", inv(r.SrcInv), iptAddr(r.Src, c.numeric, d.v6))
	fmt.Fprintf(&b, "%s%-19s ", inv(r.DstInv), iptAddr(r.Dst, c.numeric, d.v6))
	s := b.String()
	for _, x := range iptExtras(r, c.numeric) {
		s += " " + x
	}
	return s
}

func inv(b bool) string {
	if b {
		return "!"
	}
	return " "
}

// iptNum is xtables' print_num: %5llu with K/M/G/T above 99999, or %8llu
// with -x.
func iptNum(v uint64, exact bool) string {
	if exact {
		return fmt.Sprintf("%8d ", v)
	}
	if v <= 99999 {
		return fmt.Sprintf("%5d ", v)
	}
	for _, unit := range []string{"K", "M", "G"} {
		v = (v + 500) / 1000
		if v <= 9999 {
			return fmt.Sprintf("%4d%s ", v, unit)
		}
	}
	return fmt.Sprintf("%4dT ", (v+500)/1000)
}

func iptProtoName(p uint8) string {
	for _, n := range []struct {
		name string
		num  uint8
	}{{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"ipv6-icmp", 58}, {"sctp", 132}, {"udplite", 136}, {"esp", 50}, {"ah", 51}, {"gre", 47}} {
		if n.num == p {
			return n.name
		}
	}
	return strconv.Itoa(int(p))
}

func iptAddr(p netip.Prefix, numeric, v6 bool) string {
	if !p.IsValid() || p.Bits() == 0 && p.Addr().IsUnspecified() {
		switch {
		case !numeric:
			return "anywhere"
		case v6:
			return "::/0"
		}
		return "0.0.0.0/0"
	}
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// iptExtras are the match and target columns of -L.
func iptExtras(r firewall.IPTRule, numeric bool) []string {
	var out []string
	if r.SPort != nil || r.DPort != nil {
		s := iptProtoName(r.Proto)
		port := func(name string, p nft.PortRange, negate bool) {
			n := "!"
			if !negate {
				n = ""
			}
			if p.Lo == p.Hi {
				s += fmt.Sprintf(" %s:%s%d", name, n, p.Lo)
			} else {
				s += fmt.Sprintf(" %ss:%s%d:%d", name, n, p.Lo, p.Hi)
			}
		}
		if r.SPort != nil {
			port("spt", *r.SPort, r.SPortInv)
		}
		if r.DPort != nil {
			port("dpt", *r.DPort, r.DPortInv)
		}
		out = append(out, s)
	}
	for _, m := range r.Matches {
		out = append(out, firewall.IPTMatchText(m))
	}
	if t := firewall.IPTTargetText(r.Target, numeric); t != "" {
		out = append(out, t)
	}
	return out
}
