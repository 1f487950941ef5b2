package rtnl

import (
	"net/netip"

	"github.com/google/go-cmp/cmp"
)

// cmpOpts lets cmp.Diff compare netip values.
func cmpOpts() cmp.Options {
	return cmp.Options{
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	}
}
