package bench

import (
	"math"
	"slices"
	"time"
)

// Summary describes a set of durations.
type Summary struct {
	N      int
	Median time.Duration
	P95    time.Duration
	Min    time.Duration
	Max    time.Duration
	Total  time.Duration
}

// Summarize computes median, p95 (nearest rank), min, max and the sum.
func Summarize(d []time.Duration) Summary {
	if len(d) == 0 {
		return Summary{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	var total time.Duration
	for _, v := range s {
		total += v
	}
	return Summary{
		N:      len(s),
		Median: median(s),
		P95:    s[rank(len(s), 0.95)],
		Min:    s[0],
		Max:    s[len(s)-1],
		Total:  total,
	}
}

// rank is the nearest-rank index of quantile q in n sorted values.
func rank(n int, q float64) int {
	r := int(math.Ceil(q*float64(n))) - 1
	return max(0, min(n-1, r))
}

func median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Median returns the median of unsorted values (0 when empty).
func Median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return median(s)
}

// Spread is the noise across rounds: (max-min)/median of the per-round
// values, as a fraction, after dropping the highest and the lowest value
// when there are 5 or more. 0 with fewer than two values.
func Spread(d []time.Duration) float64 {
	if len(d) < 2 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) >= 5 {
		s = s[1 : len(s)-1]
	}
	m := median(s)
	if m == 0 {
		return 0
	}
	return float64(s[len(s)-1]-s[0]) / float64(m)
}
