package nft

import (
	"fmt"
	"testing"
)

func BenchmarkRuleMarshal(b *testing.B) {
	for _, src := range []string{"192.168.15.0/24", "10.0.0.0/8"} {
		rs := []Rule{testMasq(src)}
		b.Run(src, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range rs {
					if _, err := rs[i].MarshalBinary(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func BenchmarkRuleUnmarshal(b *testing.B) {
	r := testMasq("192.168.15.0/24")
	body, err := r.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var r Rule
		if err := r.UnmarshalBinary(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommit measures transactions of n masquerade rules into a fresh
// namespace, against the kernel (root, in the sandbox).
func BenchmarkCommit(b *testing.B) {
	for _, n := range []int{1, 64, 1024} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			requireInside(b)
			c := dialIn(b, newNS(b))
			rules := make([]Rule, n)
			for i := range rules {
				rules[i] = testMasq(fmt.Sprintf("10.%d.%d.0/24", i/256, i%256))
			}
			b.ReportAllocs()
			for b.Loop() {
				tx := c.Begin()
				testSkeleton(tx)
				for i := range rules {
					tx.AddRule(&rules[i])
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
				if err := testFlush(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
