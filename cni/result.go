package cni

import (
	"net/netip"
	"strconv"

	"github.com/nsnet/nsnet/internal/jsonlite"
)

// A Result is the spec's ADD result (and an IPAM plugin's abbreviated
// one, with no interfaces). It holds the union of the fields of every
// version; AppendJSON writes those of one version only.
type Result struct {
	CNIVersion string
	Interfaces []Interface
	IPs        []IPConfig
	Routes     []Route
	DNS        DNS
}

// An Interface is one of Result.interfaces.
type Interface struct {
	Name       string
	Mac        string
	Mtu        int    // 1.1.0
	Sandbox    string // the netns path for an interface in the container; "" on the host
	SocketPath string // 1.1.0
	PciID      string // 1.1.0
}

// An IPConfig is one of Result.ips.
type IPConfig struct {
	Interface *int         // index into Interfaces; nil in IPAM results
	Address   netip.Prefix // the address with its subnet's length: 10.1.0.5/16
	Gateway   netip.Addr   // optional
}

// A Route is one of Result.routes (and of host-local's ipam.routes).
type Route struct {
	Dst      netip.Prefix
	GW       netip.Addr // optional
	MTU      int        // 1.1.0
	AdvMSS   int        // 1.1.0
	Priority int        // 1.1.0
	Table    *int       // 1.1.0
	Scope    *int       // 1.1.0
}

// DNS is Result.dns and a configuration's dns.
type DNS struct {
	Nameservers []string
	Domain      string
	Search      []string
	Options     []string
}

func (d *DNS) empty() bool {
	return len(d.Nameservers) == 0 && d.Domain == "" && len(d.Search) == 0 && len(d.Options) == 0
}

// DecodeResult reads a result of any supported version (the version is
// its cniVersion, or def when it has none, as IPAM results of old plugins
// may). In 0.3.x and 0.4.0 each IP's "version" must match its address.
func DecodeResult(data []byte, def string) (*Result, error) {
	root, err := jsonlite.Parse(data)
	if err != nil {
		return nil, &DecodeError{Msg: err.Error()}
	}
	return decodeResult(&root, "", def)
}

func decodeResult(v *jsonlite.Value, path, def string) (*Result, error) {
	if v.Kind != jsonlite.Object {
		return nil, mistyped(v, path, "a result object")
	}
	r := &Result{}
	var versions []string // ips[].version, checked once cniVersion is known
	err := object(v, path, func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "cniVersion":
			return str(v, path, &r.CNIVersion)
		case "interfaces":
			r.Interfaces = nil
			return list(v, path, func(_ int, v *jsonlite.Value, path string) error {
				var i Interface
				err := decodeInterface(v, path, &i)
				r.Interfaces = append(r.Interfaces, i)
				return err
			})
		case "ips":
			r.IPs, versions = nil, nil
			return list(v, path, func(_ int, v *jsonlite.Value, path string) error {
				var c IPConfig
				var ver string
				err := decodeIPConfig(v, path, &c, &ver)
				r.IPs = append(r.IPs, c)
				versions = append(versions, ver)
				return err
			})
		case "routes":
			r.Routes = nil
			return list(v, path, func(_ int, v *jsonlite.Value, path string) error {
				var rt Route
				err := DecodeRoute(v, path, &rt)
				r.Routes = append(r.Routes, rt)
				return err
			})
		case "dns":
			r.DNS = DNS{}
			return decodeDNS(v, path, &r.DNS)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if r.CNIVersion == "" {
		r.CNIVersion = def
	}
	if !Supported(r.CNIVersion) {
		return nil, &Error{Code: CodeIncompatibleVersion, Msg: "unsupported CNI result version " + quote(r.CNIVersion)}
	}
	if !AtLeast(r.CNIVersion, "1.0.0") {
		for i, ver := range versions {
			want := "6"
			if r.IPs[i].Address.Addr().Is4() {
				want = "4"
			}
			if ver != "" && ver != want {
				return nil, &DecodeError{Path: index(join(path, "ips"), i) + ".version", Msg: "want " + quote(want) + " for " + r.IPs[i].Address.String() + ", have " + quote(ver)}
			}
		}
	}
	for i, c := range r.IPs {
		if c.Interface != nil && (*c.Interface < 0 || *c.Interface >= len(r.Interfaces)) {
			return nil, &DecodeError{Path: index(join(path, "ips"), i) + ".interface", Msg: "index " + strconv.Itoa(*c.Interface) + " is not one of the " + strconv.Itoa(len(r.Interfaces)) + " interfaces"}
		}
	}
	return r, nil
}

func decodeInterface(v *jsonlite.Value, path string, i *Interface) error {
	if v.Kind != jsonlite.Object {
		return mistyped(v, path, "an object")
	}
	return object(v, path, func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "name":
			return str(v, path, &i.Name)
		case "mac":
			return str(v, path, &i.Mac)
		case "mtu":
			return integer(v, path, &i.Mtu)
		case "sandbox":
			return str(v, path, &i.Sandbox)
		case "socketPath":
			return str(v, path, &i.SocketPath)
		case "pciID":
			return str(v, path, &i.PciID)
		}
		return nil
	})
}

func decodeIPConfig(v *jsonlite.Value, path string, c *IPConfig, ver *string) error {
	if v.Kind != jsonlite.Object {
		return mistyped(v, path, "an object")
	}
	err := object(v, path, func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "version":
			return str(v, path, ver)
		case "interface":
			return optInteger(v, path, &c.Interface)
		case "address":
			return cidrField(v, path, &c.Address)
		case "gateway":
			return addrField(v, path, &c.Gateway)
		}
		return nil
	})
	if err == nil && !c.Address.IsValid() {
		return &DecodeError{Path: join(path, "address"), Msg: "missing"}
	}
	return err
}

// DecodeRoute reads a route object ({"dst": CIDR, "gw": IP, ...}).
func DecodeRoute(v *jsonlite.Value, path string, r *Route) error {
	if v.Kind != jsonlite.Object {
		return mistyped(v, path, "an object")
	}
	err := object(v, path, func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "dst":
			return cidrField(v, path, &r.Dst)
		case "gw":
			return addrField(v, path, &r.GW)
		case "mtu":
			return integer(v, path, &r.MTU)
		case "advmss":
			return integer(v, path, &r.AdvMSS)
		case "priority":
			return integer(v, path, &r.Priority)
		case "table":
			return optInteger(v, path, &r.Table)
		case "scope":
			return optInteger(v, path, &r.Scope)
		}
		return nil
	})
	if err == nil && !r.Dst.IsValid() {
		return &DecodeError{Path: join(path, "dst"), Msg: "missing"}
	}
	return err
}

func decodeDNS(v *jsonlite.Value, path string, d *DNS) error {
	return object(v, path, func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "nameservers":
			return stringList(v, path, &d.Nameservers)
		case "domain":
			return str(v, path, &d.Domain)
		case "search":
			return stringList(v, path, &d.Search)
		case "options":
			return stringList(v, path, &d.Options)
		}
		return nil
	})
}

// AppendJSON appends r as a result of spec version ver, with the field
// order and omissions of libcni's types (types/040 for 0.3.x and 0.4.0,
// types/100 for 1.x), so that a runtime reading it in that version sees
// exactly its fields: 0.3.x and 0.4.0 give every IP its "version", 1.0.0
// has none; mtu, socketPath and pciID of interfaces and the route fields
// beyond dst and gw exist from 1.1.0 on. "dns" is always written, as
// libcni writes its struct.
func (r *Result) AppendJSON(b []byte, ver string) []byte {
	v11 := AtLeast(ver, "1.1.0")
	v1 := AtLeast(ver, "1.0.0")
	b = append(b, '{')
	b = appendStr(b, "cniVersion", ver)
	if len(r.Interfaces) > 0 {
		b = jsonlite.AppendKey(b, "interfaces")
		b = jsonlite.AppendArray(b, r.Interfaces, func(b []byte, i Interface) []byte {
			b = append(b, '{')
			b = appendStr(b, "name", i.Name)
			if i.Mac != "" {
				b = appendStr(b, "mac", i.Mac)
			}
			if v11 && i.Mtu != 0 {
				b = appendInt(b, "mtu", i.Mtu)
			}
			if i.Sandbox != "" {
				b = appendStr(b, "sandbox", i.Sandbox)
			}
			if v11 && i.SocketPath != "" {
				b = appendStr(b, "socketPath", i.SocketPath)
			}
			if v11 && i.PciID != "" {
				b = appendStr(b, "pciID", i.PciID)
			}
			return append(b, '}')
		})
	}
	if len(r.IPs) > 0 {
		b = jsonlite.AppendKey(b, "ips")
		b = jsonlite.AppendArray(b, r.IPs, func(b []byte, c IPConfig) []byte {
			b = append(b, '{')
			if !v1 {
				fam := "6"
				if c.Address.Addr().Is4() {
					fam = "4"
				}
				b = appendStr(b, "version", fam)
			}
			if c.Interface != nil {
				b = appendInt(b, "interface", *c.Interface)
			}
			b = appendStr(b, "address", c.Address.String())
			if c.Gateway.IsValid() {
				b = appendStr(b, "gateway", c.Gateway.String())
			}
			return append(b, '}')
		})
	}
	if len(r.Routes) > 0 {
		b = jsonlite.AppendKey(b, "routes")
		b = jsonlite.AppendArray(b, r.Routes, func(b []byte, rt Route) []byte { return rt.appendJSON(b, v11) })
	}
	b = jsonlite.AppendKey(b, "dns")
	b = r.DNS.appendJSON(b)
	return append(b, '}')
}

func (rt *Route) appendJSON(b []byte, v11 bool) []byte {
	b = append(b, '{')
	b = appendStr(b, "dst", rt.Dst.String())
	if rt.GW.IsValid() {
		b = appendStr(b, "gw", rt.GW.String())
	}
	if v11 {
		if rt.MTU != 0 {
			b = appendInt(b, "mtu", rt.MTU)
		}
		if rt.AdvMSS != 0 {
			b = appendInt(b, "advmss", rt.AdvMSS)
		}
		if rt.Priority != 0 {
			b = appendInt(b, "priority", rt.Priority)
		}
		if rt.Table != nil {
			b = appendInt(b, "table", *rt.Table)
		}
		if rt.Scope != nil {
			b = appendInt(b, "scope", *rt.Scope)
		}
	}
	return append(b, '}')
}

func (d *DNS) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if len(d.Nameservers) > 0 {
		b = appendStrings(b, "nameservers", d.Nameservers)
	}
	if d.Domain != "" {
		b = appendStr(b, "domain", d.Domain)
	}
	if len(d.Search) > 0 {
		b = appendStrings(b, "search", d.Search)
	}
	if len(d.Options) > 0 {
		b = appendStrings(b, "options", d.Options)
	}
	return append(b, '}')
}
