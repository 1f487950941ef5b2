package bench

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// BenchmarkIPTables compares nsnet linked as iptables with iptables-nft
// 1.8.9 for issue 12's three rows, side by side in the same sandbox and
// run: K DNAT rules appended one process per rule; K rules in one
// iptables-restore; one -A with K rules present. Every iteration starts
// from an empty ruleset; ns/op is the measured work only.
var flagIPTK = flag.String("nsbench.iptk", "10", "rule counts for BenchmarkIPTables (issue 12 measures 1000)")

func iptDNAT(i int) []string {
	return []string{"-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", fmt.Sprint(10000 + i),
		"-j", "DNAT", "--to-destination", fmt.Sprintf("10.0.%d.%d:80", (i+2)>>8, (i+2)&0xff)}
}

func iptRestoreText(k int) string {
	var b strings.Builder
	b.WriteString("*nat\n:PREROUTING ACCEPT [0:0]\n")
	for i := range k {
		b.WriteString(strings.Join(iptDNAT(i)[2:], " ") + "\n")
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

func BenchmarkIPTables(b *testing.B) {
	sandbox.Require(b)
	if _, err := exec.LookPath("iptables-nft"); err != nil {
		b.Skip("iptables-nft is not installed")
	}
	nsnet, err := filepath.Abs(*flagNsnet)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(nsnet); err != nil {
		b.Skipf("no nsnet binary at %s (make -C bench build)", nsnet)
	}
	dir := b.TempDir()
	for _, n := range []string{"iptables", "iptables-restore"} {
		if err := os.Symlink(nsnet, filepath.Join(dir, n)); err != nil {
			b.Fatal(err)
		}
	}
	tools := []struct{ key, ipt, restore string }{
		{"nsnet", filepath.Join(dir, "iptables"), filepath.Join(dir, "iptables-restore")},
		{"iptables-nft", "iptables-nft", "iptables-nft-restore"},
	}
	reset := func(b *testing.B) {
		_ = exec.Command("nft", "delete", "table", "ip", "nat").Run()
	}
	count := func(b *testing.B, want int) {
		out, err := exec.Command("iptables-nft", "-t", "nat", "-S", "PREROUTING").Output()
		if err != nil {
			b.Fatal(err)
		}
		if got := strings.Count(string(out), "-A PREROUTING"); got != want {
			b.Fatalf("%d rules in PREROUTING, want %d", got, want)
		}
	}
	for _, k := range sizes(b, *flagIPTK) {
		for _, t := range tools {
			b.Run(fmt.Sprintf("per-process/%s/K=%d", t.key, k), func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					reset(b)
					b.StartTimer()
					for i := range k {
						if err := runTool("", t.ipt, iptDNAT(i)...); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					count(b, k)
					b.StartTimer()
				}
			})
			b.Run(fmt.Sprintf("restore/%s/K=%d", t.key, k), func(b *testing.B) {
				text := iptRestoreText(k)
				for b.Loop() {
					b.StopTimer()
					reset(b)
					b.StartTimer()
					if err := runTool(text, t.restore); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					count(b, k)
					b.StartTimer()
				}
			})
			b.Run(fmt.Sprintf("append-one/%s/K=%d", t.key, k), func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					reset(b)
					if err := runTool(iptRestoreText(k), "iptables-nft-restore"); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if err := runTool("", t.ipt, iptDNAT(k)...); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					count(b, k+1)
					b.StartTimer()
				}
			})
		}
	}
	reset(b)
}
