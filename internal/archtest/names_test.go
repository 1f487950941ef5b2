package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
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
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "bench" || rel == "testdata" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir // bench is another module
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkgDir := filepath.ToSlash(filepath.Dir(rel))
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
