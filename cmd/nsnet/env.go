package main

import (
	"bufio"
	"io"

	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
)

// env is what a request runs with: the global options and the output.
type env struct {
	opts   opts
	out    *bufio.Writer // buffered standard output
	rawOut io.Writer     // the same, unbuffered, for programs nsnet runs
	stderr io.Writer
}

// where names the namespace a request acts in, for messages.
func (e *env) where() string {
	if e.opts.netns == "" {
		return "the current namespace"
	}
	return "namespace " + e.opts.netns
}

// dial opens an rtnetlink connection inside the namespace of -n, or the
// current one. The namespace file is closed once the socket exists (the
// socket keeps the namespace alive and stays bound to it).
func (e *env) dial() (*rtnl.Conn, error) {
	if e.opts.netns == "" {
		return rtnl.Dial(nil)
	}
	ns, err := openNS(e.opts.netns)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	return rtnl.Dial(ns.File())
}

// openNS opens the namespace of -n or netns exec: by name only, as
// iproute2's netns_switch (a number is a name too: after `netns add 42`,
// -n 42 is that namespace; with no such name it is an error, never
// process 42's namespace). A missing one is an error that wraps
// os.ErrNotExist (explain names it).
func openNS(name string) (*nsutil.NetNS, error) { return nsutil.Open(name) }

// openTarget opens the namespace of a link's "netns WORD" (link add, link
// set): the namespace named WORD, or, only when no such name exists and
// WORD is a number, that process's (nsutil.OpenNameOrPID, as iproute2).
func openTarget(word string) (*nsutil.NetNS, error) { return nsutil.OpenNameOrPID(word) }

// nsNames returns a lookup from nsid (as the -n namespace, or the current
// one, numbers its peers) to the name under /run/netns, for "link-netns
// NAME". The list is read once, on first use; failures leave ids unnamed
// (iproute2 then prints link-netnsid N, and so does nsnet).
func (e *env) nsNames() func(int32) string {
	var names map[int32]string
	return func(id int32) string {
		if names == nil {
			names = map[int32]string{}
			list, err := e.nsList()
			if err != nil {
				return ""
			}
			for _, n := range list {
				if n.ID >= 0 {
					names[n.ID] = n.Name
				}
			}
		}
		return names[id]
	}
}

// nsList is nsutil.List as seen from the -n namespace: nsids belong to the
// namespace that asks, so it is asked from a thread inside it, as `ip -n
// NS` (which switches the whole process) does.
func (e *env) nsList() ([]nsutil.Entry, error) {
	if e.opts.netns == "" {
		return nsutil.List()
	}
	ns, err := openNS(e.opts.netns)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	var list []nsutil.Entry
	err = ns.Do(func() error {
		var lerr error
		list, lerr = nsutil.List()
		return lerr
	})
	return list, err
}

// linksFor dumps the links of c's namespace (show commands print names,
// not indexes) and resolves dev, when one is given, to its index.
func (e *env) linksFor(c *rtnl.Conn, dev string) (*linkSet, int32, error) {
	links, err := c.Links()
	if err != nil {
		return nil, 0, inNS(err, e.where())
	}
	set := newLinkSet(links, nil)
	if dev == "" {
		return set, 0, nil
	}
	l := set.byName(dev)
	if l == nil {
		return nil, 0, &notFound{what: "link", name: dev, where: e.where(), lookup: true}
	}
	return set, l.Index, nil
}

// linkByName looks dev up for the command op on obj ("addr add",
// "10.0.0.1/24"): a missing device is refused, naming the device, the
// command and the namespace.
func (e *env) linkByName(c *rtnl.Conn, dev, op, obj string) (*rtnl.Link, error) {
	l, err := c.LinkByName(dev)
	if err != nil {
		return nil, &refused{err: err, where: e.where(), name: dev, op: op, obj: obj}
	}
	return l, nil
}
