package firewall

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/internal/ifname"
	"github.com/nsnet/nsnet/nft"
)

// NATTable is the name of the one table nsnet owns, in family inet. The NAT
// methods read and write this table only.
const NATTable = "nsnet"

// Chains of table inet nsnet, created by the first NATAdd.
const (
	chainPrerouting  = "prerouting"  // type nat hook prerouting priority dstnat (-100)
	chainOutput      = "output"      // type nat hook output priority -100
	chainPostrouting = "postrouting" // type nat hook postrouting priority srcnat (100)
)

// A NATRule is one of nsnet's NAT rules: a Masquerade or a Forward (the set
// is sealed). Its String is the canonical text, which is also the comment
// (NFTA_RULE_USERDATA) of the kernel rules it is made of, so that NATDel
// and NATAdd find them again; ParseNAT reads it back.
type NATRule interface {
	String() string
	// Validate checks the rule without touching the kernel.
	Validate() error
	rules() []nft.Rule
}

// Masquerade is `nsnet nat masquerade SRC_CIDR [oif DEV]`: connections from
// Src leaving through OutIface (any interface if empty) get the source
// address of the outgoing interface. It is the seed's
// `iptables -t nat -A POSTROUTING -s SRC -j MASQUERADE`.
type Masquerade struct {
	Src      netip.Prefix // source network; IPv4 or IPv6; host bits are ignored
	OutIface string       // oifname; empty: any
}

// Forward is `nsnet nat forward tcp|udp PORT DEST_IP:PORT [iif DEV]`: a
// connection to Port on any of the host's own addresses is sent to To. It
// works from outside (prerouting, only from InIface if set), from the host
// itself (output; only when InIface is empty) and hairpin: a client on the
// target's own network reaching the host's address and Port lands on To,
// because connections forwarded to To are masqueraded (so that To answers
// through the host). Hairpin narrows that masquerade to clients in one
// network; when it is not set, every forwarded connection is masqueraded
// and To sees the host's address as the peer.
type Forward struct {
	Proto   string         // "tcp" or "udp"
	Port    uint16         // the host's port
	To      netip.AddrPort // the target; IPv4 or IPv6
	InIface string         // iifname; empty: any, and the host itself
	Hairpin netip.Prefix   // optional: masquerade only clients from here
	// Localhost also forwards the host's own connections to
	// 127.0.0.1:Port (IPv4 only; ::1 cannot be routed out), as the CNI
	// portmap plugin does. The kernel routes such a packet out only with
	// net.ipv4.conf.<outgoing interface>.route_localnet=1, which the
	// caller sets; the forward's masquerade gives it a routable source.
	// Without it a local service on 127.0.0.1:Port keeps answering there.
	Localhost bool
}

// String returns the rule in ParseNAT's words, its canonical form:
// "masquerade SRC [oif DEV]".
func (m Masquerade) String() string {
	s := "masquerade " + m.Src.Masked().String()
	if m.OutIface != "" {
		s += " oif " + m.OutIface
	}
	return s
}

// String returns the rule in ParseNAT's words, its canonical form:
// "forward PROTO PORT TO [iif DEV] [hairpin NET]".
func (f Forward) String() string {
	s := "forward " + f.Proto + " " + strconv.Itoa(int(f.Port)) + " " + f.To.String()
	if f.InIface != "" {
		s += " iif " + f.InIface
	}
	if f.Hairpin.IsValid() {
		s += " hairpin " + f.Hairpin.Masked().String()
	}
	if f.Localhost {
		s += " localhost"
	}
	return s
}

// Validate checks the masquerade rule.
func (m Masquerade) Validate() error {
	if !m.Src.IsValid() {
		return errors.New("masquerade: missing source prefix")
	}
	if m.Src.Addr().Is4In6() {
		return fmt.Errorf("masquerade %s: use the IPv4 form of a 4in6 prefix", m.Src)
	}
	if m.Src.Addr().Zone() != "" {
		return fmt.Errorf("masquerade %s: a prefix has no zone", m.Src)
	}
	if m.OutIface != "" {
		if err := validIfname(m.OutIface); err != nil {
			return fmt.Errorf("masquerade oif: %w", err)
		}
	}
	return nil
}

// Validate checks the forward rule.
func (f Forward) Validate() error {
	if f.Proto != "tcp" && f.Proto != "udp" {
		return fmt.Errorf("forward: protocol %q is not tcp or udp", f.Proto)
	}
	if f.Port == 0 {
		return errors.New("forward: port 0")
	}
	a := f.To.Addr()
	switch {
	case !a.IsValid():
		return errors.New("forward: missing target address")
	case f.To.Port() == 0:
		return fmt.Errorf("forward: target %s has port 0", f.To)
	case a.Is4In6():
		return fmt.Errorf("forward: use the IPv4 form of %s", a)
	case a.Zone() != "":
		return fmt.Errorf("forward: target %s has a zone", a)
	case a.IsUnspecified() || a.IsMulticast():
		return fmt.Errorf("forward: target %s is not a unicast address", a)
	}
	if f.InIface != "" {
		if err := validIfname(f.InIface); err != nil {
			return fmt.Errorf("forward iif: %w", err)
		}
	}
	if f.Hairpin.IsValid() && f.Hairpin.Addr().Is4() != a.Is4() {
		return fmt.Errorf("forward: hairpin network %s and target %s are not the same family", f.Hairpin, a)
	}
	if f.Localhost && !a.Is4() {
		return fmt.Errorf("forward: localhost needs an IPv4 target (::1 cannot be routed to %s)", a)
	}
	if f.Localhost && f.InIface != "" {
		return errors.New("forward: localhost is for the host's own connections, which iif excludes")
	}
	return nil
}

// validIfname accepts what the kernel takes as an interface name as is
// (ifname.Check has the rule).
func validIfname(s string) error {
	if err := ifname.Check(s); err != nil {
		return fmt.Errorf("invalid interface name %q: %w", s, err)
	}
	return nil
}

// ParseNAT reads the words of a NAT rule, as the command line gives them
// after `nsnet nat` and as String writes them:
//
//	masquerade SRC_CIDR [oif DEV]
//	forward tcp|udp PORT DEST_IP:PORT [iif DEV] [hairpin CIDR]
//
// It returns a Masquerade or a Forward value, validated.
func ParseNAT(words []string) (NATRule, error) {
	if len(words) == 0 {
		return nil, errors.New("expected masquerade or forward")
	}
	var r NATRule
	switch words[0] {
	case "masquerade":
		m, err := parseMasquerade(words[1:])
		if err != nil {
			return nil, err
		}
		r = m
	case "forward":
		f, err := parseForward(words[1:])
		if err != nil {
			return nil, err
		}
		r = f
	default:
		return nil, fmt.Errorf("%q: expected masquerade or forward", words[0])
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

func parseMasquerade(w []string) (Masquerade, error) {
	var m Masquerade
	if len(w) == 0 {
		return m, errors.New("masquerade: expected SRC_CIDR [oif DEV]")
	}
	p, err := parsePrefix(w[0])
	if err != nil {
		return m, fmt.Errorf("masquerade: %w", err)
	}
	m.Src = p
	opts, err := options(w[1:], "oif")
	if err != nil {
		return m, fmt.Errorf("masquerade: %w", err)
	}
	m.OutIface = opts["oif"]
	return m, nil
}

func parseForward(w []string) (Forward, error) {
	var f Forward
	if len(w) < 3 {
		return f, errors.New("forward: expected tcp|udp PORT DEST_IP:PORT [iif DEV] [hairpin CIDR] [localhost]")
	}
	f.Proto = w[0]
	port, err := strconv.ParseUint(w[1], 10, 16)
	if err != nil {
		return f, fmt.Errorf("forward: port %q: expected a number from 1 to 65535", w[1])
	}
	f.Port = uint16(port)
	to, err := netip.ParseAddrPort(w[2])
	if err != nil {
		return f, fmt.Errorf("forward: target %q is not ADDRESS:PORT (an IPv6 address in brackets: [fd00::2]:80)", w[2])
	}
	f.To = to
	rest := w[3:]
	if n := len(rest); n > 0 && rest[n-1] == "localhost" {
		f.Localhost, rest = true, rest[:n-1]
	}
	opts, err := options(rest, "iif", "hairpin")
	if err != nil {
		return f, fmt.Errorf("forward: %w", err)
	}
	f.InIface = opts["iif"]
	if h, ok := opts["hairpin"]; ok {
		p, err := parsePrefix(h)
		if err != nil {
			return f, fmt.Errorf("forward: hairpin: %w", err)
		}
		f.Hairpin = p
	}
	return f, nil
}

// parsePrefix reads a network in CIDR form. Its error names the word and
// the form expected, not Go's parser (issue 9 L6).
func parsePrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Errorf("%q is not a network in CIDR form ADDRESS/LENGTH (192.168.15.0/24, fd00::/64)", s)
	}
	return p, nil
}

// fields splits canonical text into words.
func fields(s string) []string { return strings.Fields(s) }

// options reads "KEY VALUE" pairs, each key at most once.
func options(w []string, keys ...string) (map[string]string, error) {
	opts := map[string]string{}
	for len(w) > 0 {
		k := w[0]
		known := false
		for _, want := range keys {
			known = known || k == want
		}
		switch {
		case !known:
			return nil, fmt.Errorf("unexpected %q (expected %s)", k, strings.Join(keys, " or "))
		case len(w) < 2:
			return nil, fmt.Errorf("%s needs a value", k)
		}
		if _, dup := opts[k]; dup {
			return nil, fmt.Errorf("%s given twice", k)
		}
		opts[k] = w[1]
		w = w[2:]
	}
	return opts, nil
}
