package plugin

import (
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/internal/jsonlite"
	"github.com/nsnet/nsnet/internal/sorting"
)

// DefaultStateDir is where nsnet keeps what each attachment made, so that
// DEL and GC work without CNI_NETNS, without prevResult and without the
// runtime's result cache. A configuration's "stateDir" overrides it.
const DefaultStateDir = "/var/lib/cni/nsnet"

// An Attachment is what one ADD made for (container ID, ifname) on one
// network: the record DEL, CHECK, GC and `nsnet cni list` read.
type Attachment struct {
	ContainerID string
	IfName      string
	Netns       string // CNI_NETNS at ADD
	Bridge      string
	HostIf      string           // the host end of the veth
	HostMAC     net.HardwareAddr // its address, chosen by ADD: DEL and GC delete the host end only if it still has it
	IPs         []netip.Prefix   // the container's addresses, with their subnet's length
	IPAM        string           // "host-local" (inside nsnet), another type (delegated), "" (none)
	DataDir     string           // host-local's dataDir
	Masquerade  []netip.Prefix   // firewall.Masquerade sources
	Ports       []Port           // firewall.Forward rules
}

// Networks lists the networks that have attachment records under dir
// (DefaultStateDir if ""), sorted.
func Networks(dir string) ([]string, error) {
	if dir == "" {
		dir = DefaultStateDir
	}
	ents, err := sorting.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && cni.ValidNetworkName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, err
}

// Attachments reads the records of one network under dir (DefaultStateDir
// if ""): what `nsnet cni list` shows.
func Attachments(dir, network string) ([]*Attachment, error) {
	if dir == "" {
		dir = DefaultStateDir
	}
	return listStates(dir, network)
}

// A Port is one port mapping as it was written to table inet nsnet.
type Port struct {
	Proto    string
	HostPort uint16
	To       netip.AddrPort
}

// natRules are the record's masquerades and port forwards.
func (a *Attachment) natRules() []firewall.NATRule {
	var out []firewall.NATRule
	for _, m := range a.Masquerade {
		out = append(out, firewall.Masquerade{Src: m})
	}
	for _, p := range a.Ports {
		out = append(out, p.rule())
	}
	return out
}

// rule is the port mapping's forward: from outside, from the host (its
// addresses and, for IPv4, 127.0.0.1 as the reference portmap allows:
// ADD sets route_localnet on the bridge) and by hairpin.
func (p Port) rule() firewall.Forward {
	return firewall.Forward{Proto: p.Proto, Port: p.HostPort, To: p.To, Localhost: p.To.Addr().Is4()}
}

// stateFile is the attachment's file: <dir>/<network>/<containerID>:<ifname>
// (a container ID has no ':' and an interface name cannot have one).
func stateFile(dir, network, id, ifname string) string {
	return filepath.Join(dir, network, id+":"+ifname)
}

// loadState reads an attachment's record; (nil, nil) if there is none.
func loadState(dir, network, id, ifname string) (*Attachment, error) {
	data, err := os.ReadFile(stateFile(dir, network, id, ifname))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeState(data)
}

// saveState writes the record atomically (a temporary file renamed over
// it), so a reader never sees half of one.
func saveState(dir, network string, a *Attachment) error {
	d := filepath.Join(dir, network)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	name := stateFile(dir, network, a.ContainerID, a.IfName)
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, a.AppendJSON(nil), 0o600); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func removeState(dir, network, id, ifname string) error {
	err := os.Remove(stateFile(dir, network, id, ifname))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// listStates reads every record of a network.
func listStates(dir, network string) ([]*Attachment, error) {
	ents, err := sorting.ReadDir(filepath.Join(dir, network))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Attachment
	for _, e := range ents {
		if !strings.Contains(e.Name(), ":") || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, network, e.Name()))
		if err != nil {
			continue
		}
		a, err := decodeState(data)
		if err != nil {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

// AppendJSON writes the record as its file holds it (one object and a
// newline).
func (a *Attachment) AppendJSON(b []byte) []byte {
	str := func(b []byte, k, v string) []byte {
		b = jsonlite.AppendKey(b, k)
		return jsonlite.AppendString(b, v)
	}
	b = append(b, '{')
	b = str(b, "containerID", a.ContainerID)
	b = str(b, "ifname", a.IfName)
	b = str(b, "netns", a.Netns)
	b = str(b, "bridge", a.Bridge)
	b = str(b, "hostIf", a.HostIf)
	b = str(b, "hostMAC", a.HostMAC.String())
	b = jsonlite.AppendKey(b, "ips")
	b = jsonlite.AppendArray(b, a.IPs, appendPrefix)
	b = str(b, "ipam", a.IPAM)
	b = str(b, "dataDir", a.DataDir)
	b = jsonlite.AppendKey(b, "masquerade")
	b = jsonlite.AppendArray(b, a.Masquerade, appendPrefix)
	b = jsonlite.AppendKey(b, "ports")
	b = jsonlite.AppendArray(b, a.Ports, func(b []byte, p Port) []byte {
		b = append(b, '{')
		b = str(b, "proto", p.Proto)
		b = jsonlite.AppendKey(b, "hostPort")
		b = strconv.AppendUint(b, uint64(p.HostPort), 10)
		b = str(b, "to", p.To.String())
		return append(b, '}')
	})
	return append(b, "}\n"...)
}

func appendPrefix(b []byte, p netip.Prefix) []byte { return jsonlite.AppendString(b, p.String()) }

type stateError string

func (e stateError) Error() string { return "attachment record: " + string(e) }

func decodeState(data []byte) (*Attachment, error) {
	root, err := jsonlite.Parse(data)
	if err != nil {
		return nil, err
	}
	if root.Kind != jsonlite.Object {
		return nil, stateError("not an object")
	}
	a := &Attachment{}
	prefixes := func(v *jsonlite.Value, path string, dst *[]netip.Prefix) error {
		*dst = nil
		return cni.Elems(v, path, func(v *jsonlite.Value, path string) error {
			var s string
			if err := cni.Str(v, path, &s); err != nil {
				return err
			}
			p, err := cni.ParseCIDR(s)
			if err != nil {
				return err
			}
			*dst = append(*dst, p)
			return nil
		})
	}
	err = cni.Members(&root, "", func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "containerID":
			return cni.Str(v, path, &a.ContainerID)
		case "ifname":
			return cni.Str(v, path, &a.IfName)
		case "netns":
			return cni.Str(v, path, &a.Netns)
		case "bridge":
			return cni.Str(v, path, &a.Bridge)
		case "hostIf":
			return cni.Str(v, path, &a.HostIf)
		case "hostMAC":
			var s string
			if err := cni.Str(v, path, &s); err != nil || s == "" {
				return err
			}
			m, err := net.ParseMAC(s)
			if err != nil {
				return stateError(path + ": " + s)
			}
			a.HostMAC = m
			return nil
		case "ips":
			return prefixes(v, path, &a.IPs)
		case "ipam":
			return cni.Str(v, path, &a.IPAM)
		case "dataDir":
			return cni.Str(v, path, &a.DataDir)
		case "masquerade":
			return prefixes(v, path, &a.Masquerade)
		case "ports":
			a.Ports = nil
			return cni.Elems(v, path, func(v *jsonlite.Value, path string) error {
				var p Port
				var to, port string
				err := cni.Members(v, path, func(key string, v *jsonlite.Value, path string) error {
					switch key {
					case "proto":
						return cni.Str(v, path, &p.Proto)
					case "hostPort":
						if v.Kind != jsonlite.Number {
							return stateError(path + ": not a number")
						}
						port = v.Text
					case "to":
						return cni.Str(v, path, &to)
					}
					return nil
				})
				if err != nil {
					return err
				}
				n, err := strconv.ParseUint(port, 10, 16)
				if err != nil {
					return stateError(path + ".hostPort: " + port)
				}
				p.HostPort = uint16(n)
				if p.To, err = netip.ParseAddrPort(to); err != nil {
					return stateError(path + ".to: " + to)
				}
				a.Ports = append(a.Ports, p)
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !cni.ValidContainerID(a.ContainerID) || cni.ValidIfName(a.IfName) != nil {
		return nil, stateError("bad container ID or ifname")
	}
	return a, nil
}
