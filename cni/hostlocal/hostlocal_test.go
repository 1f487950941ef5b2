package hostlocal

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nsnet/nsnet/cni"
)

func conf(t testing.TB, ipam string) *cni.NetConf {
	t.Helper()
	c, err := cni.DecodeConf([]byte(`{"cniVersion":"1.0.0","name":"net1","type":"nsnet","ipam":` + ipam + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func decode(t testing.TB, ipam string, env *cni.Env) *Config {
	t.Helper()
	if env == nil {
		env = &cni.Env{}
	}
	cfg, err := Decode(conf(t, ipam), env)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestCanonicalize(t *testing.T) {
	cfg := decode(t, `{"type":"host-local","subnet":"10.1.2.0/24","ranges":[[{"subnet":"fd00::/120","rangeStart":"fd00::10"}]]}`, nil)
	want := []RangeSet{
		{{Subnet: netip.MustParsePrefix("10.1.2.0/24"), RangeStart: netip.MustParseAddr("10.1.2.1"), RangeEnd: netip.MustParseAddr("10.1.2.254"), Gateway: netip.MustParseAddr("10.1.2.1")}},
		{{Subnet: netip.MustParsePrefix("fd00::/120"), RangeStart: netip.MustParseAddr("fd00::10"), RangeEnd: netip.MustParseAddr("fd00::ff"), Gateway: netip.MustParseAddr("fd00::1")}},
	}
	if !reflect.DeepEqual(cfg.Ranges, want) {
		t.Errorf("ranges = %+v", cfg.Ranges)
	}
	if cfg.DataDir != DefaultDataDir || cfg.Network != "net1" {
		t.Errorf("dataDir %q network %q", cfg.DataDir, cfg.Network)
	}
}

// TestDecodeErrors: host-local's own messages, code 7.
func TestDecodeErrors(t *testing.T) {
	for _, tt := range []struct{ ipam, msg string }{
		{`{"type":"host-local"}`, "no IP ranges specified"},
		{`{"subnet":"10.1.2.0/31"}`, "invalid range set 0: Network 10.1.2.0/31 too small to allocate from"},
		{`{"subnet":"10.1.2.3/24"}`, "invalid range set 0: Network has host bits set. For a subnet mask of length 24 the network address is 10.1.2.0"},
		{`{"subnet":"10.1.2.0/24","rangeStart":"10.1.3.1"}`, "invalid range set 0: RangeStart 10.1.3.1 not in network 10.1.2.0/24"},
		{`{"subnet":"10.1.2.0/24","rangeEnd":"10.1.3.1"}`, "invalid range set 0: RangeEnd 10.1.3.1 not in network 10.1.2.0/24"},
		{`{"ranges":[[{"subnet":"10.1.2.0/24"},{"subnet":"fd00::/64"}]]}`, "invalid range set 0: mixed address families"},
		{`{"ranges":[[{"subnet":"10.1.2.0/24"},{"subnet":"10.1.2.0/25"}]]}`, "invalid range set 0: subnets 10.1.2.1-10.1.2.254 and 10.1.2.1-10.1.2.126 overlap"},
		{`{"ranges":[[{"subnet":"10.1.2.0/24"}],[{"subnet":"10.1.0.0/16"}]]}`, "range set 0 overlaps with 1"},
		{`{"ranges":[[]]}`, "invalid range set 0: empty range set"},
	} {
		_, err := Decode(conf(t, tt.ipam), &cni.Env{})
		var ce *cni.Error
		if !errors.As(err, &ce) || ce.Code != cni.CodeInvalidConfig || ce.Msg != tt.msg {
			t.Errorf("%s: %v, want %q", tt.ipam, err, tt.msg)
		}
	}
}

func TestRequested(t *testing.T) {
	env := &cni.Env{Args: []cni.Arg{{Key: "IP", Value: "10.1.2.7"}}}
	c := conf(t, `{"subnet":"10.1.2.0/24"}`)
	c.ArgsIPs = []netip.Addr{netip.MustParseAddr("fd00::7")}
	c.RuntimeConfig.IPs = []netip.Addr{netip.MustParseAddr("10.1.2.8")}
	cfg, err := Decode(c, env)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Addr{netip.MustParseAddr("10.1.2.7"), netip.MustParseAddr("fd00::7"), netip.MustParseAddr("10.1.2.8")}
	if !reflect.DeepEqual(cfg.Requested, want) {
		t.Errorf("requested %v", cfg.Requested)
	}
}

func open(t testing.TB, cfg *Config) *Store {
	t.Helper()
	s, err := Open(cfg.DataDir, cfg.Network)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestLayout: the files host-local writes, byte for byte.
func TestLayout(t *testing.T) {
	dir := t.TempDir()
	cfg := decode(t, `{"subnet":"10.1.2.0/24","dataDir":"`+dir+`"}`, nil)
	s := open(t, cfg)
	got, err := Allocate(s, cfg, " ctr1 ", "eth0")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Address.String() != "10.1.2.2/24" || got[0].Gateway.String() != "10.1.2.1" {
		t.Fatalf("allocated %+v", got)
	}
	for name, want := range map[string]string{"10.1.2.2": "ctr1\r\neth0", "last_reserved_ip.0": "10.1.2.2", "lock": ""} {
		b, err := os.ReadFile(filepath.Join(dir, "net1", name))
		if err != nil || string(b) != want {
			t.Errorf("%s: %q %v, want %q", name, b, err, want)
		}
	}
	fi, _ := os.Stat(filepath.Join(dir, "net1", "10.1.2.2"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("reservation mode %v", fi.Mode())
	}
}

// TestRoundRobin follows host-local's iterator: after the last
// reservation, around the end, skipping the gateway, until exhausted.
func TestRoundRobin(t *testing.T) {
	dir := t.TempDir()
	cfg := decode(t, `{"ranges":[[{"subnet":"10.1.2.0/29","gateway":"10.1.2.3"}]],"dataDir":"`+dir+`"}`, nil)
	s := open(t, cfg)
	var got []string
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		as, err := Allocate(s, cfg, id, "eth0")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, as[0].Address.Addr().String())
	}
	// 10.1.2.1..6, gateway .3 skipped
	if want := []string{"10.1.2.1", "10.1.2.2", "10.1.2.4", "10.1.2.5", "10.1.2.6"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("allocated %v, want %v", got, want)
	}
	_, err := Allocate(s, cfg, "f", "eth0")
	var ce *cni.Error
	if !errors.As(err, &ce) || ce.Code != CodeExhausted || ce.Msg != "failed to allocate for range 0: no IP addresses available in range set: 10.1.2.1-10.1.2.6" {
		t.Fatalf("exhausted: %v", err)
	}
	// free .2: the next one is .2 (round robin wraps from .6)
	if err := s.Release(netip.MustParseAddr("10.1.2.2"), "b", "eth0"); err != nil {
		t.Fatal(err)
	}
	as, err := Allocate(s, cfg, "g", "eth0")
	if err != nil || as[0].Address.Addr().String() != "10.1.2.2" {
		t.Fatalf("after release: %v %v", as, err)
	}
}

func TestRequestedAndRelease(t *testing.T) {
	dir := t.TempDir()
	env := &cni.Env{Args: []cni.Arg{{Key: "IP", Value: "10.1.2.9"}}}
	cfg := decode(t, `{"subnet":"10.1.2.0/24","ranges":[[{"subnet":"fd00::/120"}]],"dataDir":"`+dir+`"}`, env)
	s := open(t, cfg)
	as, err := Allocate(s, cfg, "a", "eth0")
	if err != nil || len(as) != 2 || as[0].Address.String() != "10.1.2.9/24" || as[1].Address.String() != "fd00::2/120" {
		t.Fatalf("%v %v", as, err)
	}
	if _, err := Allocate(s, cfg, "b", "eth0"); err == nil {
		t.Fatal("a taken requested address was allocated again")
	}
	// a failure leaves nothing: b got no IPv6 address either
	if ips, _ := s.ByID("b", "eth0"); len(ips) != 0 {
		t.Errorf("failed allocation left %v", ips)
	}
	env.Args = []cni.Arg{{Key: "IP", Value: "10.1.2.1"}}
	cfg = decode(t, `{"subnet":"10.1.2.0/24","dataDir":"`+dir+`"}`, env)
	if _, err := Allocate(s, cfg, "c", "eth0"); err == nil || err.Error() != "failed to allocate for range 0: requested ip 10.1.2.1 is subnet's gateway" {
		t.Errorf("gateway requested: %v", err)
	}
	env.Args = []cni.Arg{{Key: "IP", Value: "10.9.9.9"}}
	cfg = decode(t, `{"subnet":"10.1.2.0/24","dataDir":"`+dir+`"}`, env)
	if _, err := Allocate(s, cfg, "c", "eth0"); err == nil || err.Error() != "failed to allocate all requested IPs: 10.9.9.9" {
		t.Errorf("requested outside: %v", err)
	}
	if err := s.ReleaseByID("a", "eth0"); err != nil {
		t.Fatal(err)
	}
	rs, err := s.List()
	if err != nil || len(rs) != 0 {
		t.Errorf("left %v %v", rs, err)
	}
}

// TestOldFormat: files of host-local before 0.7 hold the ID only.
func TestOldFormat(t *testing.T) {
	dir := t.TempDir()
	cfg := decode(t, `{"subnet":"10.1.2.0/24","dataDir":"`+dir+`"}`, nil)
	s := open(t, cfg)
	os.WriteFile(filepath.Join(dir, "net1", "10.1.2.50"), []byte("old\n"), 0o600)
	rs, _ := s.List()
	if len(rs) != 1 || rs[0].ContainerID != "old" || rs[0].IfName != "" {
		t.Fatalf("%+v", rs)
	}
	if err := s.ReleaseByID("old", "eth0"); err != nil {
		t.Fatal(err)
	}
	if rs, _ := s.List(); len(rs) != 0 {
		t.Fatalf("left %+v", rs)
	}
}

// FuzzDecode: a decoded configuration is canonical: decoding its ranges
// again changes nothing, and every range holds its start and end.
func FuzzDecode(f *testing.F) {
	f.Add(`{"type":"host-local","subnet":"10.1.2.0/24","gateway":"10.1.2.254","routes":[{"dst":"0.0.0.0/0"}]}`)
	f.Add(`{"ranges":[[{"subnet":"10.1.0.0/24","rangeStart":"10.1.0.10","rangeEnd":"10.1.0.20"},{"subnet":"10.1.1.0/24"}],[{"subnet":"fd00::/64"}]]}`)
	f.Fuzz(func(t *testing.T, ipam string) {
		c, err := cni.DecodeConf([]byte(`{"cniVersion":"1.0.0","name":"n","ipam":` + ipam + `}`))
		if err != nil {
			return
		}
		cfg, err := Decode(c, &cni.Env{})
		if err != nil {
			return
		}
		for i, set := range cfg.Ranges {
			again := append(RangeSet(nil), set...)
			if err := again.canonicalize(); err != nil || !reflect.DeepEqual(again, set) {
				t.Fatalf("set %d not canonical: %v %+v %+v", i, err, set, again)
			}
			for _, r := range set {
				if !r.Contains(r.RangeStart) || !r.Contains(r.RangeEnd) {
					t.Fatalf("range %+v does not hold its ends", r)
				}
			}
		}
	})
}

// FuzzParseOwner: a reservation's content reads back as written.
func FuzzParseOwner(f *testing.F) {
	f.Add("ctr1", "eth0")
	f.Fuzz(func(t *testing.T, id, ifname string) {
		if !cni.ValidContainerID(id) || cni.ValidIfName(ifname) != nil {
			return
		}
		gid, gif := parseOwner(owner(id, ifname))
		if gid != id || gif != ifname {
			t.Fatalf("(%q, %q) read back as (%q, %q)", id, ifname, gid, gif)
		}
	})
}
