package topo

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/topo/internal/filefmt"
)

// The hand-written decode must do exactly what decodeRef (encoding/json
// and reflect) did: the same Topology and lines for a good file, the same
// message for a bad one. The one difference allowed is in syntax errors:
// decode reports the line of the offending byte (decodeRef computed it
// from an offset that counted only the strings and numbers read so far,
// so an error inside a string or number was often placed lines too
// early), and after a '{' it says what it was looking for, as
// encoding/json's other messages do.
func checkDecodeAgrees(t *testing.T, data []byte) {
	t.Helper()
	want, wantLines, wantErr := decodeRef("f.json", data)
	got, err := decode("f.json", data)
	switch {
	case wantErr == nil && err == nil:
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded\n%#v\nencoding/json decoded\n%#v", got, want)
		}
		all := map[string]bool{}
		for p := range wantLines {
			all[p] = true
		}
		if lines := fileLines(data, all); !reflect.DeepEqual(lines, wantLines) {
			t.Fatalf("fileLines\n%v\nencoding/json's offsets give\n%v", lines, wantLines)
		}
		return
	case wantErr == nil:
		t.Fatalf("error %v, encoding/json decoded the file", err)
	case err == nil:
		t.Fatalf("decoded the file, encoding/json's error: %v", wantErr)
	}
	if err.Error() == wantErr.Error() {
		return
	}
	var ie, wantIE *InvalidError
	if !errors.As(err, &ie) || !errors.As(wantErr, &wantIE) {
		t.Fatalf("error %v\nencoding/json's error %v", err, wantErr)
	}
	p, wp := ie.Problems[0], wantIE.Problems[0]
	const syntax = "invalid JSON: "
	if !strings.HasPrefix(wp.Msg, syntax) || wp.Msg == syntax+"unexpected end of file" || !strings.HasPrefix(p.Msg, wp.Msg) {
		t.Fatalf("error %v\nencoding/json's error %v", err, wantErr)
	}
	var se *json.SyntaxError
	var x any
	if !errors.As(json.Unmarshal(data, &x), &se) || syntax+se.Error() != p.Msg {
		t.Fatalf("error %v\nencoding/json.Unmarshal's error %v", err, se)
	}
	if line := strings.Count(string(data[:se.Offset-1]), "\n") + 1; p.Line != line {
		t.Fatalf("error %v: the offending byte is on line %d", err, line)
	}
}

func FuzzDecodeAgrees(f *testing.F) {
	f.Add(Seed())
	if b, err := os.ReadFile("../testdata/topo_router.json"); err == nil {
		f.Add(b)
	}
	for _, s := range decodeCases {
		f.Add([]byte(s))
	}
	f.Fuzz(checkDecodeAgrees)
}

// decodeCases are files with each kind of problem decode reports.
var decodeCases = []string{
	"", " \n", "{", "null", "[]", `"x"`, "1", "01", "{}x", "{} {}", "{}\n\n]", "nullx", "truex",
	`{"host": 1}`, `{"host": -`, `{"host": 1`, `{"namespace": []}`, "{\"host\": {},\n\"host\": {}}", `{"Namespaces": []}`,
	`{"namespaces": [{"name": 5}]}`, `{"namespaces": [{"name": {}}]}`, `{"namespaces": [null, {"name": null}], "bridges": null}`,
	`{"bridges": [{"name": "b", "mtu": -1}]}`, `{"bridges": [{"name": "b", "mtu": 1.5}]}`, `{"bridges": [{"mtu": 1e2}]}`,
	`{"bridges": [{"mtu": 99999999999999999999}]}`, `{"bridges": [{"mtu": -0}]}`, `{"bridges": [{"addresses": []}]}`,
	`{"host": {"routes": [{"to": "default", "metric": -1}]}}`, `{"host": {"routes": [{"metric": 4294967296}]}}`,
	`{"host": {"routes": [{"metric": 4294967295}]}}`, `{"host": {"routes": [{"metric": -0}]}}`,
	`{"nat": {"forward": [{"proto": "tcp", "port": "80", "to": "1.2.3.4:80"}]}}`,
	`{"nat": {"forward": [{"port": true}], "masquerade": [{"src": 1}]}}`,
	`{"veths": [{"name": "a", "peer": {"name": "b", "brige": "x"}}]}`, `{"veths": [{"name": "a", "peer": "b"}]}`,
	`{"veths": [{"name": true, "peer": null}]}`, `{"veths": [{"addresses": ["1.2.3.4/24", 5]}]}`,
	`{"veths": [{"peer": {"addresses": [false]}}]}`, `{"veths": [{"End": {}}]}`,
	`{"host": {"forwarding": "yes"}}`, `{"host": {"forwarding": 1}, "namespaces": {}}`,
	"{\n\"host\": {,}}", "{\n  \"namespaces\": [\n    {\"name\": 'red'}]}", "{\"namespaces\": [{\"name\": \"a\x01\"}]}",
	`{"namespaces": [{"name": "\ud800"}]}`, "{\"namespaces\": [{\"name\": \"\xff\"}]}", `{1}`, `{"host" 1}`,
	`{"foo": tru`, `{"host": {"forwarding": true}, "nat": {"masquerade": [{"src": "x", "oif": ]}}`,
	"{\"namespaces\": [{\"name\": \"a\", \"name\": 1 x", `{"bridges": [{"mtu": "x"}], "veths": 5}`,
	`{"bridges": [{"mtu": "x"}], "veths": [}`, `{"bridges": [{"mtu": "x"}]} x`,
	"{\"host\":\n{\"routes\":\n\n[\n{\"to\":\n\"x\"}]}}", // values on other lines than their keys
}

func TestDecodeAgrees(t *testing.T) {
	cases := append([]string{string(Seed())}, decodeCases...)
	if b, err := os.ReadFile("../testdata/topo_router.json"); err == nil {
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		t.Run("", func(t *testing.T) { checkDecodeAgrees(t, []byte(s)) })
	}
}

// TestDecodeFieldLists: the field lists decode checks against are those
// of the json tags.
func TestDecodeFieldLists(t *testing.T) {
	for _, tt := range []struct {
		typ    reflect.Type
		fields []string
	}{
		{reflect.TypeFor[filefmt.Topology](), topologyFields},
		{reflect.TypeFor[filefmt.Host](), hostFields},
		{reflect.TypeFor[filefmt.Namespace](), namespaceFields},
		{reflect.TypeFor[filefmt.Route](), routeFields},
		{reflect.TypeFor[filefmt.Bridge](), bridgeFields},
		{reflect.TypeFor[filefmt.Veth](), vethFields},
		{reflect.TypeFor[filefmt.End](), endFields},
		{reflect.TypeFor[filefmt.NAT](), natFields},
		{reflect.TypeFor[filefmt.Masquerade](), masqueradeFields},
		{reflect.TypeFor[filefmt.Forward](), forwardFields},
	} {
		if want := refSortedKeys(refJSONFields(tt.typ)); !reflect.DeepEqual(tt.fields, want) {
			t.Errorf("%s: decode knows %v, the json tags say %v", tt.typ, tt.fields, want)
		}
	}
}

// randomString draws from strings that exercise escaping and omitempty.
func randomString(r *rand.Rand) string {
	pool := []string{"", "", "red", "veth-red", "192.168.15.0/24", "default", "a<b>&c", "q\"\\s/", "\x01\t\n\x7f", "x\xffy", "l\u2028p\u2029", "hé €\U0001F600"}
	return pool[r.IntN(len(pool))]
}

func randomStrings(r *rand.Rand) []string {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	s := make([]string, 1+r.IntN(3))
	for i := range s {
		s[i] = randomString(r)
	}
	return s
}

// randomPrefix draws interface addresses and destinations, the zero
// Prefix (written "") and the IPv4 default route ("default") included.
func randomPrefix(r *rand.Rand) netip.Prefix {
	pool := []netip.Prefix{{}, {}, netip.MustParsePrefix("192.168.15.1/24"), netip.MustParsePrefix("192.168.1.0/24"),
		netip.MustParsePrefix("fd00::1/64"), netip.MustParsePrefix("10.0.0.1/32"), defaultRoute, netip.MustParsePrefix("::/0")}
	return pool[r.IntN(len(pool))]
}

func randomAddr(r *rand.Rand) netip.Addr {
	pool := []netip.Addr{{}, {}, netip.MustParseAddr("192.168.15.5"), netip.MustParseAddr("fd00::5")}
	return pool[r.IntN(len(pool))]
}

func randomAddrPort(r *rand.Rand) netip.AddrPort {
	pool := []netip.AddrPort{{}, netip.MustParseAddrPort("192.168.15.2:80"), netip.MustParseAddrPort("[fd00::2]:8080")}
	return pool[r.IntN(len(pool))]
}

// randomList returns nil, an empty list or a few elements made by elem.
func randomList[T any](r *rand.Rand, elem func(*rand.Rand) T) []T {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []T{}
	}
	s := make([]T, 1+r.IntN(3))
	for i := range s {
		s[i] = elem(r)
	}
	return s
}

func randomInt(r *rand.Rand) int {
	return []int{0, 0, 1, -1, 1500, 65535, 1 << 40, -1 << 62}[r.IntN(8)]
}

func randomRoute(r *rand.Rand) Route {
	return Route{To: randomPrefix(r), Via: randomAddr(r), Dev: randomString(r), Metric: []uint32{0, 0, 7, 1<<32 - 1}[r.IntN(4)]}
}

func randomEnd(r *rand.Rand) End {
	return End{Name: randomString(r), Netns: randomString(r), Bridge: randomString(r), Addresses: randomList(r, randomPrefix)}
}

// randomTopology fills every field of the file format, some empty.
func randomTopology(r *rand.Rand) *Topology {
	return &Topology{
		Host: Host{Forwarding: r.IntN(2) == 0, Routes: randomList(r, randomRoute)},
		Namespaces: randomList(r, func(r *rand.Rand) Namespace {
			return Namespace{Name: randomString(r), Forwarding: r.IntN(2) == 0, Routes: randomList(r, randomRoute)}
		}),
		Bridges: randomList(r, func(r *rand.Rand) Bridge {
			return Bridge{Name: randomString(r), Addresses: randomList(r, randomPrefix), MTU: randomInt(r)}
		}),
		Veths: randomList(r, func(r *rand.Rand) Veth { return Veth{End: randomEnd(r), Peer: randomEnd(r)} }),
		NAT: NAT{
			Masquerade: randomList(r, func(r *rand.Rand) firewall.Masquerade {
				return firewall.Masquerade{Src: randomPrefix(r), OutIface: randomString(r)}
			}),
			Forward: randomList(r, func(r *rand.Rand) firewall.Forward {
				return firewall.Forward{Proto: randomString(r), Port: []uint16{0, 1, 80, 65535}[r.IntN(4)], To: randomAddrPort(r), InIface: randomString(r)}
			}),
		},
	}
}

// fileForm is t in the file's strings, as the file writes each typed
// value: a zero value is "", IPv4's 0.0.0.0/0 destination is "default".
func fileForm(t *Topology) *filefmt.Topology {
	str := func(s fmt.Stringer, valid bool) string {
		if !valid {
			return ""
		}
		return s.String()
	}
	prefixes := func(in []netip.Prefix) []string {
		return refMap(in, func(_ int, p netip.Prefix) string { return str(p, p.IsValid()) })
	}
	routes := func(in []Route) []filefmt.Route {
		return refMap(in, func(_ int, r Route) filefmt.Route {
			to := str(r.To, r.To.IsValid())
			if r.To == netip.MustParsePrefix("0.0.0.0/0") {
				to = "default"
			}
			return filefmt.Route{To: to, Via: str(r.Via, r.Via.IsValid()), Dev: r.Dev, Metric: r.Metric}
		})
	}
	end := func(e End) filefmt.End {
		return filefmt.End{Name: e.Name, Netns: e.Netns, Bridge: e.Bridge, Addresses: prefixes(e.Addresses)}
	}
	return &filefmt.Topology{
		Host: filefmt.Host{Forwarding: t.Host.Forwarding, Routes: routes(t.Host.Routes)},
		Namespaces: refMap(t.Namespaces, func(_ int, n Namespace) filefmt.Namespace {
			return filefmt.Namespace{Name: n.Name, Forwarding: n.Forwarding, Routes: routes(n.Routes)}
		}),
		Bridges: refMap(t.Bridges, func(_ int, b Bridge) filefmt.Bridge {
			return filefmt.Bridge{Name: b.Name, Addresses: prefixes(b.Addresses), MTU: b.MTU}
		}),
		Veths: refMap(t.Veths, func(_ int, v Veth) filefmt.Veth { return filefmt.Veth{End: end(v.End), Peer: end(v.Peer)} }),
		NAT: filefmt.NAT{
			Masquerade: refMap(t.NAT.Masquerade, func(_ int, m firewall.Masquerade) filefmt.Masquerade {
				return filefmt.Masquerade{Src: str(m.Src, m.Src.IsValid()), OutIface: m.OutIface}
			}),
			Forward: refMap(t.NAT.Forward, func(_ int, f firewall.Forward) filefmt.Forward {
				return filefmt.Forward{Proto: f.Proto, Port: int(f.Port), To: str(f.To, f.To.IsValid()), InIface: f.InIface}
			}),
		},
	}
}

// TestMarshalIndentAgrees: MarshalIndent writes what
// json.MarshalIndent(t, "", "  ") wrote, and what it writes decodes as
// encoding/json decoded it.
func TestMarshalIndentAgrees(t *testing.T) {
	seed, err := Parse("seed.json", Seed())
	if err != nil {
		t.Fatal(err)
	}
	tops := []*Topology{seed, {}}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		tops = append(tops, randomTopology(r))
	}
	for _, top := range tops {
		got, err := top.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.MarshalIndent(fileForm(top), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("MarshalIndent:\n%s\njson.MarshalIndent:\n%s", got, want)
		}
		checkDecodeAgrees(t, got)
		compact, err := json.Marshal(fileForm(top))
		if err != nil {
			t.Fatal(err)
		}
		checkDecodeAgrees(t, compact)
	}
}
