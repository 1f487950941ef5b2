package hostlocal

import (
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/internal/jsonlite"
)

// DefaultDataDir is host-local's dataDir when the configuration has none.
const DefaultDataDir = "/var/lib/cni/networks"

// A Range is one range of a range set, canonical: Subnet is masked, the
// other three are set and inside Subnet (the gateway need not be).
type Range struct {
	Subnet     netip.Prefix
	RangeStart netip.Addr // first address, inclusive
	RangeEnd   netip.Addr // last address, inclusive
	Gateway    netip.Addr
}

// A RangeSet is ranges of one family that one address is taken from.
type RangeSet []Range

// Config is the ipam object of a host-local configuration, canonical.
type Config struct {
	Network    string // the network's name: the store's directory
	DataDir    string
	Ranges     []RangeSet
	Routes     []cni.Route
	ResolvConf string
	// Requested addresses: CNI_ARGS IP=, then args.cni.ips, then the ips
	// capability, as host-local collects them.
	Requested []netip.Addr
}

type configError string

func (e configError) Error() string { return string(e) }

func invalid(msg string) error {
	return &cni.Error{Code: cni.CodeInvalidConfig, Msg: msg}
}

// Decode reads the ipam object of c (host-local's fields) and the
// requested addresses of env, canonicalizing and checking the ranges as
// host-local does, with its messages.
func Decode(c *cni.NetConf, env *cni.Env) (*Config, error) {
	if !c.IPAM.Present() {
		return nil, invalid("IPAM config missing 'ipam' key")
	}
	cfg := &Config{Network: c.Name}
	var single Range
	var singleSet bool
	raw := c.IPAM.Raw
	err := cni.Members(&raw, "ipam", func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "dataDir":
			return cni.Str(v, path, &cfg.DataDir)
		case "resolvConf":
			return cni.Str(v, path, &cfg.ResolvConf)
		case "subnet", "rangeStart", "rangeEnd", "gateway":
			singleSet = singleSet || key == "subnet" && v.Kind == jsonlite.String
			return rangeField(key, v, path, &single)
		case "ranges":
			cfg.Ranges = nil
			return cni.Elems(v, path, func(v *jsonlite.Value, path string) error {
				var set RangeSet
				err := cni.Elems(v, path, func(v *jsonlite.Value, path string) error {
					var r Range
					err := cni.Members(v, path, func(key string, v *jsonlite.Value, path string) error {
						return rangeField(key, v, path, &r)
					})
					set = append(set, r)
					return err
				})
				cfg.Ranges = append(cfg.Ranges, set)
				return err
			})
		case "routes":
			cfg.Routes = nil
			return cni.Elems(v, path, func(v *jsonlite.Value, path string) error {
				var rt cni.Route
				err := cni.DecodeRoute(v, path, &rt)
				cfg.Routes = append(cfg.Routes, rt)
				return err
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir
	}
	if ip, ok := env.Lookup("IP"); ok && ip != "" {
		a, err := cni.ParseIPArg(ip)
		if err != nil {
			return nil, &cni.Error{Code: cni.CodeInvalidEnvironment, Msg: "invalid CNI_ARGS IP=" + ip}
		}
		cfg.Requested = append(cfg.Requested, a)
	}
	cfg.Requested = append(cfg.Requested, c.ArgsIPs...)
	cfg.Requested = append(cfg.Requested, c.RuntimeConfig.IPs...)
	if singleSet {
		cfg.Ranges = append([]RangeSet{{single}}, cfg.Ranges...)
	}
	if len(cfg.Ranges) == 0 {
		return nil, invalid("no IP ranges specified")
	}
	for i := range cfg.Ranges {
		if err := cfg.Ranges[i].canonicalize(); err != nil {
			return nil, invalid("invalid range set " + strconv.Itoa(i) + ": " + err.Error())
		}
	}
	for i, s1 := range cfg.Ranges {
		for j := i + 1; j < len(cfg.Ranges); j++ {
			if s1.overlaps(cfg.Ranges[j]) {
				return nil, invalid("range set " + strconv.Itoa(i) + " overlaps with " + strconv.Itoa(j))
			}
		}
	}
	return cfg, nil
}

// ResolvDNS reads cfg.ResolvConf as host-local's parseResolvConf does
// (nameserver, domain, search, options lines).
func (cfg *Config) ResolvDNS() (cni.DNS, error) {
	var d cni.DNS
	data, err := os.ReadFile(cfg.ResolvConf)
	if err != nil {
		return d, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], ";") {
			continue
		}
		switch f[0] {
		case "nameserver":
			d.Nameservers = append(d.Nameservers, f[1])
		case "domain":
			d.Domain = f[1]
		case "search":
			d.Search = append(d.Search, f[1:]...)
		case "options":
			d.Options = append(d.Options, f[1:]...)
		}
	}
	return d, nil
}

// rangeField reads subnet (keeping host bits, so that canonicalize can
// refuse them), rangeStart, rangeEnd or gateway.
func rangeField(key string, v *jsonlite.Value, path string, r *Range) error {
	var s string
	if err := cni.Str(v, path, &s); err != nil || s == "" {
		return err
	}
	switch key {
	case "subnet":
		p, err := cni.ParseCIDR(s)
		if err != nil {
			return &cni.DecodeError{Path: path, Msg: err.Error()}
		}
		r.Subnet = p
		return nil
	case "rangeStart", "rangeEnd", "gateway":
		a, err := cni.ParseAddr(s)
		if err != nil {
			return &cni.DecodeError{Path: path, Msg: err.Error()}
		}
		switch key {
		case "rangeStart":
			r.RangeStart = a
		case "rangeEnd":
			r.RangeEnd = a
		default:
			r.Gateway = a
		}
	}
	return nil
}

// canonicalize is host-local's Range.Canonicalize: the subnet has room
// and no host bits; gateway defaults to .1, rangeStart to .1, rangeEnd to
// the last address (IPv4: the one before broadcast); both must be in the
// subnet, start before end.
func (r *Range) canonicalize() error {
	if !r.Subnet.IsValid() {
		return configError("missing subnet")
	}
	bits := r.Subnet.Addr().BitLen()
	if r.Subnet.Bits() > bits-2 {
		return configError("Network " + r.Subnet.String() + " too small to allocate from")
	}
	if m := r.Subnet.Masked(); m.Addr() != r.Subnet.Addr() {
		return configError("Network has host bits set. For a subnet mask of length " + strconv.Itoa(r.Subnet.Bits()) + " the network address is " + m.Addr().String())
	}
	first := r.Subnet.Addr().Next()
	if !r.Gateway.IsValid() {
		r.Gateway = first
	}
	if r.RangeStart.IsValid() {
		if !r.inSubnet(r.RangeStart) || r.RangeEnd.IsValid() && r.RangeStart.Compare(r.RangeEnd) > 0 {
			return configError("RangeStart " + r.RangeStart.String() + " not in network " + r.Subnet.String())
		}
	} else {
		r.RangeStart = first
	}
	if r.RangeEnd.IsValid() {
		if !r.inSubnet(r.RangeEnd) || r.RangeEnd.Compare(r.RangeStart) < 0 {
			return configError("RangeEnd " + r.RangeEnd.String() + " not in network " + r.Subnet.String())
		}
	} else {
		r.RangeEnd = lastAddr(r.Subnet)
	}
	return nil
}

func (r *Range) inSubnet(a netip.Addr) bool {
	return a.BitLen() == r.Subnet.Addr().BitLen() && r.Subnet.Contains(a)
}

// Contains reports whether a is allocatable in r: in the subnet, between
// start and end.
func (r *Range) Contains(a netip.Addr) bool {
	a = a.Unmap()
	return r.inSubnet(a) && a.Compare(r.RangeStart) >= 0 && a.Compare(r.RangeEnd) <= 0
}

func (r *Range) overlaps(o *Range) bool {
	if r.RangeStart.BitLen() != o.RangeStart.BitLen() {
		return false
	}
	return r.Contains(o.RangeStart) || r.Contains(o.RangeEnd) || o.Contains(r.RangeStart) || o.Contains(r.RangeEnd)
}

func (r *Range) String() string { return r.RangeStart.String() + "-" + r.RangeEnd.String() }

// lastAddr is the subnet's last address, minus one (broadcast) for IPv4.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	ones := p.Bits()
	for i := range b {
		for bit := 0; bit < 8; bit++ {
			if i*8+bit >= ones {
				b[i] |= 0x80 >> bit
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	if a.Is4() {
		a = a.Prev()
	}
	return a
}

func (s RangeSet) canonicalize() error {
	if len(s) == 0 {
		return configError("empty range set")
	}
	for i := range s {
		if err := s[i].canonicalize(); err != nil {
			return err
		}
		if s[i].RangeStart.BitLen() != s[0].RangeStart.BitLen() {
			return configError("mixed address families")
		}
	}
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[i].overlaps(&s[j]) {
				return configError("subnets " + s[i].String() + " and " + s[j].String() + " overlap")
			}
		}
	}
	return nil
}

// Contains reports whether a is in one of the set's ranges.
func (s RangeSet) Contains(a netip.Addr) bool { return s.rangeFor(a) >= 0 }

func (s RangeSet) rangeFor(a netip.Addr) int {
	for i := range s {
		if s[i].Contains(a) {
			return i
		}
	}
	return -1
}

func (s RangeSet) overlaps(o RangeSet) bool {
	for i := range s {
		for j := range o {
			if s[i].overlaps(&o[j]) {
				return true
			}
		}
	}
	return false
}

func (s RangeSet) String() string {
	parts := make([]string, len(s))
	for i := range s {
		parts[i] = s[i].String()
	}
	return strings.Join(parts, ",")
}
