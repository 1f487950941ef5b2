package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/topo"
)

// TestNameRules is issue 9 M3, L4 and L6 on the command line: every name
// the kernel would refuse or rename is refused by parse (exit 2, nothing
// changed) with the offending character named; unicode the kernel takes
// is accepted.
func TestNameRules(t *testing.T) {
	for _, tt := range []struct {
		argv string
		want string // "" = accepted
	}{
		{"ip link add br%d type bridge", `interface name "br%d": the kernel takes '%' in an interface name as a template`},
		{"ip link add x type veth peer name p%d", `interface name "p%d": the kernel takes '%'`},
		{"ip link set x name y%d", "'%'"},
		{"ip link set x master b%d", "'%'"},
		{"ip addr add 10.0.0.1/8 dev x%d", "'%'"},
		{"ip link add x\u00a0y type bridge", "U+00A0 NO-BREAK SPACE"},
		{"ip link add l\u00e0 type bridge", "'à' (U+00E0"},
		{"nsnet nat masquerade 10.0.0.0/8 oif br%d", "'%'"},
		{"nsnet nat forward tcp 80 10.0.0.1:80 iif x\u00a0y", "U+00A0"},
		{"ip link add em\u2003sp type bridge", ""}, // the kernel accepts U+2003
		{"ip link add é type bridge", ""},
		{"ip netns add a\x00b", `invalid netns name "a\x00b": a namespace name cannot contain a NUL byte (byte 2)`},
		{"ip netns add a/b", `invalid netns name "a/b": a namespace name cannot contain '/'`},
		{"ip -n a\x00b link", "NUL byte"},
	} {
		inv, err := parse(strings.Split(tt.argv, " "))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: refused: %v", tt.argv, err)
		case tt.want != "" && err == nil:
			t.Errorf("%q: accepted: %#v", tt.argv, inv.req)
		case err != nil && !strings.Contains(err.Error(), tt.want):
			t.Errorf("%q: message %q does not contain %q", tt.argv, err, tt.want)
		}
	}
}

// TestTopologyNameRules: a topology naming an interface the kernel would
// rename ('%') or refuse (U+00A0) exits 2 before anything changes,
// instead of a partial up and a rollback (issue 9 M3, L4).
func TestTopologyNameRules(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ old, new, want string }{
		{`"v-net-0"`, `"br%d"`, `interface "br%d" (host): the kernel takes '%'`},
		{`"veth-red-br"`, `"veth\u00a0red"`, "U+00A0 NO-BREAK SPACE"},
		{`"name": "lan"`, `"name": "l\u0000n"`, `namespace "l\x00n": a namespace name cannot contain a NUL byte`},
	} {
		f := filepath.Join(dir, "t.json")
		body := strings.ReplaceAll(string(topo.Seed()), tt.old, tt.new)
		if body == string(topo.Seed()) {
			t.Fatalf("seed has no %s", tt.old)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, verb := range []string{"up", "plan"} {
			var out, errb bytes.Buffer
			code := run([]string{"nsnet", verb, f}, &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("%s with %s: exit %d, stderr %q; want 2 and %q", verb, tt.new, code, errb.String(), tt.want)
			}
		}
	}
}
