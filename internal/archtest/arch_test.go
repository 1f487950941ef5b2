package archtest

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/nsnet/nsnet"

// forbidden lists, per package, the project packages it must not import
// (directly or not): DESIGN.md's "knows nothing of" column.
var forbidden = map[string][]string{
	"rtnl":   {"nft", "firewall", "nsutil", "topo", "probe", "cmd/nsnet"},
	"nft":    {"rtnl", "firewall", "nsutil", "topo", "probe", "cmd/nsnet"},
	"nsutil": {"rtnl", "nft", "firewall", "topo", "probe", "cmd/nsnet"},
	"probe":  {"rtnl", "nft", "firewall", "topo", "cmd/nsnet"},
	"topo":   {"cmd/nsnet"},
	// cni speaks the CNI spec; it knows nothing of topology files or the CLI.
	"cni": {"topo", "cmd/nsnet"},
	// hostlocal is files and flock: no netlink, no namespaces, no verbs.
	"cni/hostlocal": {"rtnl", "nft", "nsutil", "probe", "topo", "cmd/nsnet"},
	// netops, the operations layer, sits below topo and the CNI plugin
	// and above rtnl, nft and nsutil: it knows nothing of files, CNI or
	// the CLI.
	"netops": {"topo", "cni", "probe", "cmd/nsnet"},
	// firewall is the rule policy above nft (DESIGN.md: NAT/iptables rule
	// policy): it builds rules from nft's pieces and knows nothing of
	// rtnl, namespaces or the CLI.
	"firewall": {"rtnl", "nsutil", "topo", "probe", "cmd/nsnet"},
	// jsonlite is a leaf that topo and cmd/nsnet use instead of
	// encoding/json; it knows nothing of nsnet.
	"internal/jsonlite": {"rtnl", "nft", "nsutil", "probe", "topo", "cmd/nsnet"},
}

// allowedThirdParty is STYLE.md R16's dependency list (plus what those
// modules themselves pull in). Anything else needs a reviewer's yes.
var allowedThirdParty = []string{
	"golang.org/x/sys/",
	"golang.org/x/net/",
	"golang.org/x/sync/",
	"github.com/mdlayher/netlink",
	"github.com/mdlayher/socket",
	"github.com/mdlayher/arp",
	"github.com/mdlayher/ethernet",
	"github.com/mdlayher/packet",
	"github.com/josharian/native",
}

type pkg struct {
	ImportPath   string
	Dir          string
	GoFiles      []string // non-test Go files, as go list names them
	Deps         []string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Standard     bool
}

func list(t *testing.T) []pkg {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command")
	}
	out, err := exec.Command("go", "list", "-deps=false", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

func TestLayers(t *testing.T) {
	for _, p := range list(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for layer, bad := range forbidden {
			if rel != layer && !strings.HasPrefix(rel, layer+"/") {
				continue
			}
			for _, d := range p.Deps {
				for _, b := range bad {
					if d == module+"/"+b || strings.HasPrefix(d, module+"/"+b+"/") {
						t.Errorf("%s depends on %s: DESIGN.md says %s knows nothing of %s", rel, d, layer, b)
					}
				}
			}
		}
	}
}

func TestCLIStopsAtStrings(t *testing.T) {
	for _, p := range list(t) {
		if p.ImportPath != module+"/cmd/nsnet" {
			continue
		}
		for _, imp := range p.Imports {
			if imp == "golang.org/x/sys/unix" || imp == "github.com/mdlayher/netlink" {
				t.Errorf("cmd/nsnet imports %s: STYLE.md R15 says the CLI never builds attributes or makes syscalls", imp)
			}
		}
		// Issue 10 item 4: the CLI decodes no bytes. Its tests neither:
		// they build typed rtnl values, as the CLI receives them.
		for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
			if imp == "encoding/binary" {
				t.Errorf("cmd/nsnet imports encoding/binary: kernel formats are decoded in rtnl and nft, which give the CLI typed values")
			}
		}
	}
}

// kernelName matches the names of kernel constants (IFF_UP, RTN_LOCAL,
// NUD_REACHABLE, IFA_F_NODAD, RTA_PREF, ARPHRD_ETHER...).
var kernelName = regexp.MustCompile(`\b(IFF|IFA_F|IFLA|IFA|IF_OPER|IF_LINK_MODE|RTN|RTPROT|RT_SCOPE|RT_TABLE|RTM_F|RTNH_F|RTA|RTEXT_FILTER|NUD|NTF|NDA|AF|ARPHRD|ETH_P|NLM_F|NLA_F|NFT|NFTA|NFPROTO|NF_NAT|IN6_ADDR_GEN_MODE|ICMPV6_ROUTER_PREF|INFINITY_LIFE)_[A-Z0-9_]+\b`)

// TestCLIDeclaresNoKernelConstants: a kernel number in cmd/nsnet (a
// line with an integer literal whose comment names a kernel constant, as
// in `iffUp = 0x1 // IFF_UP` or `case 772: // ARPHRD_LOOPBACK`) is a
// kernel format known in the CLI; rtnl and nft export it typed, with
// iproute2's words as its String (issue 10 item 4).
func TestCLIDeclaresNoKernelConstants(t *testing.T) {
	for _, p := range list(t) {
		if p.ImportPath != module+"/cmd/nsnet" {
			continue
		}
		if len(p.GoFiles) == 0 {
			t.Fatal("go list gave no files for cmd/nsnet")
		}
		for _, name := range p.GoFiles {
			src, err := os.ReadFile(filepath.Join(p.Dir, name))
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range kernelNumbers(t, name, src) {
				t.Errorf("%s:%d declares a kernel constant in the CLI: %s", name, line.n, line.text)
			}
		}
	}
}

type numberLine struct {
	n    int
	text string
}

// kernelNumbers returns the lines of a Go file that hold an integer
// literal and a comment naming a kernel constant.
func kernelNumbers(t *testing.T, name string, src []byte) []numberLine {
	fset := token.NewFileSet()
	f := fset.AddFile(name, -1, len(src))
	var s scanner.Scanner
	s.Init(f, src, func(pos token.Position, msg string) { t.Errorf("%s: %s", pos, msg) }, scanner.ScanComments)
	ints := map[int]bool{}
	var out []numberLine
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		line := f.Line(pos)
		switch {
		case tok == token.INT:
			ints[line] = true
		case tok == token.COMMENT && ints[line] && kernelName.MatchString(lit):
			out = append(out, numberLine{line, lit})
		}
	}
}

func TestThirdPartyDependencies(t *testing.T) {
	for _, p := range list(t) {
		for _, d := range p.Deps {
			if !strings.Contains(strings.SplitN(d, "/", 2)[0], ".") || strings.HasPrefix(d, module) {
				continue // standard library or our own
			}
			ok := false
			for _, a := range allowedThirdParty {
				if strings.HasPrefix(d, a) {
					ok = true
					break
				}
			}
			if !ok {
				t.Errorf("%s depends on %s, which is not in STYLE.md R16's list", p.ImportPath, d)
			}
		}
	}
}

// TestBinaryLinksNoTestPackages keeps package testing (and the crypto and
// flag packages it drags in, ~1 MB) out of the nsnet binary: the sandbox
// that the binary uses lives in internal/isolate for that reason. It also
// keeps out encoding/json (~400 KB with the reflection it drives): topo
// and the CLI read and write JSON with internal/jsonlite, and only tests
// and internal/sandbox use encoding/json.
func TestBinaryLinksNoTestPackages(t *testing.T) {
	for _, p := range list(t) {
		if p.ImportPath != module+"/cmd/nsnet" {
			continue
		}
		for _, d := range p.Deps {
			if d == "testing" || strings.HasPrefix(d, "crypto/") || d == module+"/internal/sandbox" || d == "encoding/json" {
				t.Errorf("cmd/nsnet depends on %s, which does not belong in the binary", d)
			}
		}
	}
}

// topoDecoders are the files of topo that turn the file's text into typed
// values; nothing else in topo parses an address (issue 10: decode once,
// validation and everything after work on the typed values).
var topoDecoders = map[string]bool{"decode.go": true}

// TestTopoParsesOnlyInDecode: outside topoDecoders, no non-test file of
// topo (or of a package below it) calls a parser of net/netip
// (ParseAddr, ParsePrefix, ParseAddrPort, MustParse...) or of net
// (ParseIP, ParseCIDR).
func TestTopoParsesOnlyInDecode(t *testing.T) {
	parsers := map[string]func(string) bool{
		"net/netip": func(name string) bool {
			return strings.HasPrefix(name, "Parse") || strings.HasPrefix(name, "MustParse")
		},
		"net": func(name string) bool { return name == "ParseIP" || name == "ParseCIDR" },
	}
	checked := 0
	for _, p := range list(t) {
		if p.ImportPath != module+"/topo" && !strings.HasPrefix(p.ImportPath, module+"/topo/") {
			continue
		}
		for _, name := range p.GoFiles {
			if p.ImportPath == module+"/topo" && topoDecoders[name] {
				continue
			}
			path := filepath.Join(p.Dir, name)
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			local := byImportName(f, parsers) // import name -> is a parser
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && local[x.Name] != nil && local[x.Name](sel.Sel.Name) {
					t.Errorf("%s: %s.%s: topo parses addresses only while decoding (%v); use the typed value", fset.Position(sel.Pos()), x.Name, sel.Sel.Name, topoDecoders)
				}
				return true
			})
		}
	}
	if checked == 0 {
		t.Fatal("found no topo source files to check")
	}
}

// TestOperationsLayer: topo changes the system through netops, the
// operations layer, and the CNI plugin may not bypass it: it imports
// neither rtnl nor nft (DESIGN.md: cmd -> (topo, cni) -> operations layer
// -> (rtnl, nft, nsutil)).
func TestOperationsLayer(t *testing.T) {
	for _, p := range list(t) {
		switch p.ImportPath {
		case module + "/topo":
			if !slices.Contains(p.Imports, module+"/netops") {
				t.Errorf("topo does not import netops: its changes must go through the operations layer")
			}
		case module + "/cni":
			for _, imp := range p.Imports {
				if imp == module+"/rtnl" || imp == module+"/nft" {
					t.Errorf("cni imports %s: the CNI plugin changes the system through netops, the operations layer", imp)
				}
			}
		}
	}
}
