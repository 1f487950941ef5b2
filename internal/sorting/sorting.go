// Package sorting sorts slices of structs with one copy of the sorting
// code for the whole binary.
//
// slices.SortFunc is generic: the compiler writes its pdqsort (about
// 14 KB of code, twice that in the file with its function tables) once
// for every shape of element it sorts, and every struct type is a shape
// of its own. Func and StableFunc take the same arguments but run
// sort.Slice and sort.SliceStable, which exist once; what is left per
// element type is the small wrapper below. Use them for slices of
// structs sorted off the hot path (validation, listings); slices.Sort of
// strings and ints, and sorts of pointers, share their shapes anyway.
package sorting

import (
	"io/fs"
	"os"
	"sort"
	"strings"
)

// Func sorts s in the order cmp gives (negative: a before b), as
// slices.SortFunc does; equal elements may be reordered.
func Func[S ~[]E, E any](s S, cmp func(a, b E) int) {
	sort.Slice(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 })
}

// StableFunc sorts s in the order cmp gives, keeping equal elements in
// their original order, as slices.SortStableFunc does.
func StableFunc[S ~[]E, E any](s S, cmp func(a, b E) int) {
	sort.SliceStable(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 })
}

// ReadDir is os.ReadDir (the entries of the directory, sorted by name;
// those read before an error, with the error) with the sort above:
// os.ReadDir's own slices.SortFunc of fs.DirEntry is one more copy of
// pdqsort in the binary (~17 KB with its tables).
func ReadDir(name string) ([]fs.DirEntry, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dirs, err := f.ReadDir(-1)
	Func(dirs, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return dirs, err
}
