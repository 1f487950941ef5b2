package nft

import (
	"testing"

	"github.com/nsnet/nsnet/internal/nfttest"
	"github.com/nsnet/nsnet/nsutil"
)

// Namespaces and tools for the privileged tests come from
// internal/nfttest (nsutil underneath, the one package that switches
// threads): the nft package itself knows nothing of nsutil.

func newNS(t testing.TB) *nsutil.NetNS { return nfttest.NewNS(t) }

func runIn(t testing.TB, ns *nsutil.NetNS, name string, args ...string) string {
	t.Helper()
	return nfttest.Run(t, ns, name, args...)
}

// dialIn dials a Conn inside ns (nil: the sandbox's own namespace),
// closed at the end of the test.
func dialIn(t testing.TB, ns *nsutil.NetNS) *Conn {
	t.Helper()
	var c *Conn
	var err error
	if ns == nil {
		c, err = Dial(nil)
	} else {
		c, err = Dial(ns.File())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
