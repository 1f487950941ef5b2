package bench

import (
	"encoding/binary"
	"encoding/xml"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestSummarize(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	s := Summarize(ms(5, 1, 3, 2, 4))
	if s.Median != 3*time.Millisecond || s.Min != time.Millisecond || s.Max != 5*time.Millisecond || s.Total != 15*time.Millisecond || s.P95 != 5*time.Millisecond {
		t.Errorf("Summarize = %+v", s)
	}
	if m := Median(ms(4, 1, 3, 2)); m != 2500*time.Microsecond {
		t.Errorf("Median of even count = %v, want 2.5ms", m)
	}
	// p95 by nearest rank: 20 values 1..20 -> the 19th.
	var twenty []int
	for i := 20; i >= 1; i-- {
		twenty = append(twenty, i)
	}
	if p := Summarize(ms(twenty...)).P95; p != 19*time.Millisecond {
		t.Errorf("p95 of 1..20 = %v, want 19ms", p)
	}
	if sp := Spread(ms(9, 10, 11)); sp < 0.199 || sp > 0.201 {
		t.Errorf("Spread = %v, want 0.2", sp)
	}
	if Spread(ms(7)) != 0 || Median(nil) != 0 || Summarize(nil).N != 0 {
		t.Error("empty and single inputs must give zeros")
	}
}

func TestSVGIsWellFormed(t *testing.T) {
	series := []Series{
		{Name: "a & <b>", Points: map[int]time.Duration{1: time.Millisecond, 10: 2 * time.Millisecond, 100: 40 * time.Millisecond}},
		{Name: "c", Points: map[int]time.Duration{1: 100 * time.Microsecond, 100: 200 * time.Microsecond}},
	}
	out := SVG("t", []int{1, 10, 100}, series)
	d := xml.NewDecoder(strings.NewReader(out))
	polylines := 0
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v\n%s", err, out)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			polylines++
		}
	}
	if polylines != 2 {
		t.Errorf("%d polylines, want one per series (2)", polylines)
	}
}

// TestVethAddMessage decodes the floor's one RTM_NEWLINK and checks the
// attributes DESIGN.md asks for: host end up, enslaved; peer named, in the
// namespace, not up.
func TestVethAddMessage(t *testing.T) {
	m := vethAdd("vh1", 7, "eth0", 42, false, false)
	binary.NativeEndian.PutUint32(m.b, uint32(len(m.b)))
	b := m.b
	if got := binary.NativeEndian.Uint16(b[4:]); got != unix.RTM_NEWLINK {
		t.Fatalf("type %d", got)
	}
	if fl := binary.NativeEndian.Uint16(b[6:]); fl&(unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK) != unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK {
		t.Errorf("flags %#x", fl)
	}
	ifi := b[nlmsgHdrLen:]
	if binary.NativeEndian.Uint32(ifi[8:]) != unix.IFF_UP || binary.NativeEndian.Uint32(ifi[12:]) != unix.IFF_UP {
		t.Error("host end not created up")
	}
	attrs := parseAttrs(t, ifi[unix.SizeofIfInfomsg:])
	if string(attrs[unix.IFLA_IFNAME]) != "vh1\x00" || binary.NativeEndian.Uint32(attrs[unix.IFLA_MASTER]) != 7 {
		t.Errorf("name/master wrong: %q %v", attrs[unix.IFLA_IFNAME], attrs[unix.IFLA_MASTER])
	}
	info := parseAttrs(t, attrs[unix.IFLA_LINKINFO])
	if string(info[unix.IFLA_INFO_KIND]) != "veth\x00" {
		t.Errorf("kind %q", info[unix.IFLA_INFO_KIND])
	}
	peer := parseAttrs(t, info[unix.IFLA_INFO_DATA])[vethInfoPeer]
	if binary.NativeEndian.Uint32(peer[8:]) != 0 {
		t.Error("peer must not be up (ENOTCONN)")
	}
	pa := parseAttrs(t, peer[unix.SizeofIfInfomsg:])
	if string(pa[unix.IFLA_IFNAME]) != "eth0\x00" || binary.NativeEndian.Uint32(pa[unix.IFLA_NET_NS_FD]) != 42 {
		t.Errorf("peer attrs %v", pa)
	}
	if down := vethAdd("vh1", 7, "eth0", 42, true, true).b[nlmsgHdrLen+8]; down != 0 {
		t.Error("down variant created up")
	}
}

func parseAttrs(t *testing.T, b []byte) map[uint16][]byte {
	t.Helper()
	out := map[uint16][]byte{}
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			t.Fatalf("bad attribute length %d of %d", l, len(b))
		}
		out[binary.NativeEndian.Uint16(b[2:])&^unix.NLA_F_NESTED] = b[4:l]
		b = b[min(len(b), (l+3)&^3):]
	}
	return out
}

func TestEnvNames(t *testing.T) {
	e := &Env{GW: netip.MustParsePrefix("10.0.0.1/16")}
	if a := e.Addr(0); a.String() != "10.0.0.2/16" {
		t.Errorf("Addr(0) = %v", a)
	}
	if a := e.Addr(999); a.String() != "10.0.3.233/16" {
		t.Errorf("Addr(999) = %v", a)
	}
	seen := map[netip.Addr]bool{e.GW.Addr(): true}
	for i := range 5000 {
		a := e.Addr(i).Addr()
		if seen[a] || !e.GW.Contains(a) {
			t.Fatalf("Addr(%d) = %v collides or leaves %v", i, a, e.GW)
		}
		seen[a] = true
	}
}

func TestMarkdownTargets(t *testing.T) {
	w := func(k string) Way { return Way{Key: k, Name: k} }
	r := Results{Sizes: []int{100}}
	for _, s := range []struct {
		k string
		d time.Duration
	}{{"ip", 40 * time.Millisecond}, {"vish-docker", 20 * time.Millisecond}, {"raw", time.Millisecond}, {"nsnet", 1100 * time.Microsecond}, {"nsnet-up", 2500 * time.Microsecond}} {
		r.Setup = append(r.Setup, SetupStats{Way: w(s.k), N: 100, Rounds: 3, PerNS: s.d, P95: s.d, Bulk: s.k == "nsnet-up"})
	}
	r.Size = []SizeRow{{Name: NsnetSize, Bytes: 4 << 20}, {Name: HelloSize, Bytes: 1 << 20}, {Name: StdOnlySize, Bytes: 5 << 19}}
	md := r.Markdown()
	for _, want := range []string{
		"| N=100: `ip` per step / nsnet | ≥ 20 | 36.4 | met |",
		"| N=100: nsnet / raw floor | ≤ 1.2 | 1.1 | met |",
		"| N=100: `ip` per step / `nsnet up` (CLI) | ≥ 20 | 16 | missed |",
		"| N=100: `nsnet up` (CLI) / raw floor | ≤ 1.2 | 2.5 | missed |",
		"| nsnet binary, MB | ≤ 3 | 4 | missed — floors: static Go hello world 1.00 MB; Go binary with only the standard library nsnet uses 2.50 MB (nsnet's own code and modules: 1.50 MB) |",
		"| ip | 40 ms | 40 ms |", "×36"} {
		if !strings.Contains(md, want) {
			t.Errorf("RESULTS.md lacks %q:\n%s", want, md)
		}
	}
}

func TestSpreadDropsExtremes(t *testing.T) {
	d := []time.Duration{1, 10, 10, 10, 11, 1000}
	if sp := Spread(d); sp < 0.099 || sp > 0.101 {
		t.Errorf("Spread = %v, want 0.1 (1 and 1000 dropped)", sp)
	}
}

func TestDurNoExponent(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{999400 * time.Nanosecond, "999 µs"}, {999600 * time.Nanosecond, "1 ms"}, {999600 * time.Microsecond, "1 s"}, {1500 * time.Microsecond, "1.5 ms"}, {42 * time.Microsecond, "42 µs"}} {
		if got := Dur(c.d); got != c.want {
			t.Errorf("Dur(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
