package probe

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
)

func TestMain(m *testing.M) { os.Exit(sandbox.Main(m)) }

// link is two network namespaces joined by a veth pair, built with ip(8)
// inside the sandbox: A has va 10.9.0.1/24 and fd00:9::1/64, B has vb
// 10.9.0.2/24 and fd00:9::2/64, and fe80::1 and fe80::2 (all nodad, so
// IPv6 works at once).
type link struct {
	A, B         *os.File
	nameA, nameB string
}

const (
	addrA  = "10.9.0.1"
	addrB  = "10.9.0.2"
	addr6A = "fd00:9::1"
	addr6B = "fd00:9::2"
	nobody = "10.9.0.99" // on the link, owned by nobody
)

func newLink(t *testing.T) *link {
	t.Helper()
	sandbox.Require(t)
	id := rand.N(1 << 30)
	l := &link{nameA: fmt.Sprintf("pa%d", id), nameB: fmt.Sprintf("pb%d", id)}
	for _, n := range []string{l.nameA, l.nameB} {
		sandbox.Run(t, "ip", "netns", "add", n)
		t.Cleanup(func() { sandbox.Run(t, "ip", "netns", "del", n) })
	}
	sandbox.Run(t, "ip", "link", "add", "va", "netns", l.nameA, "type", "veth", "peer", "name", "vb", "netns", l.nameB)
	for _, c := range [][]string{
		{"-n", l.nameA, "addr", "add", addrA + "/24", "dev", "va"},
		{"-n", l.nameA, "addr", "add", addr6A + "/64", "dev", "va", "nodad"},
		{"-n", l.nameA, "addr", "add", "fe80::1/64", "dev", "va", "nodad"},
		{"-n", l.nameB, "addr", "add", addrB + "/24", "dev", "vb"},
		{"-n", l.nameB, "addr", "add", "fe80::2/64", "dev", "vb", "nodad"},
		{"-n", l.nameB, "addr", "add", addr6B + "/64", "dev", "vb", "nodad"},
		{"-n", l.nameA, "link", "set", "va", "up"},
		{"-n", l.nameB, "link", "set", "vb", "up"},
		{"-n", l.nameA, "link", "set", "lo", "up"},
		{"-n", l.nameB, "link", "set", "lo", "up"},
	} {
		sandbox.Run(t, "ip", c...)
	}
	waitUp(t, l.nameA, "va")
	waitUp(t, l.nameB, "vb")
	l.A = openNS(t, l.nameA)
	l.B = openNS(t, l.nameB)
	return l
}

func openNS(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("/run/netns", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// waitUp waits until dev's operstate is UP: until linkwatch has run, the
// device transmits nothing (its qdisc is still noop), so a first probe
// would be lost and answered only by a retry a second later.
func waitUp(t *testing.T, ns, dev string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		links := sandbox.IPJSON(t, "-n", ns, "link", "show", "dev", dev)
		if len(links) == 1 && links[0]["operstate"] == "UP" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s in %s is not up after 5s: %v", dev, ns, links)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
