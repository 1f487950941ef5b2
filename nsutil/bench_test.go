package nsutil

import (
	"fmt"
	"os/exec"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// BenchmarkCreateDelete measures one named namespace's life, with
// existing other namespaces under RunDir (Create makes RunDir shared with
// MS_REC, as ip does, so its cost may depend on how many exist).
func BenchmarkCreateDelete(b *testing.B) {
	sandbox.Require(b)
	for _, existing := range []int{0, 64, 512} {
		b.Run(fmt.Sprintf("existing=%d", existing), func(b *testing.B) {
			for i := range existing {
				ns, err := Create(fmt.Sprintf("bg-%d", i))
				if err != nil {
					b.Fatal(err)
				}
				ns.Close()
				defer Delete(fmt.Sprintf("bg-%d", i))
			}
			b.ReportAllocs()
			for b.Loop() {
				ns, err := Create("bench")
				if err != nil {
					b.Fatal(err)
				}
				ns.Close()
				if err := Delete("bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIPNetnsAddDel is the same life through iproute2, for the ratio.
func BenchmarkIPNetnsAddDel(b *testing.B) {
	sandbox.Require(b)
	if _, err := exec.LookPath("ip"); err != nil {
		b.Skip("ip is not installed")
	}
	for b.Loop() {
		if out, err := exec.Command("ip", "netns", "add", "bench-ip").CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		if out, err := exec.Command("ip", "netns", "del", "bench-ip").CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}

func BenchmarkNewAnonymous(b *testing.B) {
	sandbox.Require(b)
	b.ReportAllocs()
	for b.Loop() {
		f, err := NewAnonymous()
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkDo is the price of one disposable thread plus setns.
func BenchmarkDo(b *testing.B) {
	sandbox.Require(b)
	f, err := NewAnonymous()
	if err != nil {
		b.Fatal(err)
	}
	ns := &NetNS{f: f}
	defer ns.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := ns.Do(func() error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
