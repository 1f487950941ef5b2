package topo

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestSeedCopiesEqual(t *testing.T) {
	canonical, err := os.ReadFile("seed.json")
	if err != nil {
		t.Fatal(err)
	}
	shared, err := os.ReadFile("../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(canonical, shared) {
		t.Fatal("topo/seed.json (embedded by nsnet demo) and testdata/seed.json differ: cp topo/seed.json testdata/seed.json")
	}
	if !bytes.Equal(Seed(), canonical) {
		t.Fatal("Seed() does not return topo/seed.json")
	}
}

func TestSeedIsValid(t *testing.T) {
	top, err := Parse("seed.json", Seed())
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Namespaces) != 3 || len(top.Veths) != 3 || len(top.Bridges) != 1 {
		t.Fatalf("seed: %d namespaces, %d veths, %d bridges", len(top.Namespaces), len(top.Veths), len(top.Bridges))
	}
	if top.HasIPv6() {
		t.Error("the seed declares no IPv6, HasIPv6 says it does")
	}
}

// TestDecodeErrors: unknown and repeated fields and type mismatches name
// the field and its line.
func TestDecodeErrors(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"unknown top", "{\n  \"namespace\": []\n}", `f.json:2: unknown field "namespace" in the topology`},
		{"unknown nested", "{\"veths\": [\n {\"name\": \"a\", \"netns\": \"x\",\n  \"peer\": {\"name\": \"b\",\n   \"brige\": \"br\"}}]}", `f.json:4: unknown field "brige" in veths[0].peer`},
		{"case matters", "{\"Namespaces\": []}", `f.json:1: unknown field "Namespaces"`},
		{"repeated", "{\"host\": {},\n\"host\": {}}", `f.json:2: field "host" appears twice in the topology`},
		{"list expected", "{\n\"namespaces\": {\"name\": \"x\"}}", `f.json:2: namespaces: expected a list [...], found an object`},
		{"string for int", "{\"nat\": {\"forward\": [\n{\"proto\": \"tcp\", \"port\": \"80\", \"to\": \"1.2.3.4:80\"}]}}", `f.json:2: nat.forward.port: expected a non-negative integer, found a JSON string`},
		{"syntax", "{\n\"host\": {,}}", `f.json:2: invalid JSON`},
		{"trailing", "{}\n{}", `f.json:2: unexpected data after the topology object`},
		{"truncated", "{\"host\": {", `f.json:1: invalid JSON: unexpected end of file`},
		// Issue 9 L5: a file that is null was an empty topology (exit 0).
		{"null", "null", `f.json:1: the topology: expected an object {...}, found null`},
		{"null after space", "\n\n  null \n", `f.json:3: the topology: expected an object {...}, found null`},
		{"list", "[]", `f.json:1: the topology: expected an object {...}, found a list`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.json", []byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// edit returns the seed with old replaced by new (which must occur).
func edit(t *testing.T, pairs ...string) []byte {
	t.Helper()
	s := string(Seed())
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("seed has no %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

// TestValidate is the table of invalid topologies: each names the object
// and what to change, with the line of the object.
func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edits []string
		want  string
	}{
		{"ifname too long", []string{`"name": "veth-red", "netns"`, `"name": "veth-red-is-too-long", "netns"`},
			`seed.json:28: interface "veth-red-is-too-long" (namespace red): name is 20 bytes long and the kernel allows at most 15: shorten it`},
		{"ifname slash", []string{`"veth-blue-br"`, `"veth/blue"`}, `interface "veth/blue" (host): the kernel refuses '/' in interface names`},
		{"netns slash", []string{`"name": "lan"`, `"name": "l/an"`}, `namespace "l/an": a namespace name cannot contain '/'`},
		{"duplicate namespace", []string{`"name": "lan"`, `"name": "red"`}, `seed.json:19: namespace red is declared twice`},
		{"duplicate ifname", []string{`"veth-blue-br"`, `"veth-red-br"`}, `interface veth-red-br is declared twice in host: rename one of them`},
		{"ifname vs bridge", []string{`"name": "v-lan"`, `"name": "v-net-0"`}, `interface v-net-0 is declared twice in host`},
		{"malformed cidr", []string{`"192.168.15.1/24"`, `"192.168.15.1/33"`}, `veth veth-red (in red): address "192.168.15.1/33": not an address in CIDR form`},
		{"missing prefix", []string{`"192.168.15.1/24"`, `"192.168.15.1"`}, `missing prefix length`},
		{"network address", []string{`"192.168.15.1/24"`, `"192.168.15.0/24"`}, `is the network or broadcast address of 192.168.15.0/24`},
		{"same address twice", []string{`"192.168.15.2/24"`, `"192.168.15.1/24"`}, `address 192.168.15.1 is on both veth-red (in red) and veth-blue (in blue)`},
		{"overlap", []string{`"192.168.1.10/24"`, `"192.168.15.10/24"`, `"192.168.1.2/24"`, `"192.168.15.20/24"`},
			`overlaps 192.168.15.0/24 of veth-blue (in blue) on another segment`},
		{"unreachable gateway", []string{`{"to": "default", "via": "192.168.15.5"}`, `{"to": "default", "via": "192.168.1.2"}`},
			`seed.json:9: route default via 192.168.1.2 in red: gateway 192.168.1.2 is not on a subnet red is connected to (red has only 192.168.15.0/24 on veth-red)`},
		{"own address as gateway", []string{`{"to": "default", "via": "192.168.15.5"}`, `{"to": "default", "via": "192.168.15.1"}`}, `gateway 192.168.15.1 is veth-red (in red)'s own address`},
		{"route dev elsewhere", []string{`{"to": "default", "via": "192.168.15.5"}`, `{"to": "default", "via": "192.168.15.5", "dev": "eth0"}`}, `route default via 192.168.15.5 dev eth0 in red: interface eth0 is not in red: use one of veth-red`},
		{"route host bits", []string{`"to": "192.168.1.0/24"`, `"to": "192.168.1.1/24"`}, `destination 192.168.1.1/24 has host bits set: use 192.168.1.0/24`},
		{"route duplicate", []string{`{"to": "default", "via": "192.168.15.5"}`, `{"to": "default", "via": "192.168.15.5"}, {"to": "default", "via": "192.168.15.5"}`}, `is declared twice: remove one or give it another metric`},
		{"forward to nobody", []string{`"192.168.15.2:80"`, `"192.168.15.9:80"`}, `seed.json:45: forward tcp 8080 -> 192.168.15.9:80: no namespace has address 192.168.15.9`},
		{"forward to host", []string{`"192.168.15.2:80"`, `"192.168.15.5:80"`}, `no namespace has address 192.168.15.5`},
		{"port twice", []string{`{"proto": "tcp", "port": 8080, "to": "192.168.15.2:80"}`, `{"proto": "tcp", "port": 8080, "to": "192.168.15.2:80"}, {"proto": "tcp", "port": 8080, "to": "192.168.15.1:80"}`},
			`forward tcp 8080 -> 192.168.15.1:80: tcp port 8080 is already forwarded by forward tcp 8080 -> 192.168.15.2:80`},
		{"bad proto", []string{`"proto": "tcp"`, `"proto": "icmp"`}, `protocol "icmp": use tcp or udp`},
		{"bad port", []string{`"port": 8080`, `"port": 70000`}, `port 70000 is out of range`},
		{"undeclared netns", []string{`"netns": "lan"`, `"netns": "lna"`}, `veth eth0 (in lna): namespace "lna" is not declared`},
		{"undeclared bridge", []string{`"bridge": "v-net-0"`, `"bridge": "v-net-1"`}, `bridge "v-net-1" is not declared`},
		{"bridge in namespace", []string{`"netns": "red", "addresses"`, `"netns": "red", "bridge": "v-net-0", "addresses"`}, `cannot join bridge v-net-0: move "bridge" to the host end`},
		{"masquerade host bits", []string{`"src": "192.168.15.0/24"`, `"src": "192.168.15.1/24"`}, `masquerade 192.168.15.1/24: source has host bits set: use 192.168.15.0/24`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("seed.json", edit(t, tt.edits...))
			if err == nil {
				t.Fatal("valid, want an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Seed())
	f.Add([]byte(`{"namespaces":[{"name":"a"}],"veths":[{"name":"x","netns":"a","peer":{"name":"y"}}]}`))
	if b, err := os.ReadFile("../testdata/topo_router.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		top, err := Parse("f.json", b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !strings.HasPrefix(err.Error(), "f.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		// A valid topology re-encodes to a valid, equal topology.
		out, err := top.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		top2, err := Parse("g.json", out)
		if err != nil {
			t.Fatalf("re-encoded topology is invalid: %v\n%s", err, out)
		}
		out2, _ := top2.MarshalIndent()
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed the topology:\n%s\n%s", out, out2)
		}
	})
}
