// Command nsize reports nsnet's binary size against its budget: the
// stripped static binary's bytes and MiB, the budget (4.5 MiB, issues 11
// to 14: "the whole tool stays ≤ 4.5 MB", MB counted as 2^20 bytes as in
// RESULTS.md), the margin left, and the package groups the bytes go to
// (bench.SizeByPackage, from the same program built with symbols).
//
//	nsize STRIPPED SYMBOLS
//
// It reports; it does not fail on the total (make size is a view, not a
// gate). It exits non-zero only when it cannot measure.
package main

import (
	"fmt"
	"os"

	"github.com/nsnet/nsnet/bench"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: nsize STRIPPED-BINARY BINARY-WITH-SYMBOLS")
		os.Exit(2)
	}
	st, err := os.Stat(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "nsize:", err)
		os.Exit(1)
	}
	n := st.Size()
	const mib = 1 << 20
	fmt.Printf("nsnet: %d bytes = %.3f MiB; budget %d bytes (%.1f MiB); ", n, float64(n)/mib, int64(bench.SizeBudget), bench.SizeBudget/mib)
	if m := int64(bench.SizeBudget) - n; m >= 0 {
		fmt.Printf("margin %d bytes (%.0f KiB, %.1f%%)\n", m, float64(m)/1024, 100*float64(m)/bench.SizeBudget)
	} else {
		fmt.Printf("OVER by %d bytes (%.0f KiB)\n", -m, float64(-m)/1024)
	}
	shares, err := bench.SizeByPackage(os.Args[2], n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nsize:", err)
		os.Exit(1)
	}
	var own int64
	for _, s := range shares {
		if s.Own {
			own += s.Bytes
		}
	}
	fmt.Printf("%-44s %9s %9s  %s\n", "package group", "share", "code", "largest packages in it")
	for _, s := range shares {
		fmt.Printf("%-44s %8.0fK %8.0fK  %s\n", trim(s.Group), float64(s.Bytes)/1024, float64(s.Code)/1024, s.Detail)
	}
	fmt.Printf("%-44s %8.0fK\n%-44s %8.0fK\n", "all of nsnet's own packages", float64(own)/1024,
		"runtime, standard library, modules", float64(n-own)/1024)
}

func trim(g string) string {
	const mod = "github.com/nsnet/nsnet/"
	if len(g) > len(mod) && g[:len(mod)] == mod {
		return g[len(mod):]
	}
	return g
}
