package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/nsnet/nsnet/topo"
)

// The JSON nsnet prints was written with encoding/json until the binary
// dropped it for its size; writeJSON must print the same bytes. The
// reference below is that code: refObj is the old jobj with its
// MarshalJSON, and refWriteJSON the old writeJSON.

type refObj []jfield

func (o refObj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := refEncode(&b, f.k); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := refEncode(&b, f.v); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func refEncode(b *bytes.Buffer, v any) error {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ref(v)); err != nil {
		return err
	}
	b.Write(bytes.TrimSuffix(tmp.Bytes(), []byte("\n")))
	return nil
}

// ref turns the values writeJSON takes into what encoding/json was given:
// jobj as refObj, and jlist as the plain slice.
func ref(v any) any {
	switch v := v.(type) {
	case jobj:
		o := refObj{}
		for _, f := range v {
			o = append(o, jfield{f.k, ref(f.v)})
		}
		return o
	case []jobj:
		if v == nil {
			return []refObj(nil)
		}
		l := []refObj{}
		for _, o := range v {
			l = append(l, ref(o).(refObj))
		}
		return l
	case jlist[topo.Step]:
		return []topo.Step(v)
	case jlist[topo.Item]:
		return []topo.Item(v)
	case jlist[topo.Removed]:
		return []topo.Removed(v)
	}
	return v
}

func refWriteJSON(t *testing.T, o opts, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := refEncode(&b, v); err != nil {
		t.Fatal(err)
	}
	if o.pretty {
		var ind bytes.Buffer
		if err := json.Indent(&ind, b.Bytes(), "", "    "); err != nil {
			t.Fatal(err)
		}
		b = ind
	}
	b.WriteByte('\n')
	return b.String()
}

func randomText(r *rand.Rand) string {
	pool := []string{"", "eth0", "a<b>&c", "q\"\\s/", "\x01\t\n\x7f", "x\xffy", "l\u2028p\u2029", "hé €\U0001F600", "{\"[,:]}"}
	return pool[r.IntN(len(pool))]
}

// randomValue is any value writeJSON is given, nested up to depth.
func randomValue(r *rand.Rand, depth int) any {
	n := 18
	if depth == 0 {
		n = 15 // no objects or lists
	}
	switch r.IntN(n) {
	case 0:
		return nil
	case 1:
		return randomText(r)
	case 2:
		return r.IntN(2) == 0
	case 3:
		return int(r.Int64())
	case 4:
		return int8(r.Int32())
	case 5:
		return int16(r.Int32())
	case 6:
		return r.Int32() - 1<<30
	case 7:
		return r.Int64() - 1<<62
	case 8:
		return uint(r.Uint64())
	case 9:
		return uint8(r.Uint32())
	case 10:
		return uint16(r.Uint32())
	case 11:
		return r.Uint32()
	case 12:
		return r.Uint64()
	case 13:
		return []string{randomText(r), randomText(r)}[:r.IntN(3)]
	case 14:
		return [][]string{nil, {}}[r.IntN(2)]
	case 15:
		return randomObj(r, depth-1)
	case 16:
		l := [][]jobj{nil, {}}[r.IntN(2)]
		for range r.IntN(3) {
			l = append(l, randomObj(r, depth-1))
		}
		return l
	}
	return jlist[topo.Removed]([][]topo.Removed{nil, {}, {{Kind: topo.KindNetns, Object: randomText(r)}}}[r.IntN(3)])
}

func randomObj(r *rand.Rand, depth int) jobj {
	var o jobj
	for range r.IntN(4) {
		o.add(randomText(r), randomValue(r, depth))
	}
	return o
}

func TestWriteJSONAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	steps := []topo.Step{{Action: topo.Create, Kind: topo.KindVeth, NS: "red", Object: "a<b>", Commands: []string{"ip link add x"}}, {Action: topo.Conflict, Detail: "d\u2028"}}
	fixed := []any{
		&topo.PlanResult{}, &topo.PlanResult{Steps: steps},
		jobj{{"changed", jlist[topo.Step](steps[:0])}, {"plan", jlist[topo.Step](nil)}},
		jobj{{"items", jlist[topo.Item]{{Check: "c", Object: "o&", Status: topo.Fail, Fix: "nsnet x"}}}, {"ok", false}},
		statusItem{"ok", "veth", "red", "veth-red", ""}.jobj(), statusItem{"differs", "route", "", "default", "via x"}.jobj(),
	}
	for i := range 3000 {
		var v any
		if i < len(fixed) {
			v = fixed[i]
		} else {
			v = randomValue(r, 3)
		}
		for _, o := range []opts{{}, {pretty: true}} {
			var b bytes.Buffer
			if err := writeJSON(&b, o, v); err != nil {
				t.Fatal(err)
			}
			if want := refWriteJSON(t, o, v); b.String() != want {
				t.Fatalf("writeJSON(%#v):\n%s\nencoding/json:\n%s", v, b.String(), want)
			}
		}
	}
}

// TestStatusItemJSON: status -j prints its items as it did from a struct
// with json tags.
func TestStatusItemJSON(t *testing.T) {
	type tagged struct {
		State  string `json:"state"`
		Kind   string `json:"kind"`
		NS     string `json:"netns,omitempty"`
		Object string `json:"object"`
		Detail string `json:"detail,omitempty"`
	}
	for _, it := range []statusItem{{"ok", "netns", "red", "red", ""}, {"missing", "veth", "", "x", "d"}, {}} {
		var got bytes.Buffer
		if err := writeJSON(&got, opts{}, it.jobj()); err != nil {
			t.Fatal(err)
		}
		if want := refWriteJSON(t, opts{}, tagged{it.state, it.kind, it.ns, it.object, it.detail}); got.String() != want {
			t.Errorf("got %s want %s", got.String(), want)
		}
	}
}

func TestWriteJSONUnsupported(t *testing.T) {
	var b bytes.Buffer
	if err := writeJSON(&b, opts{}, jobj{{"f", 1.5}}); err == nil || b.Len() != 0 {
		t.Fatalf("a float64: wrote %q, error %v; want nothing written and an error", b.String(), err)
	}
}
