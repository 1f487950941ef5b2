package cnitest

import (
	"encoding/json"
	"github.com/containernetworking/cni/libcni"
	"github.com/nsnet/nsnet/internal/sandbox"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types/create"
	"github.com/nsnet/nsnet/cni"
)

func selectVersion(t *testing.T, list string) string {
	t.Helper()
	l, err := cni.DecodeConfList([]byte(list))
	if err != nil {
		t.Fatal(err)
	}
	return l.Version()
}

// TestResultMatchesLibcni: each of cni's golden results, read by libcni
// in its version and written back by libcni's own types, is byte for
// byte what nsnet wrote: the field names, order and omissions of every
// version are libcni's.
func TestResultMatchesLibcni(t *testing.T) {
	for _, v := range cni.Versions {
		b, err := os.ReadFile(filepath.Join("..", "cni", "testdata", "result-"+v+".json"))
		if err != nil {
			t.Fatal(err)
		}
		ours := string(b[:len(b)-1])
		r, err := create.Create(v, b)
		if err != nil {
			t.Fatalf("%s: libcni does not read nsnet's result: %v", v, err)
		}
		theirs, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		// libcni writes 1.x results with sorted keys: compare the trees
		// there, the bytes for 0.x.
		var ta, tb any
		json.Unmarshal([]byte(ours), &ta)
		json.Unmarshal(theirs, &tb)
		if !reflect.DeepEqual(ta, tb) || !cni.AtLeast(v, "1.0.0") && string(theirs) != ours {
			t.Errorf("%s:\nnsnet  %s\nlibcni %s", v, ours, theirs)
		}
	}
}

// TestREADMEConflist: the README's conflist is one libcni and nsnet
// accept, and libcni validates it against the installed plugin.
func TestREADMEConflist(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "10-nsnet.conflist <<'JSON'\n")
	list, _, ok2 := strings.Cut(rest, "\nJSON\n")
	if !ok || !ok2 {
		t.Fatal("README has no conflist")
	}
	l, err := libcni.ConfListFromBytes([]byte(list))
	if err != nil {
		t.Fatalf("libcni: %v", err)
	}
	ours, err := cni.DecodeConfList([]byte(list))
	if err != nil || ours.Version() != l.CNIVersion {
		t.Fatalf("nsnet: %v (version %s, libcni %s)", err, ours.Version(), l.CNIVersion)
	}
	if _, err := cni.DecodeConf(ours.PluginConf(0)); err != nil {
		t.Fatalf("nsnet refuses the README's plugin configuration: %v", err)
	}
	if sandbox.Inside() {
		if _, err := cniConfig().ValidateNetworkList(ctx(t), l); err != nil {
			t.Errorf("Validate: %v", err)
		}
	}
}
