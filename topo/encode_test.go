package topo

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// encodeStd is v as `nsnet -j` printed it with encoding/json: an Encoder
// with SetEscapeHTML(false), without the newline.
func encodeStd(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func randomStep(r *rand.Rand) Step {
	kinds := []Kind{KindNetns, KindVeth, KindForward, "", "we<i>rd\""}
	return Step{
		Action:   Action(r.IntN(6)), // 4 and 5 are not actions: they print as Action(4)
		Kind:     kinds[r.IntN(len(kinds))],
		NS:       randomString(r),
		Object:   randomString(r),
		Detail:   randomString(r),
		Commands: randomStrings(r),
		index:    r.IntN(9), // unexported fields are not printed
		op:       &addrOp{},
	}
}

// TestResultsJSONAgrees: the AppendJSON methods print what encoding/json
// printed for the same values.
func TestResultsJSONAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		p := &PlanResult{Steps: randomList(r, randomStep)}
		if got, want := string(p.AppendJSON(nil)), encodeStd(t, p); got != want {
			t.Fatalf("PlanResult.AppendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
		it := Item{Check: randomString(r), Object: randomString(r), Status: randomString(r), Detail: randomString(r), Fix: randomString(r)}
		if got, want := string(it.AppendJSON(nil)), encodeStd(t, it); got != want {
			t.Fatalf("Item.AppendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
		rm := Removed{Kind: Kind(randomString(r)), Object: randomString(r)}
		if got, want := string(rm.AppendJSON(nil)), encodeStd(t, rm); got != want {
			t.Fatalf("Removed.AppendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}
