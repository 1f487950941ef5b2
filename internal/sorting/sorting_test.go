package sorting

import (
	"cmp"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

type kv struct {
	k  int
	id int // tells apart elements equal under the comparison
	s  string
}

// TestSameOrderAsSlices: Func and StableFunc put every slice in exactly
// the order slices.SortFunc and slices.SortStableFunc give, equal
// elements included (sort and slices run the same generated pdqsort), so
// callers switching to them see no change in output.
func TestSameOrderAsSlices(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	byKey := func(a, b kv) int { return cmp.Compare(a.k, b.k) }
	for _, n := range []int{0, 1, 2, 7, 12, 13, 50, 300, 5000} {
		for _, keys := range []int{1, 3, n + 1} {
			in := make([]kv, n)
			for i := range in {
				in[i] = kv{r.IntN(keys), i, "x"}
			}
			want, got := slices.Clone(in), slices.Clone(in)
			slices.SortFunc(want, byKey)
			Func(got, byKey)
			if !slices.Equal(got, want) {
				t.Errorf("Func, n=%d keys=%d: order differs from slices.SortFunc", n, keys)
			}
			want, got = slices.Clone(in), slices.Clone(in)
			slices.SortStableFunc(want, byKey)
			StableFunc(got, byKey)
			if !slices.Equal(got, want) {
				t.Errorf("StableFunc, n=%d keys=%d: order differs from slices.SortStableFunc", n, keys)
			}
		}
	}
}

// TestReadDirIsOSReadDir: ReadDir lists what os.ReadDir lists, in the same
// order, with the same types, and fails as it does.
func TestReadDirIsOSReadDir(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b", "a", "C", "10", "9", "é", "z.lock"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("ReadDir: %d entries, os.ReadDir %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Name() != want[i].Name() || got[i].Type() != want[i].Type() {
			t.Errorf("entry %d: %s %v, os.ReadDir %s %v", i, got[i].Name(), got[i].Type(), want[i].Name(), want[i].Type())
		}
	}
	_, werr := os.ReadDir(filepath.Join(dir, "missing"))
	if _, err := ReadDir(filepath.Join(dir, "missing")); err == nil || err.Error() != werr.Error() {
		t.Errorf("ReadDir of a missing directory: %v, os.ReadDir: %v", err, werr)
	}
}
