package cni

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/internal/jsonlite"
)

// DefaultBridge is the bridge of a configuration without "bridge", as in
// the reference bridge plugin.
const DefaultBridge = "cni0"

// NetConf is one plugin's request configuration (what arrives on stdin),
// with the reference bridge plugin's field names so that a configuration
// switches to nsnet by changing "type".
type NetConf struct {
	CNIVersion string
	Name       string
	Type       string

	Bridge           string // "bridge"; DefaultBridge when absent
	IsGateway        bool   // "isGateway": the gateway address goes on the bridge
	IsDefaultGateway bool   // "isDefaultGateway": also a default route via it (implies IsGateway)
	ForceAddress     bool   // "forceAddress": replace another address of the family on the bridge
	IPMasq           bool   // "ipMasq": masquerade the container's traffic leaving the network
	MTU              int    // "mtu": of the veth (and a new bridge); 0 is the kernel's default
	HairpinMode      bool   // "hairpinMode": the host end reflects frames back (hairpin NAT without promisc)
	PromiscMode      bool   // "promiscMode": the bridge is promiscuous
	MacSpoofChk      bool   // "macspoofchk": refused (not implemented)

	IPAM IPAM
	DNS  DNS

	RuntimeConfig RuntimeConfig
	ArgsIPs       []netip.Addr // "args": {"cni": {"ips": [...]}}
	ArgsMAC       string       // "args": {"cni": {"mac": ...}}

	PrevResult *Result // "prevResult", decoded in the configuration's version

	// StateDir is nsnet's own "stateDir": where the plugin records what
	// each attachment made ("" is the plugin's default).
	StateDir string

	// ValidAttachments is "cni.dev/valid-attachments" of a GC request;
	// HasValidAttachments tells a missing list (nothing may be collected)
	// from an empty one (everything may).
	ValidAttachments    []Attachment
	HasValidAttachments bool
}

// IPAM is the configuration's "ipam" object: its type and, for the
// IPAM that runs inside nsnet (host-local), the whole object for
// cni/hostlocal to decode.
type IPAM struct {
	Type string
	Raw  jsonlite.Value // the "ipam" object as given; Kind Invalid when absent
}

// Present reports whether the configuration has an ipam object.
func (i *IPAM) Present() bool { return i.Raw.Kind == jsonlite.Object }

// RuntimeConfig holds the capability arguments nsnet reads.
type RuntimeConfig struct {
	PortMappings []PortMapping // "portMappings"
	IPs          []netip.Addr  // "ips": requested addresses (the prefix length, if any, is dropped)
	MAC          string        // "mac"
}

// A PortMapping is one entry of the portMappings capability.
type PortMapping struct {
	HostPort      uint16
	ContainerPort uint16
	Protocol      string     // "tcp" (default), "udp" or "sctp"
	HostIP        netip.Addr // optional: only connections to this host address
}

// An Attachment is one entry of cni.dev/valid-attachments.
type Attachment struct {
	ContainerID string
	IfName      string
}

// DecodeConf reads a request configuration. Wrong JSON is code 6 (as a
// *DecodeError or *Error); values that cannot be served are code 7 (or 2
// for a reference field nsnet does not implement, naming its value), all
// before anything changes.
func DecodeConf(data []byte) (*NetConf, error) {
	root, err := jsonlite.Parse(data)
	if err != nil {
		return nil, &DecodeError{Msg: "invalid JSON: " + err.Error()}
	}
	if root.Kind != jsonlite.Object {
		return nil, mistyped(&root, "", "a configuration object")
	}
	c := &NetConf{Bridge: DefaultBridge}
	var prev *jsonlite.Value
	var unsupported []string
	err = object(&root, "", func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "cniVersion":
			return str(v, path, &c.CNIVersion)
		case "name":
			return str(v, path, &c.Name)
		case "type":
			return str(v, path, &c.Type)
		case "bridge":
			return str(v, path, &c.Bridge)
		case "isGateway":
			return boolean(v, path, &c.IsGateway)
		case "isDefaultGateway":
			return boolean(v, path, &c.IsDefaultGateway)
		case "forceAddress":
			return boolean(v, path, &c.ForceAddress)
		case "ipMasq":
			return boolean(v, path, &c.IPMasq)
		case "mtu":
			return integer(v, path, &c.MTU)
		case "hairpinMode":
			return boolean(v, path, &c.HairpinMode)
		case "promiscMode":
			return boolean(v, path, &c.PromiscMode)
		case "macspoofchk":
			return boolean(v, path, &c.MacSpoofChk)
		case "vlan", "vlanTrunk", "enabledad", "disableContainerInterface", "portIsolation":
			if set(v) {
				unsupported = append(unsupported, key+"="+string(jsonlite.AppendValue(nil, *v)))
			}
			return nil
		case "ipam":
			c.IPAM = IPAM{}
			if v.Kind == jsonlite.Null {
				return nil
			}
			if v.Kind != jsonlite.Object {
				return mistyped(v, path, "an object")
			}
			c.IPAM.Raw = *v
			return object(v, path, func(key string, v *jsonlite.Value, path string) error {
				if key == "type" {
					return str(v, path, &c.IPAM.Type)
				}
				return nil
			})
		case "dns":
			c.DNS = DNS{}
			return decodeDNS(v, path, &c.DNS)
		case "runtimeConfig":
			c.RuntimeConfig = RuntimeConfig{}
			return decodeRuntimeConfig(v, path, &c.RuntimeConfig)
		case "args":
			return decodeArgs(v, path, c)
		case "prevResult":
			prev = v
			return nil
		case "stateDir":
			return str(v, path, &c.StateDir)
		case "cni.dev/valid-attachments", "cni.dev/attachments": // the second: libcni also sends the name of an old spec typo (#1101)
			// null (libcni's GCArgs with a nil list) is an empty list; only
			// a missing key is a missing list.
			c.ValidAttachments, c.HasValidAttachments = []Attachment{}, true
			return list(v, path, func(_ int, v *jsonlite.Value, path string) error {
				var a Attachment
				err := object(v, path, func(key string, v *jsonlite.Value, path string) error {
					switch key {
					case "containerID":
						return str(v, path, &a.ContainerID)
					case "ifname":
						return str(v, path, &a.IfName)
					}
					return nil
				})
				c.ValidAttachments = append(c.ValidAttachments, a)
				return err
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c.CNIVersion == "" {
		c.CNIVersion = "0.1.0" // libcni's default for a configuration without one
	}
	if !Supported(c.CNIVersion) {
		return nil, &Error{Code: CodeIncompatibleVersion, Msg: "incompatible CNI versions",
			Details: "config is " + quote(c.CNIVersion) + ", plugin supports [" + strings.Join(Versions, " ") + "]"}
	}
	if prev != nil && prev.Kind != jsonlite.Null {
		r, err := decodeResult(prev, "prevResult", c.CNIVersion)
		if err != nil {
			return nil, err
		}
		c.PrevResult = r
	}
	if len(unsupported) > 0 {
		return nil, &Error{Code: CodeUnsupportedField, Msg: "unsupported field in network configuration: " + strings.Join(unsupported, ", ")}
	}
	return c, c.validate()
}

// set reports whether a field nsnet does not implement asks for
// something: not null, false, 0, "" or an empty list.
func set(v *jsonlite.Value) bool {
	switch v.Kind {
	case jsonlite.Null:
		return false
	case jsonlite.Bool:
		return v.Bool
	case jsonlite.Number:
		f, err := strconv.ParseFloat(v.Text, 64)
		return err != nil || f != 0
	case jsonlite.String:
		return v.Text != ""
	case jsonlite.Array:
		return len(v.Elems) > 0
	}
	return true
}

func (c *NetConf) validate() error {
	bad := func(msg string) error { return &Error{Code: CodeInvalidConfig, Msg: msg} }
	switch {
	case c.Name == "":
		return bad("missing network name")
	case !ValidNetworkName(c.Name):
		return bad("invalid characters in network name " + quote(c.Name))
	case ValidIfName(c.Bridge) != nil:
		return bad("invalid bridge name " + quote(c.Bridge) + ": " + ValidIfName(c.Bridge).Error())
	case c.MTU < 0 || c.MTU > 65535:
		return bad("invalid mtu " + strconv.Itoa(c.MTU))
	case c.HairpinMode && c.PromiscMode:
		return bad("cannot set hairpin mode and promiscuous mode at the same time")
	case c.MacSpoofChk:
		return &Error{Code: CodeUnsupportedField, Msg: "unsupported field in network configuration: macspoofchk=true"}
	case strings.ContainsAny(c.IPAM.Type, `/\`):
		return bad("invalid ipam type " + quote(c.IPAM.Type))
	}
	if c.IsDefaultGateway {
		c.IsGateway = true
	}
	return nil
}

// MAC is the requested container MAC: runtimeConfig.mac, else
// args.cni.mac, else CNI_ARGS MAC= (the reference bridge's order).
func (c *NetConf) MAC(env *Env) string {
	if c.RuntimeConfig.MAC != "" {
		return c.RuntimeConfig.MAC
	}
	if c.ArgsMAC != "" {
		return c.ArgsMAC
	}
	m, _ := env.Lookup("MAC")
	return m
}

func decodeRuntimeConfig(v *jsonlite.Value, path string, rc *RuntimeConfig) error {
	return object(v, path, func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "portMappings":
			rc.PortMappings = nil
			return list(v, path, func(_ int, v *jsonlite.Value, path string) error {
				pm, err := decodePortMapping(v, path)
				rc.PortMappings = append(rc.PortMappings, pm)
				return err
			})
		case "ips":
			rc.IPs = nil
			return list(v, path, func(_ int, v *jsonlite.Value, path string) error {
				a, err := ipArg(v, path)
				rc.IPs = append(rc.IPs, a)
				return err
			})
		case "mac":
			return str(v, path, &rc.MAC)
		}
		return nil
	})
}

// ipArg reads a requested IP, "10.1.2.3" or "10.1.2.3/24" (host-local's
// ip.IP accepts both and uses the address).
func ipArg(v *jsonlite.Value, path string) (netip.Addr, error) {
	var s string
	if err := str(v, path, &s); err != nil {
		return netip.Addr{}, err
	}
	a, err := ParseIPArg(s)
	if err != nil {
		return a, &DecodeError{Path: path, Msg: err.(*DecodeError).Msg}
	}
	return a, nil
}

// ParseIPArg reads an address with or without a prefix length.
func ParseIPArg(s string) (netip.Addr, error) {
	if strings.Contains(s, "/") {
		p, err := ParseCIDR(s)
		return p.Addr(), err
	}
	return ParseAddr(s)
}

func decodePortMapping(v *jsonlite.Value, path string) (PortMapping, error) {
	var pm PortMapping
	hostPort, contPort := 0, 0
	if v.Kind != jsonlite.Object {
		return pm, mistyped(v, path, "an object")
	}
	err := object(v, path, func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "hostPort":
			return integer(v, path, &hostPort)
		case "containerPort":
			return integer(v, path, &contPort)
		case "protocol":
			return str(v, path, &pm.Protocol)
		case "hostIP":
			return addrField(v, path, &pm.HostIP)
		}
		return nil
	})
	if err != nil {
		return pm, err
	}
	if hostPort < 1 || hostPort > 65535 || contPort < 1 || contPort > 65535 {
		return pm, &Error{Code: CodeInvalidConfig, Msg: "invalid port mapping at " + path + ": ports must be 1-65535, have hostPort " + strconv.Itoa(hostPort) + " containerPort " + strconv.Itoa(contPort)}
	}
	pm.HostPort, pm.ContainerPort = uint16(hostPort), uint16(contPort)
	pm.Protocol = strings.ToLower(pm.Protocol)
	switch pm.Protocol {
	case "":
		pm.Protocol = "tcp"
	case "tcp", "udp":
	case "sctp":
		return pm, &Error{Code: CodeUnsupportedField, Msg: "unsupported field in network configuration: " + path + ".protocol=sctp"}
	default:
		return pm, &Error{Code: CodeInvalidConfig, Msg: "invalid port mapping protocol " + quote(pm.Protocol) + " at " + path}
	}
	return pm, nil
}

func decodeArgs(v *jsonlite.Value, path string, c *NetConf) error {
	return object(v, path, func(key string, v *jsonlite.Value, path string) error {
		if key != "cni" {
			return nil
		}
		return object(v, path, func(key string, v *jsonlite.Value, path string) error {
			switch key {
			case "ips":
				c.ArgsIPs = nil
				return list(v, path, func(_ int, v *jsonlite.Value, path string) error {
					a, err := ipArg(v, path)
					c.ArgsIPs = append(c.ArgsIPs, a)
					return err
				})
			case "mac":
				return str(v, path, &c.ArgsMAC)
			}
			return nil
		})
	})
}

// AppendJSON writes c back as a request configuration with the fields
// nsnet reads (defaults written out), so DecodeConf gives c back. The
// CLI and tests use it; the plugin passes stdin on to delegates as is.
func (c *NetConf) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendStr(b, "cniVersion", c.CNIVersion)
	b = appendStr(b, "name", c.Name)
	b = appendStr(b, "type", c.Type)
	b = appendStr(b, "bridge", c.Bridge)
	for _, f := range []struct {
		k string
		v bool
	}{{"isGateway", c.IsGateway}, {"isDefaultGateway", c.IsDefaultGateway}, {"forceAddress", c.ForceAddress},
		{"ipMasq", c.IPMasq}, {"hairpinMode", c.HairpinMode}, {"promiscMode", c.PromiscMode}} {
		if f.v {
			b = jsonlite.AppendKey(b, f.k)
			b = append(b, "true"...)
		}
	}
	if c.MTU != 0 {
		b = appendInt(b, "mtu", c.MTU)
	}
	if c.IPAM.Present() {
		b = jsonlite.AppendKey(b, "ipam")
		b = jsonlite.AppendValue(b, c.IPAM.Raw)
	}
	if !c.DNS.empty() {
		b = jsonlite.AppendKey(b, "dns")
		b = c.DNS.appendJSON(b)
	}
	rc := &c.RuntimeConfig
	if rc.PortMappings != nil || rc.IPs != nil || rc.MAC != "" {
		b = jsonlite.AppendKey(b, "runtimeConfig")
		b = append(b, '{')
		if rc.PortMappings != nil {
			b = jsonlite.AppendKey(b, "portMappings")
			b = jsonlite.AppendArray(b, rc.PortMappings, func(b []byte, pm PortMapping) []byte {
				b = append(b, '{')
				b = appendInt(b, "hostPort", int(pm.HostPort))
				b = appendInt(b, "containerPort", int(pm.ContainerPort))
				b = appendStr(b, "protocol", pm.Protocol)
				if pm.HostIP.IsValid() {
					b = appendStr(b, "hostIP", pm.HostIP.String())
				}
				return append(b, '}')
			})
		}
		if rc.IPs != nil {
			b = jsonlite.AppendKey(b, "ips")
			b = jsonlite.AppendArray(b, rc.IPs, appendAddr)
		}
		if rc.MAC != "" {
			b = appendStr(b, "mac", rc.MAC)
		}
		b = append(b, '}')
	}
	if c.ArgsIPs != nil || c.ArgsMAC != "" {
		b = jsonlite.AppendKey(b, "args")
		b = append(b, `{"cni":{`...)
		if c.ArgsIPs != nil {
			b = jsonlite.AppendKey(b, "ips")
			b = jsonlite.AppendArray(b, c.ArgsIPs, appendAddr)
		}
		if c.ArgsMAC != "" {
			b = appendStr(b, "mac", c.ArgsMAC)
		}
		b = append(b, "}}"...)
	}
	if c.StateDir != "" {
		b = appendStr(b, "stateDir", c.StateDir)
	}
	if c.PrevResult != nil {
		b = jsonlite.AppendKey(b, "prevResult")
		b = c.PrevResult.AppendJSON(b, c.CNIVersion)
	}
	if c.HasValidAttachments {
		b = jsonlite.AppendKey(b, "cni.dev/valid-attachments")
		b = jsonlite.AppendArray(b, c.ValidAttachments, func(b []byte, a Attachment) []byte {
			b = append(b, '{')
			b = appendStr(b, "containerID", a.ContainerID)
			b = appendStr(b, "ifname", a.IfName)
			return append(b, '}')
		})
	}
	return append(b, '}')
}

func appendAddr(b []byte, a netip.Addr) []byte { return jsonlite.AppendString(b, a.String()) }
