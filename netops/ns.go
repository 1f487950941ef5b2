package netops

import (
	"errors"
	"os"
	"strings"
	"sync"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/nft"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
)

// An NS is an open network namespace and the rtnetlink sockets dialled
// inside it: every change this package makes goes through one. It is keyed
// by the open handle, never by a name, so a namespace given as a path
// (/proc/PID/ns/net, a CNI runtime's /var/run/netns/cni-...) works as well
// as a named one.
//
// An NS is safe for concurrent use. Its first socket is used by one caller
// at a time; callers that find it busy get another one, dialled once and
// kept for reuse (dialling costs ~40 µs, a veth's creation ~500 µs, so a
// pool of workers sharing the host reuses a few sockets instead of
// serializing on one).
type NS struct {
	ns      *nsutil.NetNS
	label   string // for messages: the name, the path, or "the host"
	current bool   // the process's own namespace: sysctls need no setns, sockets no thread

	mu    sync.Mutex
	conns []*rtnl.Conn  // idle sockets
	all   []*rtnl.Conn  // every socket dialled, to close
	nftc  *nft.Conn     // nf_tables socket, dialled on first use
	natc  *firewall.NAT // nsnet's NAT table on nftc (its policy mutex serialises this process's writers)
	done  bool
}

// Open returns an NS for ns, with a socket dialled inside it. The NS owns
// ns: Close closes it. label names the namespace in messages ("red",
// "/proc/1234/ns/net"); "" takes ns.Name().
func Open(ns *nsutil.NetNS, label string) (*NS, error) {
	c, err := rtnl.Dial(ns.File())
	if err != nil {
		return nil, err
	}
	return New(ns, c, label), nil
}

// New returns an NS for ns that uses c, a socket already dialled inside ns
// (nsutil.CreateWith dials it on the thread that created the namespace).
// The NS owns both.
func New(ns *nsutil.NetNS, c *rtnl.Conn, label string) *NS {
	if label == "" {
		label = ns.Name()
	}
	n := &NS{ns: ns, label: label}
	if c != nil {
		n.conns, n.all = []*rtnl.Conn{c}, []*rtnl.Conn{c}
	}
	return n
}

// OpenCurrent returns an NS for the process's own network namespace (the
// host, to topo and to a CNI plugin), labelled "the host". Its sockets
// and sysctls need no setns(2): every thread but nsutil's disposable ones
// is in it.
func OpenCurrent() (*NS, error) {
	cur, err := nsutil.Current()
	if err != nil {
		return nil, err
	}
	c, err := rtnl.Dial(nil)
	if err != nil {
		cur.Close()
		return nil, err
	}
	n := New(cur, c, "the host")
	n.current = true
	return n, nil
}

// Label is the namespace as messages name it.
func (n *NS) Label() string { return n.label }

// NetNS is the namespace handle (for IFLA_NET_NS_FD, nft.Dial, Do). It
// stays owned by n.
func (n *NS) NetNS() *nsutil.NetNS { return n.ns }

// IsCurrent reports whether n is the process's own namespace.
func (n *NS) IsCurrent() bool { return n.current }

// Conn returns n's first socket, for reads and for callers that keep to
// one socket; changes through it are not journaled.
func (n *NS) Conn() *rtnl.Conn {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.all) == 0 {
		return nil
	}
	return n.all[0]
}

// conn lends a socket in n to one caller until put.
func (n *NS) conn() (*rtnl.Conn, error) {
	n.mu.Lock()
	if n.done {
		n.mu.Unlock()
		return nil, errClosed
	}
	if k := len(n.conns); k > 0 {
		c := n.conns[k-1]
		n.conns = n.conns[:k-1]
		n.mu.Unlock()
		return c, nil
	}
	n.mu.Unlock()
	var c *rtnl.Conn
	var err error
	if n.current {
		c, err = rtnl.Dial(nil)
	} else {
		c, err = rtnl.Dial(n.ns.File())
	}
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, c)
	return c, nil
}

// put gives back a socket that conn lent.
func (n *NS) put(c *rtnl.Conn) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.conns = append(n.conns, c)
}

var errClosed = errors.New("netops: namespace handle closed")

// Close closes n's sockets and its namespace handle. A named namespace
// lives on (its bind mount holds it); one that nothing else holds dies,
// and the kernel frees its links (and the host ends of their veths).
func (n *NS) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done {
		return nil
	}
	n.done = true
	var errs []error
	for _, c := range n.all {
		errs = append(errs, c.Close())
	}
	n.all, n.conns = nil, nil
	if n.nftc != nil {
		errs = append(errs, n.nftc.Close())
		n.nftc = nil
		n.natc = nil
	}
	errs = append(errs, n.ns.Close())
	return errors.Join(errs...)
}

// SysctlGet reads a per-namespace sysctl of n ("net.ipv4.ip_forward").
func (n *NS) SysctlGet(key string) (string, error) {
	p, ok := hostSysctlPath(key)
	if !n.current || !ok {
		return n.ns.SysctlGet(key)
	}
	b, err := os.ReadFile(p)
	return strings.TrimSuffix(string(b), "\n"), err
}

// SysctlSet writes a per-namespace sysctl of n. Not journaled: Sysctl is
// the journaled change.
func (n *NS) SysctlSet(key, value string) error {
	p, ok := hostSysctlPath(key)
	if !n.current || !ok {
		return n.ns.SysctlSet(key, value)
	}
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(value); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// hostSysctlPath maps a key to its file under /proc/sys/net, as
// nsutil.NetNS.SysctlGet reads keys: sysctl(8)'s dotted form, or a path
// ("net/ipv4/conf/br.1/forwarding", for interface names with dots). ok is
// false for anything else, which nsutil then refuses with its reason.
func hostSysctlPath(key string) (path string, ok bool) {
	rel := key
	if !strings.Contains(key, "/") {
		rel = strings.ReplaceAll(key, ".", "/")
	}
	parts := strings.Split(rel, "/")
	if len(parts) < 2 || parts[0] != "net" {
		return "", false
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return "", false
		}
	}
	return "/proc/sys/" + rel, true
}
