package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	iofs "io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// nameRules are the two name rules that live in exactly one place (issue
// 10 item 6): a function elsewhere whose name says it validates such a
// name must hand the decision to the one validator, not decide itself.
var nameRules = []struct {
	what  string
	words []string // any of these in the lower-cased function name...
	owner string   // ...is allowed to decide only in this package
	call  string   // ...and elsewhere must call this
}{
	{"interface name", []string{"ifname", "ifacename", "interfacename", "devname", "linkname"}, "internal/ifname", "ifname.Check"},
	{"namespace name", []string{"netnsname", "nsname", "namespacename"}, "nsutil", "nsutil.ValidName"},
}

// TestOneNameValidator: every function named like an interface-name or
// namespace-name validator (validIfName, checkNSName...) outside the
// owning package calls the owner's validator.
func TestOneNameValidator(t *testing.T) {
	eachFile(t, func(rel, pkgDir string, fs *token.FileSet, f *ast.File) {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			lower := strings.ToLower(fn.Name.Name)
			if !strings.Contains(lower, "valid") && !strings.Contains(lower, "check") {
				continue
			}
			for _, r := range nameRules {
				if pkgDir == r.owner || !containsAny(lower, r.words) {
					continue
				}
				if !calls(fn.Body, r.call) {
					t.Errorf("%s: %s decides %s validity itself: the rule lives in %s; call %s", rel, fn.Name.Name, r.what, r.owner, r.call)
				}
			}
		}
	})
}

// TestNamespaceWordsResolvedInNsutil: which namespace a word means (a
// name under /run/netns, or a PID's /proc/PID/ns/net) is decided in
// nsutil only (issue 9 H1: the CLI once built /proc/NAME/ns/net for an
// all-digit name). No other package builds such a path.
func TestNamespaceWordsResolvedInNsutil(t *testing.T) {
	eachFile(t, func(rel, pkgDir string, fs *token.FileSet, f *ast.File) {
		if pkgDir == "nsutil" || strings.HasPrefix(pkgDir, "internal/") {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			v := strings.Trim(lit.Value, "\"`")
			if v == "/ns/net" || strings.HasPrefix(v, "/proc/") && strings.Contains(v, "ns/net") && !strings.Contains(v, " ") {
				t.Errorf("%s: %s builds a namespace path: resolve names and PIDs with nsutil.Open / OpenNameOrPID", fs.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	})
}

// eachFile parses every non-test Go file of the module (bench is a module
// of its own) and calls fn with its path, its package directory and the
// syntax tree (positions in fs).
func eachFile(t *testing.T, fn func(rel, pkgDir string, fs *token.FileSet, f *ast.File)) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fs := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "bench" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fs, path, nil, 0)
		if err != nil {
			return err
		}
		fn(rel, filepath.ToSlash(filepath.Dir(rel)), fs, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// calls reports whether body calls pkg.Func, given as "pkg.Func".
func calls(body *ast.BlockStmt, qualified string) bool {
	pkg, name, _ := strings.Cut(qualified, ".")
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == pkg && sel.Sel.Name == name {
				found = true
			}
		}
		return !found
	})
	return found
}
