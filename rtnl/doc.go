// Package rtnl speaks rtnetlink (rtnetlink(7)): links, addresses, routes
// and neighbours, encoded and decoded by hand on top of
// github.com/mdlayher/netlink's framing and attribute coders.
package rtnl

import (
	_ "github.com/mdlayher/netlink"
	_ "golang.org/x/sys/unix"
)
