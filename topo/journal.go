package topo

import (
	"errors"
	"time"

	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// An up's journal and rollback are netops.Journal's: it records the exact
// undo of every change the kernel confirmed this run made, and Undo
// reverses them (run.j in apply.go). What is left here is waiting for the
// kernel to free host veth ends, which down and up's look at a namespace
// deleted a moment ago need.

// waitGone waits until the host links named have disappeared (the kernel
// frees them when their peer's namespace dies, asynchronously), deleting
// the stragglers after a while.
func waitGone(c *rtnl.Conn, names []string) error {
	left, err := pollGone(c, names, 3*time.Second)
	if err != nil || len(left) == 0 {
		return err
	}
	var errs []error
	for _, n := range left {
		errs = append(errs, delHostLink(c, n))
	}
	return errors.Join(errs...)
}

// pollGone waits up to d for the host links named to disappear, and
// returns those still there.
func pollGone(c *rtnl.Conn, names []string, d time.Duration) ([]string, error) {
	deadline := time.Now().Add(d)
	for {
		var left []string
		for _, n := range names {
			if _, err := c.LinkByName(n); err == nil {
				left = append(left, n)
			} else if !errors.Is(err, unix.ENODEV) {
				return left, err
			}
		}
		names = left
		if len(names) == 0 || time.Now().After(deadline) {
			return names, nil
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// delHostLink deletes a host link by name; a missing one is fine.
func delHostLink(c *rtnl.Conn, name string) error {
	l, err := c.LinkByName(name)
	if err != nil {
		return ignoreMissing(err)
	}
	return ignoreMissing(c.LinkDel(l.Index))
}

// ignoreMissing turns "it is already gone" into success, for down.
func ignoreMissing(err error) error {
	for _, e := range []error{unix.ENODEV, unix.ENOENT, unix.ESRCH, unix.EADDRNOTAVAIL} {
		if errors.Is(err, e) {
			return nil
		}
	}
	return err
}
