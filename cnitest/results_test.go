package cnitest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
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
