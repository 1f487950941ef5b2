package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// heavy lists standard library calls and types that cost the static
// binary far more than their use in it is worth, with what they cost and
// what nsnet uses instead (make size shows where the bytes go). The
// binary's budget is 4.5 MiB (issues 11-14).
var heavy = map[string]map[string]string{
	"net": {
		// ~150 KB: net's TCP stack (dialer, netFD, sendfile/splice, keep-alive).
		"Dial": "tcp", "DialTCP": "tcp", "DialUDP": "tcp", "DialIP": "tcp", "DialTimeout": "tcp",
		"Dialer": "tcp", "Listen": "tcp", "ListenTCP": "tcp", "ListenUDP": "tcp", "ListenIP": "tcp",
		"ListenPacket": "tcp", "TCPConn": "tcp", "TCPListener": "tcp", "UDPConn": "tcp", "FileConn": "tcp",
		// ~25 KB: net's interface table, for a name or an index.
		"InterfaceByName": "iface", "InterfaceByIndex": "iface", "Interfaces": "iface", "InterfaceAddrs": "iface",
		// ~200 KB: Go's DNS resolver.
		"LookupHost": "dns", "LookupIP": "dns", "LookupAddr": "dns", "LookupPort": "dns", "ResolveTCPAddr": "dns",
		"ResolveUDPAddr": "dns", "ResolveIPAddr": "dns", "Resolver": "dns", "DefaultResolver": "dns",
	},
	// ~25 KB: reflect's deep-equality walker.
	"reflect": {"DeepEqual": "deepequal"},
	// ~12 KB: os.ReadDir's sort of fs.DirEntry, a pdqsort of its own.
	"os": {"ReadDir": "readdir"},
	// ~20 KB: strings.Replacer's tries and generic replacer.
	"strings": {"NewReplacer": "replacer"},
}

var heavyWhy = map[string]string{
	"tcp":       "links net's TCP stack (~150 KB); use mdlayher/socket (as internal/nettest does)",
	"iface":     "links net's interface table (~25 KB); use rtnl, or SIOCGIFINDEX on a socket (internal/nettest.zoneIndex)",
	"dns":       "links Go's DNS resolver (~200 KB); take literal addresses",
	"deepequal": "links reflect's deep-equality walker (~25 KB); compare what matters (nft.SameExprs)",
	"readdir":   "links one more copy of pdqsort (~12 KB); internal/sorting.ReadDir is the same call",
	"replacer":  "links strings.Replacer's machinery (~20 KB); strings.ReplaceAll for one pair, a loop for a few",
}

// heavyPackages are standard packages the binary does without, and why.
var heavyPackages = map[string]string{
	"text/tabwriter": "16 KB for two tables; cmd/nsnet's columns writes the same bytes",
}

// TestBinaryLinksNoHeavyPackages: cmd/nsnet does not depend on a package
// of heavyPackages.
func TestBinaryLinksNoHeavyPackages(t *testing.T) {
	for _, p := range list(t) {
		if p.ImportPath != module+"/cmd/nsnet" {
			continue
		}
		for _, d := range p.Deps {
			if why, ok := heavyPackages[d]; ok {
				t.Errorf("cmd/nsnet depends on %s: %s", d, why)
			}
		}
	}
}

// TestBinaryAvoidsHeavyStd: no non-test file of a package linked into
// the nsnet binary uses what heavy lists. Tests may.
func TestBinaryAvoidsHeavyStd(t *testing.T) {
	pkgs := list(t)
	var linked []string
	for _, p := range pkgs {
		if p.ImportPath == module+"/cmd/nsnet" {
			linked = append(slices.Clone(p.Deps), p.ImportPath)
		}
	}
	if linked == nil {
		t.Fatal("cmd/nsnet not found")
	}
	checked := 0
	for _, p := range pkgs {
		if !slices.Contains(linked, p.ImportPath) {
			continue
		}
		for _, name := range p.GoFiles {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			local := byImportName(f, heavy) // import name -> heavy names
			if len(local) == 0 {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && local[x.Name] != nil {
					if why, ok := local[x.Name][sel.Sel.Name]; ok {
						t.Errorf("%s: %s.%s in the nsnet binary %s", fset.Position(sel.Pos()), x.Name, sel.Sel.Name, heavyWhy[why])
					}
				}
				return true
			})
		}
	}
	if checked == 0 {
		t.Fatal("found no source files of the binary's packages to check")
	}
}

// byImportName re-keys by, a map from import paths, by the names f
// imports those packages as (the path's last element, or the name given).
func byImportName[V any](f *ast.File, by map[string]V) map[string]V {
	local := map[string]V{}
	for _, imp := range f.Imports {
		ip, _ := strconv.Unquote(imp.Path.Value)
		if v, ok := by[ip]; ok {
			n := filepath.Base(ip)
			if imp.Name != nil {
				n = imp.Name.Name
			}
			local[n] = v
		}
	}
	return local
}
