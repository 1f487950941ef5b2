package firewall

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/nft"
	"golang.org/x/sys/unix"
)

// An IPTSyntaxError is a rule specification iptables 1.8.9 refuses before
// it changes anything (its exit status 2). Msg is iptables' own text;
// Bare marks the few messages it prints without its "iptables v1.8.9
// (nf_tables): " prefix, Blank the ones followed by an empty line.
type IPTSyntaxError struct {
	Msg   string
	Bare  bool
	Blank bool
}

func (e *IPTSyntaxError) Error() string { return e.Msg }

func synErr(format string, a ...any) error { return &IPTSyntaxError{Msg: fmt.Sprintf(format, a...)} }

// An IPTUnsupportedError is a word of iptables' grammar that nsnet does
// not implement (a match or target extension, an option): exit 2, with
// nothing changed.
type IPTUnsupportedError struct{ Word string }

func (e *IPTUnsupportedError) Error() string {
	return fmt.Sprintf("%s is not supported by nsnet's iptables", e.Word)
}

// Extensions iptables has that nsnet does not: refused by name rather than
// taken for a user chain (targets) or reported as missing (matches).
var (
	knownTargets = map[string]bool{"CT": true, "MARK": true, "CONNMARK": true, "TPROXY": true, "NOTRACK": true,
		"TCPMSS": true, "NFQUEUE": true, "NFLOG": true, "TRACE": true, "CLASSIFY": true, "DSCP": true, "TOS": true,
		"TTL": true, "HL": true, "NETMAP": true, "AUDIT": true, "CHECKSUM": true, "SET": true, "SECMARK": true,
		"CONNSECMARK": true, "TEE": true, "IDLETIMER": true, "LED": true, "SYNPROXY": true, "ULOG": true, "CLUSTERIP": true}
	knownMatches = map[string]bool{"limit": true, "mark": true, "connmark": true, "set": true, "recent": true,
		"mac": true, "iprange": true, "length": true, "owner": true, "physdev": true, "pkttype": true, "string": true,
		"time": true, "ttl": true, "hashlimit": true, "connlimit": true, "icmp": true, "icmp6": true, "socket": true,
		"policy": true, "u32": true, "statistic": true, "helper": true, "tos": true, "dscp": true, "mh": true,
		"sctp": true, "dccp": true, "esp": true, "ah": true, "cgroup": true, "bpf": true, "quota": true,
		"realm": true, "rpfilter": true, "devgroup": true, "cpu": true, "ecn": true, "cluster": true, "nfacct": true,
		"osf": true, "ipvs": true, "udplite": true, "frag": true, "hbh": true, "dst": true, "rt": true, "ipv6header": true}
)

// Protocol names iptables prints (xtables_chain_protos) and reads.
var iptProtos = []struct {
	name string
	num  uint8
}{
	{"tcp", unix.IPPROTO_TCP}, {"sctp", unix.IPPROTO_SCTP}, {"udp", unix.IPPROTO_UDP},
	{"udplite", unix.IPPROTO_UDPLITE}, {"icmp", unix.IPPROTO_ICMP}, {"icmpv6", unix.IPPROTO_ICMPV6},
	{"ipv6-icmp", unix.IPPROTO_ICMPV6}, {"esp", unix.IPPROTO_ESP}, {"ah", unix.IPPROTO_AH},
	{"gre", unix.IPPROTO_GRE},
}

func protoName(p uint8) string {
	for _, e := range iptProtos {
		if e.num == p {
			return e.name
		}
	}
	return strconv.Itoa(int(p))
}

// REJECT --reject-with names, by enum ipt_reject_with value.
var rejectNames = []string{"icmp-net-unreachable", "icmp-host-unreachable", "icmp-proto-unreachable",
	"icmp-port-unreachable", "icmp-echo-reply", "icmp-net-prohibited", "icmp-host-prohibited", "tcp-reset",
	"icmp-admin-prohibited"}

// ctstate words in the order iptables prints them, with their bits.
var ctStates = []struct {
	name string
	bit  uint16
}{
	{"INVALID", nft.CTStateInvalid}, {"NEW", nft.CTStateNew},
	{"RELATED", nft.CTStateRelated}, {"ESTABLISHED", nft.CTStateEstablished},
}

// addrtype names, by RTN_* number.
var addrTypes = []string{"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE",
	"UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"}

// ParseIPTRule reads the rule words of an iptables command line (all but
// the command, its chain and number, and the table), as iptables 1.8.9
// does for the supported matches and targets. v6 is ip6tables.
func ParseIPTRule(words []string, v6 bool) (IPTRule, error) {
	var r IPTRule
	p := &iptParser{w: words, v6: v6}
	seen := map[string]bool{}
	once := func(flag string) error {
		if seen[flag] {
			return synErr("multiple %s flags not allowed", flag)
		}
		seen[flag] = true
		return nil
	}
	var m *IPTMatch // the -m match whose options follow
	mName := ""
	for !p.done() {
		inv := false
		if p.peek() == "!" {
			inv = true
			p.i++
			if p.done() {
				return r, synErr("unexpected end of arguments after \"!\"")
			}
		}
		w := p.next()
		switch w {
		case "-s", "--source", "-d", "--destination":
			flag := w[:2]
			if strings.HasPrefix(w, "--") {
				flag = map[string]string{"--source": "-s", "--destination": "-d"}[w]
			}
			if err := once(flag); err != nil {
				return r, err
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			pfx, err := iptPrefix(v, v6)
			if err != nil {
				return r, err
			}
			if flag == "-s" {
				r.Src, r.SrcInv = pfx, inv
			} else {
				r.Dst, r.DstInv = pfx, inv
			}
		case "-i", "--in-interface", "-o", "--out-interface":
			flag := "-" + string(strings.TrimLeft(w, "-")[0])
			if err := once(flag); err != nil {
				return r, err
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			if len(v) >= unix.IFNAMSIZ {
				return r, synErr("interface name `%s' must be shorter than IFNAMSIZ (%d)", v, unix.IFNAMSIZ)
			}
			if v == "" || v == "+" {
				break // any interface, as iptables reads it
			}
			if strings.ContainsAny(v, " \t\n/\"'\\\x00") || strings.Contains(v[:len(v)-1], "+") {
				return r, &IPTUnsupportedError{Word: "interface name " + strconv.Quote(v)}
			}
			if flag == "-i" {
				r.In, r.InInv = v, inv
			} else {
				r.Out, r.OutInv = v, inv
			}
		case "-p", "--protocol":
			if err := once("-p"); err != nil {
				return r, err
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			proto, err := iptProto(v)
			if err != nil {
				return r, err
			}
			r.Proto, r.ProtoInv = proto, inv
		case "-m", "--match":
			if inv {
				return r, synErr("unexpected ! flag before --match")
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			switch v {
			case "tcp", "udp":
				mName, m = v, nil
			case "conntrack", "state", "comment", "multiport", "addrtype":
				if v == "multiport" && r.Proto != unix.IPPROTO_TCP && r.Proto != unix.IPPROTO_UDP {
					return r, synErr("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP")
				}
				r.Matches = append(r.Matches, IPTMatch{Name: v})
				mName, m = v, &r.Matches[len(r.Matches)-1]
			default:
				if knownMatches[v] {
					return r, &IPTUnsupportedError{Word: "match " + v}
				}
				return r, &IPTSyntaxError{Msg: fmt.Sprintf("Couldn't load match `%s':No such file or directory", v), Blank: true}
			}
		case "--sport", "--source-port", "--dport", "--destination-port":
			ports := r.Proto == unix.IPPROTO_TCP || r.Proto == unix.IPPROTO_UDP
			if !ports || r.ProtoInv {
				return r, synErr("unknown option %q", w)
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			pr, err := iptPortRange(v, ":")
			if err != nil {
				return r, err
			}
			if strings.HasPrefix(w, "--s") {
				r.SPort, r.SPortInv = &pr, inv
			} else {
				r.DPort, r.DPortInv = &pr, inv
			}
			if mName == "" {
				mName = "implicit"
			}
		case "--ctstate", "--state":
			if m == nil || (w == "--ctstate") != (m.Name == "conntrack") {
				return r, synErr("unknown option %q", w)
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			for _, s := range strings.Split(v, ",") {
				found := false
				for _, cs := range ctStates {
					if s == cs.name {
						m.States |= cs.bit
						found = true
					}
				}
				if !found {
					if s == "UNTRACKED" || s == "SNAT" || s == "DNAT" {
						return r, &IPTUnsupportedError{Word: "state " + s}
					}
					return r, synErr("Bad ctstate %q", s)
				}
			}
			m.Inv = inv
		case "--comment":
			if m == nil || m.Name != "comment" {
				return r, synErr("unknown option %q", w)
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			if len(v) > 255 {
				return r, synErr("COMMENT must be shorter than 256 characters")
			}
			m.Comment = v
		case "--dports", "--destination-ports", "--sports", "--source-ports":
			if m == nil || m.Name != "multiport" {
				return r, synErr("unknown option %q", w)
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			for _, s := range strings.Split(v, ",") {
				pr, err := iptPortRange(s, ":")
				if err != nil {
					return r, err
				}
				m.Ports = append(m.Ports, pr)
			}
			if nft.MultiportInfo(0, m.Ports, false) == nil {
				return r, synErr("too many ports specified")
			}
			m.Source, m.Inv = strings.HasPrefix(w, "--s"), inv
		case "--dst-type":
			if m == nil || m.Name != "addrtype" {
				return r, synErr("unknown option %q", w)
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			for _, s := range strings.Split(v, ",") {
				found := false
				for i, n := range addrTypes {
					if strings.EqualFold(s, n) {
						m.DstType |= 1 << i
						found = true
					}
				}
				if !found {
					return r, synErr("addrtype: invalid address type specified: %s", s)
				}
			}
			m.Inv = inv
		case "-j", "--jump":
			if err := once("-j"); err != nil {
				return r, err
			}
			v, err := p.arg(w)
			if err != nil {
				return r, err
			}
			if err := p.target(&r, v); err != nil {
				return r, err
			}
		case "-g", "--goto":
			return r, &IPTUnsupportedError{Word: w}
		default:
			if strings.HasPrefix(w, "-") {
				return r, synErr("unknown option %q", w)
			}
			return r, &IPTSyntaxError{Msg: fmt.Sprintf("Bad argument `%s'", w), Bare: true}
		}
	}
	if m != nil && m.Name == "multiport" && len(m.Ports) == 0 {
		return r, synErr("multiport expects an option")
	}
	for _, mm := range r.Matches {
		if (mm.Name == "conntrack" || mm.Name == "state") && mm.States == 0 {
			return r, synErr("%s: at least one option is required", mm.Name)
		}
		if mm.Name == "addrtype" && mm.DstType == 0 {
			return r, &IPTUnsupportedError{Word: "addrtype without --dst-type"}
		}
	}
	return r, nil
}

type iptParser struct {
	w  []string
	i  int
	v6 bool
}

func (p *iptParser) done() bool   { return p.i >= len(p.w) }
func (p *iptParser) peek() string { return p.w[p.i] }
func (p *iptParser) next() string { p.i++; return p.w[p.i-1] }

// arg returns the value of option w, iptables' "requires an argument"
// error when there is none (or the next word is another option).
func (p *iptParser) arg(w string) (string, error) {
	if p.done() || strings.HasPrefix(p.peek(), "-") && len(p.peek()) > 1 && w != "--log-prefix" && w != "--comment" {
		return "", synErr("option %q requires an argument", w)
	}
	return p.next(), nil
}

// target reads -j TARGET and the target's options, which follow it.
func (p *iptParser) target(r *IPTRule, name string) error {
	t := IPTTarget{Kind: name}
	needRange := false
	switch name {
	case "ACCEPT", "DROP", "RETURN":
	case "REJECT":
		if p.v6 {
			return &IPTUnsupportedError{Word: "ip6tables target REJECT"}
		}
		t.RejectWith = 3 // icmp-port-unreachable
	case "LOG":
		t.LogLevel = 4
	case "MASQUERADE", "REDIRECT":
	case "SNAT", "DNAT":
		needRange = true
	default:
		if knownTargets[name] {
			return &IPTUnsupportedError{Word: "target " + name}
		}
		if name == "" || strings.HasPrefix(name, "-") {
			return synErr("option \"-j\" requires an argument")
		}
		if len(name) > 28 || strings.ContainsAny(name, " \t\n\"'!") {
			return synErr("Invalid target name `%s' (28 chars max)", name)
		}
		t = IPTTarget{Kind: "JUMP", Chain: name}
	}
	given := false
	for !p.done() {
		w := p.peek()
		var err error
		switch {
		case name == "REJECT" && w == "--reject-with":
			p.i++
			var v string
			if v, err = p.arg(w); err != nil {
				return err
			}
			found := false
			for i, n := range rejectNames {
				if v == n || strings.TrimPrefix(n, "icmp-") == v {
					t.RejectWith, found = uint32(i), true
				}
			}
			if !found || v == "icmp-echo-reply" {
				return synErr("unknown reject type %q", v)
			}
		case name == "LOG" && w == "--log-prefix":
			p.i++
			var v string
			if v, err = p.arg(w); err != nil {
				return err
			}
			if len(v) > 29 {
				return synErr("Maximum prefix length 29 for --log-prefix")
			}
			t.LogPrefix = v
		case name == "LOG" && w == "--log-level":
			p.i++
			var v string
			if v, err = p.arg(w); err != nil {
				return err
			}
			lvl, err := logLevel(v)
			if err != nil {
				return err
			}
			t.LogLevel = lvl
		case (name == "MASQUERADE" || name == "REDIRECT") && w == "--to-ports":
			p.i++
			var v string
			if v, err = p.arg(w); err != nil {
				return err
			}
			if r.Proto != unix.IPPROTO_TCP && r.Proto != unix.IPPROTO_UDP {
				return synErr("Need TCP, UDP, SCTP or DCCP with port specification")
			}
			pr, err := iptPortRange(v, "-")
			if err != nil {
				return err
			}
			t.Range = nft.NATRange{Flags: nft.NATRangeProtoSpecified, MinPort: pr.Lo, MaxPort: pr.Hi}
		case name == "SNAT" && w == "--to-source", name == "DNAT" && w == "--to-destination":
			p.i++
			var v string
			if v, err = p.arg(w); err != nil {
				return err
			}
			if given {
				return &IPTUnsupportedError{Word: w + " given twice"}
			}
			if t.Range, err = natRange(v, p.v6, r.Proto); err != nil {
				return err
			}
			given = true
		default:
			if !strings.HasPrefix(w, "--") || w == "--dport" || w == "--sport" {
				return checkRange(name, needRange, given, t, r)
			}
			switch w {
			case "--random", "--random-fully", "--persistent", "--log-tcp-sequence", "--log-tcp-options",
				"--log-ip-options", "--log-uid", "--log-macdecode":
				return &IPTUnsupportedError{Word: w}
			}
			return checkRange(name, needRange, given, t, r)
		}
	}
	if err := checkRange(name, needRange, given, t, r); err != nil {
		return err
	}
	r.Target = t
	return nil
}

func checkRange(name string, need, given bool, t IPTTarget, r *IPTRule) error {
	if need && !given {
		opt := "--to-destination"
		if name == "SNAT" {
			opt = "--to-source"
		}
		return &IPTSyntaxError{Msg: fmt.Sprintf("%s: option %q must be specified", name, opt), Blank: true}
	}
	r.Target = t
	return nil
}

func logLevel(v string) (uint8, error) {
	for i, n := range []string{"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"} {
		if v == n || v == strconv.Itoa(i) || n == "error" && v == "err" || n == "warning" && v == "warn" {
			return uint8(i), nil
		}
	}
	return 0, synErr("log-level `%s' unknown", v)
}

// iptPrefix reads -s/-d: an address, or address/length or address/mask.
// Host names, which iptables resolves, are refused with its message.
func iptPrefix(s string, v6 bool) (netip.Prefix, error) {
	addr, mask, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Is6() != v6 || a.Zone() != "" {
		return netip.Prefix{}, synErr("host/network `%s' not found", addr)
	}
	if a.Is4In6() {
		return netip.Prefix{}, synErr("host/network `%s' not found", addr)
	}
	bits := a.BitLen()
	if hasMask {
		n, err := strconv.Atoi(mask)
		if err != nil {
			m, merr := netip.ParseAddr(mask)
			if merr != nil || m.Is6() != v6 {
				return netip.Prefix{}, synErr("invalid mask `%s' specified", mask)
			}
			n = 0
			ok := true
			for _, b := range m.AsSlice() {
				for k := 7; k >= 0; k-- {
					switch {
					case b&(1<<k) != 0 && n >= 0:
						n++
					case b&(1<<k) != 0:
						ok = false
					default:
						if n >= 0 {
							n = -n - 1
						}
					}
				}
			}
			if n < 0 {
				n = -n - 1
			}
			if !ok {
				return netip.Prefix{}, &IPTUnsupportedError{Word: "non-contiguous mask " + mask}
			}
		} else if n < 0 || n > a.BitLen() || strings.HasPrefix(mask, "+") {
			return netip.Prefix{}, synErr("invalid mask `%s' specified", mask)
		}
		bits = n
	}
	return netip.PrefixFrom(a, bits).Masked(), nil
}

func iptProto(v string) (uint8, error) {
	switch strings.ToLower(v) {
	case "all", "0":
		return 0, nil
	}
	for _, e := range iptProtos {
		if strings.EqualFold(v, e.name) {
			return e.num, nil
		}
	}
	if n, err := strconv.ParseUint(v, 10, 8); err == nil {
		return uint8(n), nil
	}
	return 0, synErr("unknown protocol %q specified", v)
}

// iptPortRange reads a port or a range "A<sep>B" (":" for matches, "-"
// for --to-ports). An omitted bound is 0 or 65535, as iptables has it.
func iptPortRange(s, sep string) (nft.PortRange, error) {
	lo, hi, isRange := strings.Cut(s, sep)
	parse := func(v string, def uint16) (uint16, error) {
		if v == "" && isRange {
			return def, nil
		}
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return 0, synErr("invalid port/service `%s' specified", v)
		}
		return uint16(n), nil
	}
	a, err := parse(lo, 0)
	if err != nil {
		return nft.PortRange{}, err
	}
	b := a
	if isRange {
		if b, err = parse(hi, 0xffff); err != nil {
			return nft.PortRange{}, err
		}
	}
	if a > b {
		return nft.PortRange{}, synErr("invalid portrange (min > max)")
	}
	return nft.PortRange{Lo: a, Hi: b}, nil
}

// natRange reads --to-destination/--to-source: ADDR[-ADDR][:PORT[-PORT]],
// [ADDR6]:PORT for ip6.
func natRange(s string, v6 bool, proto uint8) (nft.NATRange, error) {
	var r nft.NATRange
	if s == "" {
		return r, synErr("Bad IP address \"\"")
	}
	addrs, ports := s, ""
	if v6 && strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return r, synErr("Invalid address range %q", s)
		}
		addrs, ports = s[1:end], strings.TrimPrefix(s[end+1:], ":")
	} else if !v6 {
		addrs, ports, _ = strings.Cut(s, ":")
	}
	if addrs != "" {
		lo, hi, isRange := strings.Cut(addrs, "-")
		a, err := netip.ParseAddr(lo)
		if err != nil || a.Is6() != v6 {
			return r, synErr("Bad IP address \"%s\"", lo)
		}
		b := a
		if isRange {
			if b, err = netip.ParseAddr(hi); err != nil || b.Is6() != v6 {
				return r, synErr("Bad IP address \"%s\"", hi)
			}
		}
		r.Flags |= nft.NATRangeMapIPs
		r.MinAddr, r.MaxAddr = a, b
	}
	if ports != "" {
		if proto != unix.IPPROTO_TCP && proto != unix.IPPROTO_UDP {
			return r, synErr("Need TCP, UDP, SCTP or DCCP with port specification")
		}
		pr, err := iptPortRange(ports, "-")
		if err != nil || pr.Lo == 0 {
			return r, synErr("Port `%s' not valid", ports)
		}
		r.Flags |= nft.NATRangeProtoSpecified
		r.MinPort, r.MaxPort = pr.Lo, pr.Hi
	}
	return r, nil
}

// Spec writes r as iptables -S prints it (after "-A CHAIN").
func (r IPTRule) Spec() string {
	var b strings.Builder
	w := func(inv bool, s ...string) {
		if inv {
			b.WriteString(" !")
		}
		for _, x := range s {
			b.WriteString(" " + x)
		}
	}
	if r.Src.IsValid() && (r.Src.Bits() > 0 || r.SrcInv) {
		w(r.SrcInv, "-s", r.Src.String())
	}
	if r.Dst.IsValid() && (r.Dst.Bits() > 0 || r.DstInv) {
		w(r.DstInv, "-d", r.Dst.String())
	}
	if r.In != "" {
		w(r.InInv, "-i", r.In)
	}
	if r.Out != "" {
		w(r.OutInv, "-o", r.Out)
	}
	if r.Proto != 0 || r.ProtoInv {
		w(r.ProtoInv, "-p", protoName(r.Proto))
	}
	if r.SPort != nil || r.DPort != nil {
		w(false, "-m", protoName(r.Proto))
		if r.SPort != nil {
			w(r.SPortInv, "--sport", portText(*r.SPort, ":"))
		}
		if r.DPort != nil {
			w(r.DPortInv, "--dport", portText(*r.DPort, ":"))
		}
	}
	for _, m := range r.Matches {
		w(false, "-m", m.Name)
		switch m.Name {
		case "conntrack", "state":
			opt := "--ctstate"
			if m.Name == "state" {
				opt = "--state"
			}
			w(m.Inv, opt, statesText(m.States))
		case "comment":
			b.WriteString(" --comment" + saveString(m.Comment))
		case "multiport":
			opt := "--dports"
			if m.Source {
				opt = "--sports"
			}
			var ps []string
			for _, p := range m.Ports {
				ps = append(ps, portText(p, ":"))
			}
			w(m.Inv, opt, strings.Join(ps, ","))
		case "addrtype":
			var ts []string
			for i, n := range addrTypes {
				if m.DstType&(1<<i) != 0 {
					ts = append(ts, n)
				}
			}
			w(m.Inv, "--dst-type", strings.Join(ts, ","))
		}
	}
	b.WriteString(r.Target.spec())
	return strings.TrimPrefix(b.String(), " ")
}

func (t IPTTarget) spec() string {
	switch t.Kind {
	case "":
		return ""
	case "JUMP":
		return " -j " + t.Chain
	case "REJECT":
		return " -j REJECT --reject-with " + rejectNames[min(int(t.RejectWith), len(rejectNames)-1)]
	case "LOG":
		s := " -j LOG"
		if t.LogLevel != 4 {
			s += " --log-level " + strconv.Itoa(int(t.LogLevel))
		}
		if t.LogPrefix != "" {
			s += " --log-prefix" + saveString(t.LogPrefix)
		}
		return s
	case "MASQUERADE", "REDIRECT":
		s := " -j " + t.Kind
		if t.Range.Flags&nft.NATRangeProtoSpecified != 0 {
			s += " --to-ports " + portText(nft.PortRange{Lo: t.Range.MinPort, Hi: t.Range.MaxPort}, "-")
		}
		return s
	case "SNAT", "DNAT":
		opt := " --to-destination "
		if t.Kind == "SNAT" {
			opt = " --to-source "
		}
		return " -j " + t.Kind + opt + natRangeText(t.Range)
	}
	return " -j " + t.Kind
}

// natRangeText is a NAT range as iptables prints it: A[-B][:P[-Q]],
// [A6]:P for ip6.
func natRangeText(r nft.NATRange) string {
	var s string
	if r.Flags&nft.NATRangeMapIPs != 0 {
		s = r.MinAddr.String()
		if r.MaxAddr != r.MinAddr {
			s += "-" + r.MaxAddr.String()
		}
		if r.MinAddr.Is6() && r.Flags&nft.NATRangeProtoSpecified != 0 {
			s = "[" + s + "]"
		}
	}
	if r.Flags&nft.NATRangeProtoSpecified != 0 {
		s += ":" + portText(nft.PortRange{Lo: r.MinPort, Hi: r.MaxPort}, "-")
	}
	return s
}

func portText(p nft.PortRange, sep string) string {
	if p.Lo == p.Hi {
		return strconv.Itoa(int(p.Lo))
	}
	return strconv.Itoa(int(p.Lo)) + sep + strconv.Itoa(int(p.Hi))
}

func statesText(bits uint16) string {
	var s []string
	for _, cs := range ctStates {
		if bits&cs.bit != 0 {
			s = append(s, cs.name)
		}
	}
	return strings.Join(s, ",")
}

// saveString is xtables_save_string: the value after a space, quoted
// (with \ before " \ ') unless it is only letters, digits, _ and -.
func saveString(v string) string {
	plain := v != ""
	for _, c := range v {
		plain = plain && (c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
	}
	if plain {
		return " " + v
	}
	var b strings.Builder
	b.WriteString(` "`)
	for _, c := range v {
		if c == '"' || c == '\\' || c == '\'' {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	b.WriteByte('"')
	return b.String()
}

// IPTMatchText is a match as iptables -L prints it in its last column.
func IPTMatchText(m IPTMatch) string {
	n := ""
	if m.Inv {
		n = "! "
	}
	switch m.Name {
	case "conntrack":
		return n + "ctstate " + statesText(m.States)
	case "state":
		return n + "state " + statesText(m.States)
	case "comment":
		return "/* " + m.Comment + " */"
	case "multiport":
		var ps []string
		for _, p := range m.Ports {
			ps = append(ps, portText(p, ":"))
		}
		dir := "dports"
		if m.Source {
			dir = "sports"
		}
		return "multiport " + dir + " " + n + strings.Join(ps, ",")
	case "addrtype":
		var ts []string
		for i, t := range addrTypes {
			if m.DstType&(1<<i) != 0 {
				ts = append(ts, t)
			}
		}
		return "ADDRTYPE match dst-type " + n + strings.Join(ts, ",")
	}
	return m.Name
}

// IPTTargetText is a target's options as iptables -L prints them ("" for
// none); numeric is -n, which changes LOG's words.
func IPTTargetText(t IPTTarget, numeric bool) string {
	switch t.Kind {
	case "REJECT":
		return "reject-with " + rejectNames[min(int(t.RejectWith), len(rejectNames)-1)]
	case "LOG":
		s := ""
		if numeric {
			s = "LOG flags 0 level " + strconv.Itoa(int(t.LogLevel))
		} else {
			levels := []string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}
			s = "LOG level " + levels[min(int(t.LogLevel), 7)]
		}
		if t.LogPrefix != "" {
			s += " prefix \"" + t.LogPrefix + "\""
		}
		return s
	case "SNAT", "DNAT":
		return "to:" + natRangeText(t.Range)
	case "MASQUERADE":
		if t.Range.Flags&nft.NATRangeProtoSpecified != 0 {
			return "masq ports: " + portText(nft.PortRange{Lo: t.Range.MinPort, Hi: t.Range.MaxPort}, "-")
		}
	case "REDIRECT":
		if t.Range.Flags&nft.NATRangeProtoSpecified != 0 {
			return "redir ports " + portText(nft.PortRange{Lo: t.Range.MinPort, Hi: t.Range.MaxPort}, "-")
		}
	}
	return ""
}
