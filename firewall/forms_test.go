package firewall

import (
	"testing"

	"github.com/nsnet/nsnet/internal/golden"
)

// TestRuleBytesMatchNFT: for every rule form, nsnet's NFT_MSG_NEWRULE body
// is byte for byte the one nft 1.0.6 sends for the same rule
// (testdata/nft_*.hex, captured by testdata/capture.sh).
func TestRuleBytesMatchNFT(t *testing.T) {
	for _, f := range readForms(t) {
		t.Run(f.name, func(t *testing.T) {
			r := f.rule(t)
			got, err := r.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if d := golden.Diff(got, golden.Read(t, "testdata/nft_"+f.name+".hex")); d != "" {
				t.Errorf("rule %s in %s: not the bytes nft sends:\n%s", f.words, f.chain, d)
			}
		})
	}
}

// TestSkeletonBytesMatchNFT: table inet nsnet and its chains, as NATAdd
// creates them, are the bytes nft sends for the same commands.
func TestSkeletonBytesMatchNFT(t *testing.T) {
	for _, m := range []struct {
		what, file string
		msg        interface{ MarshalBinary() ([]byte, error) }
	}{
		{"table inet nsnet", "testdata/nft_table_nsnet.hex", natTable()},
		{"chain postrouting", "testdata/nft_chain_postrouting.hex", natChains()[2]},
	} {
		got, err := m.msg.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if d := golden.Diff(got, golden.Read(t, m.file)); d != "" {
			t.Errorf("%s: not the bytes nft sends:\n%s", m.what, d)
		}
	}
}
