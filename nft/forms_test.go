package nft

import "testing"

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
			diffHex(t, "rule "+f.words+" in "+f.chain, got, readHex(t, "testdata/nft_"+f.name+".hex"))
		})
	}
}

// TestSkeletonBytesMatchNFT: table inet nsnet and its chains, as NATAdd
// creates them, are the bytes nft sends for the same commands.
func TestSkeletonBytesMatchNFT(t *testing.T) {
	tx := (&Conn{}).Begin()
	natSkeleton(tx)
	diffHex(t, "table inet nsnet", tx.msgs[0].body, readHex(t, "testdata/nft_table_nsnet.hex"))
	diffHex(t, "chain postrouting", tx.msgs[3].body, readHex(t, "testdata/nft_chain_postrouting.hex"))
}
