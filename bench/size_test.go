package bench

import "testing"

func TestSymbolPackage(t *testing.T) {
	for _, tc := range []struct{ sym, pkg, group string }{
		{"runtime.mallocgc", "runtime", "Go runtime"},
		{"internal/runtime/maps.(*Map).getWithKey", "internal/runtime/maps", "Go runtime"},
		{"main.parseLinkArgs", "main", "github.com/nsnet/nsnet/cmd/nsnet"},
		{"github.com/nsnet/nsnet/topo.(*run).configure", "github.com/nsnet/nsnet/topo", "github.com/nsnet/nsnet/topo"},
		{"github.com/nsnet/nsnet/topo.(*doctor).routes.func1", "github.com/nsnet/nsnet/topo", "github.com/nsnet/nsnet/topo"},
		{"slices.pdqsortCmpFunc[go.shape.struct { github.com/nsnet/nsnet/topo.p net/netip.Prefix }]", "slices", "standard library"},
		{"type:*github.com/nsnet/nsnet/rtnl.Link", "github.com/nsnet/nsnet/rtnl", "github.com/nsnet/nsnet/rtnl"},
		{"type:[2]github.com/nsnet/nsnet/nft.Expr", "github.com/nsnet/nsnet/nft", "github.com/nsnet/nsnet/nft"},
		{"type:.eq.net/netip.Prefix", "net/netip", "standard library"},
		{"go:itab.*github.com/nsnet/nsnet/nft.Meta,github.com/nsnet/nsnet/nft.Expr", "github.com/nsnet/nsnet/nft", "github.com/nsnet/nsnet/nft"},
		{"github.com/mdlayher/netlink.(*Conn).Receive", "github.com/mdlayher/netlink", "modules (mdlayher/*, golang.org/x/*)"},
		{"golang.org/x/sys/unix.Setns", "golang.org/x/sys/unix", "modules (mdlayher/*, golang.org/x/*)"},
		{"vendor/golang.org/x/net/dns/dnsmessage.(*Parser).Start", "vendor/golang.org/x/net/dns/dnsmessage", "standard library"},
		{"go:func.*", "", ""},
		{"go:string.\"hello\"", "", ""},
		{"runtime.pclntab", "", ""},
		{"type:.namedata.*func()", "", ""},
	} {
		got := symbolPackage(tc.sym)
		if got != tc.pkg {
			t.Errorf("symbolPackage(%q) = %q, want %q", tc.sym, got, tc.pkg)
			continue
		}
		if got != "" && groupOf(got) != tc.group {
			t.Errorf("groupOf(%q) = %q, want %q", got, groupOf(got), tc.group)
		}
	}
}
