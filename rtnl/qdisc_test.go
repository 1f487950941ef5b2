package rtnl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nsnet/nsnet/internal/golden"
)

// TestQdiscMatchesIproute2: the request QdiscAdd sends for lo's root
// pfifo is byte for byte tc's.
func TestQdiscMatchesIproute2(t *testing.T) {
	want := golden.Read(t, "testdata/ip_qdisc_add_pfifo_0.hex")
	q := Qdisc{Index: 1, Handle: 1 << 16, Parent: QdiscRoot, Kind: "pfifo"}
	got, err := q.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if d := golden.Diff(got, want); d != "" {
		t.Errorf("ours differs from tc's:\n%s", d)
	}
	var back Qdisc
	if err := back.UnmarshalBinary(want); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(q, back); d != "" {
		t.Errorf("decoding tc's request (-ours +decoded):\n%s", d)
	}
}

func FuzzQdiscUnmarshal(f *testing.F) {
	golden.FuzzRoundTrip[Qdisc](f, "testdata/ip_qdisc_*.hex")
}
