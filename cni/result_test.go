package cni

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nsnet/nsnet/internal/golden"
)

func sampleResult() *Result {
	two := 2
	table, scope := 100, 253
	return &Result{
		Interfaces: []Interface{
			{Name: "cni0", Mac: "0a:58:0a:01:00:01"},
			{Name: "veth1a2b3c4d", Mac: "6e:11:22:33:44:55", Mtu: 1500},
			{Name: "eth0", Mac: "99:88:77:66:55:44", Mtu: 1500, Sandbox: "/var/run/netns/blue"},
		},
		IPs: []IPConfig{
			{Interface: &two, Address: netip.MustParsePrefix("10.1.0.5/16"), Gateway: netip.MustParseAddr("10.1.0.1")},
			{Interface: &two, Address: netip.MustParsePrefix("fd00::5/64")},
		},
		Routes: []Route{
			{Dst: netip.MustParsePrefix("0.0.0.0/0"), GW: netip.MustParseAddr("10.1.0.1")},
			{Dst: netip.MustParsePrefix("10.9.0.0/16"), MTU: 1400, Table: &table, Scope: &scope},
		},
		DNS: DNS{Nameservers: []string{"10.1.0.1"}, Search: []string{"example.com"}},
	}
}

// checkText compares got with the text golden file (rewritten by -update).
func checkText(t *testing.T, path string, got []byte) {
	t.Helper()
	if golden.Update() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\n got %s\nwant %s", path, got, want)
	}
}

// TestResultGolden holds the result of every version to the field order
// and omissions of libcni's types (the goldens were checked against
// libcni v1.3.0 in cnitest, TestResultMatchesLibcni).
func TestResultGolden(t *testing.T) {
	for _, v := range Versions {
		t.Run(v, func(t *testing.T) {
			got := sampleResult().AppendJSON(nil, v)
			checkText(t, filepath.Join("testdata", "result-"+v+".json"), append(got, '\n'))
			r, err := DecodeResult(got, "")
			if err != nil {
				t.Fatal(err)
			}
			if again := r.AppendJSON(nil, v); string(again) != string(got) {
				t.Errorf("round trip changed the result:\n%s\n%s", got, again)
			}
		})
	}
}

func TestResultVersionFields(t *testing.T) {
	r := sampleResult()
	r10, _ := DecodeResult(r.AppendJSON(nil, "1.0.0"), "")
	if r10.Interfaces[1].Mtu != 0 || r10.Routes[1].Table != nil {
		t.Errorf("1.0.0 result carries 1.1.0 fields: %+v %+v", r10.Interfaces[1], r10.Routes[1])
	}
	r11, _ := DecodeResult(r.AppendJSON(nil, "1.1.0"), "")
	if r11.Interfaces[1].Mtu != 1500 || r11.Routes[1].Table == nil || *r11.Routes[1].Table != 100 {
		t.Errorf("1.1.0 result lost its fields: %+v %+v", r11.Interfaces[1], r11.Routes[1])
	}
}

func TestDecodeResultErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"cniVersion":"0.3.1","ips":[{"version":"6","address":"10.1.0.5/16"}]}`, `ips[0].version: want "4" for 10.1.0.5/16, have "6"`},
		{`{"cniVersion":"2.0.0"}`, `unsupported CNI result version "2.0.0"`},
		{`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5"}]}`, `ips[0].address: invalid CIDR address "10.1.0.5"`},
		{`{"cniVersion":"1.0.0","ips":[{"interface":1,"address":"10.1.0.5/24"}]}`, `ips[0].interface: index 1 is not one of the 0 interfaces`},
		{`{"cniVersion":"1.0.0","routes":[{"gw":"10.0.0.1"}]}`, `routes[0].dst: missing`},
		{`{"cniVersion":"1.0.0","interfaces":{}}`, `interfaces: want a list, have an object`},
		{`[]`, `want a result object, have a list`},
	} {
		_, err := DecodeResult([]byte(tt.in), "")
		if err == nil || err.Error() != tt.want {
			t.Errorf("DecodeResult(%s) = %v, want %s", tt.in, err, tt.want)
		}
	}
}

// FuzzDecodeResult: whatever decodes encodes in its version, and that
// decodes again to the same result.
func FuzzDecodeResult(f *testing.F) {
	for _, v := range Versions {
		f.Add(sampleResult().AppendJSON(nil, v))
	}
	f.Add([]byte(`{"ips":[{"address":"10.1.0.5/16","gateway":"10.1.0.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r1, err := DecodeResult(b, "1.0.0")
		if err != nil {
			return
		}
		b2 := r1.AppendJSON(nil, r1.CNIVersion)
		r2, err := DecodeResult(b2, "")
		if err != nil {
			t.Fatalf("encoded result does not decode: %v\n%s", err, b2)
		}
		b3 := r2.AppendJSON(nil, r2.CNIVersion)
		if string(b2) != string(b3) {
			t.Fatalf("round trip changed the result:\n%s\n%s", b2, b3)
		}
		if len(r1.IPs) != len(r2.IPs) || len(r1.Interfaces) != len(r2.Interfaces) || !reflect.DeepEqual(r1.DNS.Nameservers, r2.DNS.Nameservers) && len(r1.DNS.Nameservers) > 0 {
			t.Fatalf("round trip lost entries: %+v %+v", r1, r2)
		}
	})
}
