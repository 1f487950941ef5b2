package sorting

import (
	"cmp"
	"math/rand/v2"
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
