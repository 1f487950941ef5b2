package firewall

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
)

// nftSkeleton is table inet nsnet as NATAdd creates it, written for nft.
const nftSkeleton = `table inet nsnet {
	chain prerouting { type nat hook prerouting priority dstnat; policy accept; }
	chain output { type nat hook output priority -100; policy accept; }
	chain postrouting { type nat hook postrouting priority srcnat; policy accept; }
}
`

// listJSON is `nft -j list ruleset` inside ns, decoded, with every
// "handle" removed (the only thing two namespaces may number differently).
func listJSON(t testing.TB, ns *nsutil.NetNS) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(runIn(t, ns, "nft", "-j", "list", "ruleset")), &v); err != nil {
		t.Fatal(err)
	}
	return dropHandles(v)
}

func dropHandles(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "handle")
		for k, e := range x {
			x[k] = dropHandles(e)
		}
	case []any:
		for i, e := range x {
			x[i] = dropHandles(e)
		}
	}
	return v
}

// TestOracleNFTList: every NAT rule form, written by the nft CLI in one
// anonymous namespace and by nsnet in another, gives the same
// `nft -j list ruleset` (handles aside) and the same `nft list ruleset`.
func TestOracleNFTList(t *testing.T) {
	sandbox.Require(t)
	sandbox.Run(t, "nft", "--version") // no nft: skip, or fail under NSNET_REQUIRE_ORACLES=1
	byWords := map[string][]form{}
	var order []string
	for _, f := range readForms(t) {
		if _, ok := byWords[f.words]; !ok {
			order = append(order, f.words)
		}
		byWords[f.words] = append(byWords[f.words], f)
	}
	for _, words := range order {
		t.Run(strings.ReplaceAll(words, "/", "_"), func(t *testing.T) {
			r := mustParseNAT(t, words)
			forms := byWords[words]
			if len(forms) != len(r.rules()) {
				t.Fatalf("forms.txt has %d rules for %q, nsnet makes %d", len(forms), words, len(r.rules()))
			}
			byCLI, byUs := newNS(t), newNS(t)
			script := nftSkeleton
			for _, f := range forms {
				script += fmt.Sprintf("add rule inet nsnet %s %s comment %q\n", f.chain, f.nft, words)
			}
			if out, err := tryInStdin(byCLI, script, "nft", "-f", "-"); err != nil {
				t.Fatalf("nft -f: %v\n%s\n%s", err, script, out)
			}
			if _, err := dialIn(t, byUs).Add(r); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(listJSON(t, byCLI), listJSON(t, byUs)); d != "" {
				t.Errorf("nft -j list ruleset (-nft CLI +nsnet):\n%s", d)
			}
			if a, b := runIn(t, byCLI, "nft", "list", "ruleset"), runIn(t, byUs, "nft", "list", "ruleset"); a != b {
				t.Errorf("nft list ruleset differs:\nnft CLI:\n%s\nnsnet:\n%s", a, b)
			}
		})
	}
}
