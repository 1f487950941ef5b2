package plugin

import (
	"net"
	"net/netip"
	"reflect"
	"testing"
)

func sampleState() *Attachment {
	mac, _ := net.ParseMAC("02:11:22:33:44:55")
	return &Attachment{ContainerID: "c1", IfName: "eth0", Netns: "/proc/1/ns/net", Bridge: "cni0", HostIf: "veth0a1b2c3d", HostMAC: mac,
		IPs: []netip.Prefix{netip.MustParsePrefix("10.1.0.5/24"), netip.MustParsePrefix("fd00::5/64")}, IPAM: "host-local", DataDir: "/var/lib/cni/networks",
		Masquerade: []netip.Prefix{netip.MustParsePrefix("10.1.0.5/32")},
		Ports:      []Port{{Proto: "tcp", HostPort: 8080, To: netip.MustParseAddrPort("10.1.0.5:80")}}}
}

func TestStateRoundTrip(t *testing.T) {
	a := sampleState()
	b, err := decodeState(a.AppendJSON(nil))
	if err != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("%v\n%+v\n%+v", err, a, b)
	}
	dir := t.TempDir()
	if err := saveState(dir, "n", a); err != nil {
		t.Fatal(err)
	}
	got, err := loadState(dir, "n", "c1", "eth0")
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Fatalf("load: %v %+v", err, got)
	}
	all, err := listStates(dir, "n")
	if err != nil || len(all) != 1 {
		t.Fatalf("list: %v %v", err, all)
	}
	if err := removeState(dir, "n", "c1", "eth0"); err != nil {
		t.Fatal(err)
	}
	if got, err := loadState(dir, "n", "c1", "eth0"); got != nil || err != nil {
		t.Fatalf("after remove: %v %v", got, err)
	}
}

// FuzzDecodeState: a record that decodes is written back the same.
func FuzzDecodeState(f *testing.F) {
	f.Add(sampleState().AppendJSON(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decodeState(b)
		if err != nil {
			return
		}
		b2 := a.AppendJSON(nil)
		a2, err := decodeState(b2)
		if err != nil {
			t.Fatalf("written record does not decode: %v\n%s", err, b2)
		}
		if b3 := a2.AppendJSON(nil); string(b3) != string(b2) {
			t.Fatalf("round trip changed the record:\n%s\n%s", b2, b3)
		}
	})
}

func TestHostIfName(t *testing.T) {
	a, b := hostIfName("c1", "eth0", 0), hostIfName("c1", "eth0", 1)
	if len(a) != 12 || a[:4] != "veth" || a == b || hostIfName("c1", "eth1", 0) == a {
		t.Errorf("%s %s", a, b)
	}
	if hostIfName("c1", "eth0", 0) != a {
		t.Error("not deterministic")
	}
}
