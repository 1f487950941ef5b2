package nft

import (
	"fmt"
	"testing"
)

func BenchmarkRuleMarshal(b *testing.B) {
	for _, words := range []string{"masquerade 192.168.15.0/24 oif eth0", "forward tcp 8080 192.168.15.2:80"} {
		rs := mustParseNAT(b, words).rules()
		b.Run(words, func(b *testing.B) {
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
	body, err := mustParseNAT(b, "forward tcp 8080 192.168.15.2:80").rules()[0].MarshalBinary()
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
				m := Masquerade{Src: mustPrefix(fmt.Sprintf("10.%d.%d.0/24", i/256, i%256))}
				rules[i] = natRule(chainPostrouting, m.String(), masqueradeExprs(m))
			}
			b.ReportAllocs()
			for b.Loop() {
				tx := c.Begin()
				natSkeleton(tx)
				for i := range rules {
					tx.AddRule(&rules[i])
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
				if _, err := c.NATFlush(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
