package cni

import (
	"reflect"
	"testing"
)

func TestErrorJSON(t *testing.T) {
	e := &Error{Code: CodeInvalidEnvironment, Msg: "required env variables [CNI_NETNS,CNI_IFNAME] missing"}
	got := string(e.AppendJSON(nil, "1.1.0"))
	want := `{"cniVersion":"1.1.0","code":4,"msg":"required env variables [CNI_NETNS,CNI_IFNAME] missing"}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	e = &Error{Code: 7, Msg: "Invalid Configuration", Details: "Network 192.168.0.0/31 too small to allocate from."}
	got = string(e.AppendJSON(nil, ""))
	want = `{"code":7,"msg":"Invalid Configuration","details":"Network 192.168.0.0/31 too small to allocate from."}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func FuzzDecodeErrorResult(f *testing.F) {
	f.Add([]byte(`{"cniVersion":"1.1.0","code":7,"msg":"Invalid Configuration","details":"x"}`))
	f.Add([]byte(`{"code":11,"msg":"try again"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, e, err := DecodeErrorResult(b)
		if err != nil {
			return
		}
		b2 := e.AppendJSON(nil, v)
		v2, e2, err := DecodeErrorResult(b2)
		if err != nil || v2 != v || !reflect.DeepEqual(e, e2) {
			t.Fatalf("round trip: %v %q %+v -> %q %+v (%s)", err, v, e, v2, e2, b2)
		}
	})
}
