package cni

import (
	"reflect"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseEnv(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		code int
		msg  string
	}{
		{map[string]string{}, 4, "required env variables [CNI_COMMAND] missing"},
		{map[string]string{"CNI_COMMAND": "ADD"}, 4, "required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME] missing"},
		{map[string]string{"CNI_COMMAND": "DEL", "CNI_CONTAINERID": "c1"}, 4, "required env variables [CNI_IFNAME] missing"},
		{map[string]string{"CNI_COMMAND": "GC"}, 4, "required env variables [CNI_PATH] missing"},
		{map[string]string{"CNI_COMMAND": "FROB"}, 4, "unknown CNI_COMMAND: FROB"},
		{map[string]string{"CNI_COMMAND": "DEL", "CNI_CONTAINERID": "-x", "CNI_IFNAME": "eth0"}, 4, "invalid characters in CNI_CONTAINERID"},
		{map[string]string{"CNI_COMMAND": "DEL", "CNI_CONTAINERID": "c", "CNI_IFNAME": "averyveryverylongname"}, 4, "invalid CNI_IFNAME: interface name is too long (at most 15 bytes)"},
		{map[string]string{"CNI_COMMAND": "DEL", "CNI_CONTAINERID": "c", "CNI_IFNAME": "eth0", "CNI_ARGS": "A=1;B"}, 4, `invalid CNI_ARGS: invalid pair "B"`},
		{map[string]string{"CNI_COMMAND": "STATUS"}, 0, ""},
		{map[string]string{"CNI_COMMAND": "VERSION"}, 0, ""},
		{map[string]string{"CNI_COMMAND": "DEL", "CNI_CONTAINERID": "c.1_x-y", "CNI_IFNAME": "eth0"}, 0, ""},
	} {
		_, e := ParseEnv(envOf(tt.env))
		switch {
		case tt.code == 0 && e != nil:
			t.Errorf("%v: %v", tt.env, e)
		case tt.code != 0 && (e == nil || e.Code != tt.code || e.Msg != tt.msg):
			t.Errorf("%v: got %+v, want code %d %q", tt.env, e, tt.code, tt.msg)
		}
	}
}

func TestKnownArgs(t *testing.T) {
	e := Env{Args: []Arg{{"IP", "10.1.0.9"}, {"K8S_POD_NAME", "x"}}}
	if err := e.KnownArgs("IP", "MAC"); err == nil {
		t.Error("unknown K8S_POD_NAME accepted without IgnoreUnknown")
	}
	e.Args = append(e.Args, Arg{"IgnoreUnknown", "1"})
	if err := e.KnownArgs("IP", "MAC"); err != nil {
		t.Error(err)
	}
	if v, _ := e.Lookup("IP"); v != "10.1.0.9" {
		t.Errorf("IP = %q", v)
	}
}

// FuzzParseArgs: what parses formats back to the same string and pairs.
func FuzzParseArgs(f *testing.F) {
	f.Add("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;IP=10.1.0.9")
	f.Add("A=;=B")
	f.Fuzz(func(t *testing.T, s string) {
		args, err := ParseArgs(s)
		if err != nil {
			return
		}
		if got := FormatArgs(args); got != s {
			t.Fatalf("FormatArgs(ParseArgs(%q)) = %q", s, got)
		}
		again, err := ParseArgs(FormatArgs(args))
		if err != nil || !reflect.DeepEqual(again, args) {
			t.Fatalf("round trip: %v %v %v", err, args, again)
		}
	})
}
