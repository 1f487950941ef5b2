package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// SizeBudget is the stripped static binary's limit in bytes: issues 11 to
// 14 say "the whole tool stays ≤ 4.5 MB", and this project counts MB as
// 2^20 bytes (as the tables of RESULTS.md do). make size reports against
// it; nothing fails on it.
const SizeBudget = 4.5 * (1 << 20)

// A PkgShare is one group of packages' estimated share of the stripped
// binary: the bytes of its symbols (code, read-only data, data) plus a
// share of the function tables (pclntab, funcdata) in proportion to its
// code, which is how the linker grows them.
type PkgShare struct {
	Group  string // "Go runtime", "standard library", "modules", or an nsnet package
	Own    bool   // one of nsnet's own packages
	Code   int64  // text symbol bytes
	Bytes  int64  // estimated share of the stripped file
	Detail string // the largest packages in the group
}

// SizeByPackage attributes the stripped binary's size (stripped bytes) to
// package groups, from the symbols of the same program built without -s -w
// (symBin; code and data are the same, only the symbol table and DWARF
// differ). It runs `go tool nm -size`.
func SizeByPackage(symBin string, stripped int64) ([]PkgShare, error) {
	out, err := exec.Command("go", "tool", "nm", "-size", symBin).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool nm %s: %w", symBin, err)
	}
	type acc struct {
		code, bytes int64
		pkgs        map[string]int64
	}
	groups := map[string]*acc{}
	var code, attributed int64
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || size == 0 || f[2] == "B" || f[2] == "b" { // bss takes no file bytes
			continue
		}
		name := strings.Join(f[3:], " ")
		pkg := symbolPackage(name)
		if pkg == "" { // function tables and linker-made symbols: shared out below
			continue
		}
		g := groupOf(pkg)
		a := groups[g]
		if a == nil {
			a = &acc{pkgs: map[string]int64{}}
			groups[g] = a
		}
		a.bytes += size
		a.pkgs[pkg] += size
		attributed += size
		if f[2] == "T" || f[2] == "t" {
			a.code += size
			code += size
		}
	}
	if code == 0 {
		return nil, fmt.Errorf("go tool nm %s: no code symbols", symBin)
	}
	tables := max(stripped-attributed, 0)
	var shares []PkgShare
	for g, a := range groups {
		s := PkgShare{Group: g, Own: strings.HasPrefix(g, nsnetModule), Code: a.code,
			Bytes: a.bytes + tables*a.code/code}
		type kv struct {
			k string
			v int64
		}
		var top []kv
		for k, v := range a.pkgs {
			top = append(top, kv{k, v})
		}
		sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v })
		var d []string
		for i, t := range top {
			if i == 6 {
				d = append(d, fmt.Sprintf("%d more", len(top)-i))
				break
			}
			d = append(d, strings.TrimPrefix(t.k, nsnetModule))
		}
		if len(top) > 1 {
			s.Detail = strings.Join(d, ", ")
		}
		shares = append(shares, s)
	}
	sort.Slice(shares, func(i, j int) bool { return shares[i].Bytes > shares[j].Bytes })
	return shares, nil
}

const nsnetModule = "github.com/nsnet/nsnet/"

// groupOf puts a package in its group: the runtime, the standard library,
// the other modules, or nsnet's own package by name.
func groupOf(pkg string) string {
	switch {
	case strings.HasPrefix(pkg, nsnetModule):
		return pkg
	case pkg == "main":
		return nsnetModule + "cmd/nsnet"
	case pkg == "runtime" || strings.HasPrefix(pkg, "runtime/internal") || strings.HasPrefix(pkg, "internal/runtime") ||
		pkg == "internal/abi" || pkg == "internal/cpu" || pkg == "internal/bytealg" || pkg == "internal/chacha8rand":
		return "Go runtime"
	case strings.Contains(strings.SplitN(pkg, "/", 2)[0], "."):
		return "modules (mdlayher/*, golang.org/x/*)"
	}
	return "standard library"
}

// symbolPackage returns the import path of the package a symbol belongs
// to, or "" for symbols of no package (function tables, linker tables).
// Generic instantiations count for the generic function's package.
func symbolPackage(name string) string {
	for _, p := range []string{"type:.eq.", "type:.hash.", "type:", "go:itab.", "go:"} {
		if strings.HasPrefix(name, p) {
			if p == "go:" {
				return "" // go:func.* (funcdata), go:string.*, go:buildinfo, ...
			}
			name = strings.TrimPrefix(name, p)
			name = strings.TrimLeft(name, "*[]0123456789") // *T, []T, [2]T
			break
		}
	}
	if i := strings.IndexAny(name, "[ ,"); i >= 0 { // generics (slices.SortFunc[go.shape...]), itabs (T,I)
		name = name[:i]
	}
	if strings.HasPrefix(name, "runtime.pclntab") || strings.HasPrefix(name, "runtime.findfunctab") ||
		strings.HasPrefix(name, "runtime.epclntab") || strings.HasPrefix(name, "runtime.functab") {
		return ""
	}
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return name[:slash+1+dot]
}
