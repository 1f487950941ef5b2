package netops

import (
	"errors"
	"os"

	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
)

// CreateNetns creates the named namespace (/run/netns/NAME, as `ip netns
// add` does) with its socket dialled by the thread that created it, while
// inside (no second thread has to setns(2) in: ~0.1 ms a namespace), and
// records its deletion. An existing name is an *Error wrapping
// unix.EEXIST, and nothing is recorded: that namespace is not this run's.
func CreateNetns(j *Journal, name string) (*NS, error) {
	obj := Object{Kind: KindNetns, Name: name}
	if err := j.before(obj); err != nil {
		return nil, &Error{Verb: Create, Object: obj, Err: err}
	}
	var c *rtnl.Conn
	ns, err := nsutil.CreateWith(name, func() error {
		var err error
		c, err = rtnl.Dial(nil)
		return err
	})
	if err != nil {
		if c != nil {
			c.Close()
		}
		return nil, &Error{Verb: Create, Object: obj, Err: err}
	}
	n := New(ns, c, name)
	j.record(entry{verb: Create, obj: obj, ns: n, made: true, undo: func() error {
		n.Close() // an open handle would keep the namespace alive
		err := nsutil.Delete(name)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}})
	return n, nil
}
