package plugin

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/internal/nettest"
	"github.com/nsnet/nsnet/internal/podtest"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nft"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// container is a podtest.Pod: the plugin sees only /proc/PID/ns/net.
type container struct{ *podtest.Pod }

func startContainer(t testing.TB) *container { return &container{podtest.Start(t, "")} }

func (c *container) ns(t testing.TB) *nsutil.NetNS { return c.NS(t) }

// net is one test's network: its own bridge, subnet and temp dirs.
type network struct {
	name, bridge, subnet string
	dataDir, stateDir    string
	extra                string // more top-level fields
	version              string
}

var netSeq struct {
	sync.Mutex
	n int
}

func newNet(t testing.TB, extra string) *network {
	netSeq.Lock()
	netSeq.n++
	n := netSeq.n
	netSeq.Unlock()
	d := t.TempDir()
	return &network{name: fmt.Sprintf("net%d", n), bridge: fmt.Sprintf("cnibr%d", n), subnet: fmt.Sprintf("10.%d.0.0/24", 100+n),
		dataDir: filepath.Join(d, "networks"), stateDir: filepath.Join(d, "nsnet"), extra: extra, version: "1.0.0"}
}

func (n *network) conf(more string) string {
	s := fmt.Sprintf(`{"cniVersion":%q,"name":%q,"type":"nsnet","bridge":%q,"isGateway":true,"ipMasq":true,"stateDir":%q,`+
		`"ipam":{"type":"host-local","subnet":%q,"dataDir":%q,"routes":[{"dst":"0.0.0.0/0"}]}%s%s}`,
		n.version, n.name, n.bridge, n.stateDir, n.subnet, n.dataDir, n.extra, more)
	return s
}

type out struct {
	code   int
	stdout string
	stderr string
}

func invoke(env map[string]string, stdin string) out {
	var o, e bytes.Buffer
	code := Run(func(k string) string { return env[k] }, strings.NewReader(stdin), &o, &e)
	return out{code, o.String(), e.String()}
}

func (n *network) call(t testing.TB, cmd, id, netns, ifname, more string) out {
	t.Helper()
	return invoke(map[string]string{"CNI_COMMAND": cmd, "CNI_CONTAINERID": id, "CNI_NETNS": netns, "CNI_IFNAME": ifname, "CNI_PATH": "/nonexistent"}, n.conf(more))
}

func (n *network) add(t testing.TB, id string, c *container, more string) *cni.Result {
	t.Helper()
	o := n.call(t, "ADD", id, c.Path, "eth0", more)
	if o.code != 0 {
		t.Fatalf("ADD %s: %d %s %s", id, o.code, o.stdout, o.stderr)
	}
	r, err := cni.DecodeResult([]byte(o.stdout), "")
	if err != nil {
		t.Fatalf("ADD result %s: %v", o.stdout, err)
	}
	return r
}

func mustOK(t testing.TB, what string, o out) {
	t.Helper()
	if o.code != 0 || o.stdout != "" {
		t.Fatalf("%s: %d %s %s", what, o.code, o.stdout, o.stderr)
	}
}

func errorOf(t testing.TB, o out) *cni.Error {
	t.Helper()
	if o.code == 0 {
		t.Fatalf("succeeded: %s", o.stdout)
	}
	_, e, err := cni.DecodeErrorResult([]byte(o.stdout))
	if err != nil {
		t.Fatalf("not an error result: %q (%v)", o.stdout, err)
	}
	return e
}

func hostConn(t testing.TB) *rtnl.Conn {
	t.Helper()
	c, err := rtnl.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func natComments(t testing.TB) []string {
	t.Helper()
	c, err := nft.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	es, err := firewall.NewNAT(c).List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Comment)
	}
	return out
}

func files(t testing.TB, dir string) []string {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestAddCheckDel is the life of one attachment: ADD makes the bridge,
// the veth born in the container with its address and default route, the
// gateway on the bridge, the masquerade; CHECK passes; DEL leaves
// nothing of it (link, reservation, record, rule).
func TestAddCheckDel(t *testing.T) {
	sandbox.Require(t)
	n := newNet(t, "")
	c := startContainer(t)
	r := n.add(t, "ctr1", c, "")
	if len(r.Interfaces) != 3 || r.Interfaces[0].Name != n.bridge || r.Interfaces[2].Name != "eth0" || r.Interfaces[2].Sandbox != c.Path {
		t.Fatalf("interfaces %+v", r.Interfaces)
	}
	gw := netip.MustParsePrefix(n.subnet).Addr().Next()
	if len(r.IPs) != 1 || *r.IPs[0].Interface != 2 || r.IPs[0].Gateway != gw || r.IPs[0].Address.Addr() != gw.Next() {
		t.Fatalf("ips %+v", r.IPs)
	}
	// the container reaches the gateway on the bridge
	if err := nettest.Ping(c.ns(t), gw, 3*time.Second); err != nil {
		t.Fatalf("ping gateway: %v", err)
	}
	resFile := filepath.Join(n.dataDir, n.name, gw.Next().String())
	if b, err := os.ReadFile(resFile); err != nil || string(b) != "ctr1\r\neth0" {
		t.Fatalf("reservation %q %v", b, err)
	}
	if got := natComments(t); !containsStr(got, "masquerade "+gw.Next().String()+"/32") {
		t.Fatalf("nat rules %q", got)
	}
	prev := `,"prevResult":` + strings.TrimSpace(string(r.AppendJSON(nil, n.version)))
	mustOK(t, "CHECK", n.call(t, "CHECK", "ctr1", c.Path, "eth0", prev))

	// CHECK names what differs: the address is gone
	cc, err := rtnl.Dial(c.ns(t).File())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	l, err := cc.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if err := cc.AddrDel(&rtnl.Addr{Family: unix.AF_INET, Index: l.Index, PrefixLen: 24, Local: gw.Next()}); err != nil {
		t.Fatal(err)
	}
	e := errorOf(t, n.call(t, "CHECK", "ctr1", c.Path, "eth0", prev))
	if e.Code != CodeCheckFailed || !strings.Contains(e.Msg, "eth0 lacks its address "+gw.Next().String()+"/24") {
		t.Errorf("CHECK after address deleted: %+v", e)
	}

	mustOK(t, "DEL", n.call(t, "DEL", "ctr1", c.Path, "eth0", prev))
	if _, err := cc.LinkByName("eth0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("eth0 still in the container: %v", err)
	}
	if _, err := os.Stat(resFile); !os.IsNotExist(err) {
		t.Errorf("reservation left: %v", err)
	}
	if got := files(t, filepath.Join(n.stateDir, n.name)); len(got) != 0 {
		t.Errorf("records left: %v", got)
	}
	if got := natComments(t); containsStr(got, "masquerade "+gw.Next().String()+"/32") {
		t.Errorf("rule left: %q", got)
	}
	// DEL again, and without netns: success, nothing to do
	mustOK(t, "DEL twice", n.call(t, "DEL", "ctr1", c.Path, "eth0", ""))
	mustOK(t, "DEL without netns", n.call(t, "DEL", "ctr1", "", "eth0", ""))
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestDelWithoutNetns: nerdctl and ctr send DEL without CNI_NETNS; the
// record finds the host end, the rules and the reservation.
func TestDelWithoutNetns(t *testing.T) {
	sandbox.Require(t)
	n := newNet(t, "")
	c := startContainer(t)
	pm := `,"runtimeConfig":{"portMappings":[{"hostPort":18080,"containerPort":80,"protocol":"tcp"}]}`
	r := n.add(t, "ctr2", c, pm)
	hostIf := r.Interfaces[1].Name
	hc := hostConn(t)
	if _, err := hc.LinkByName(hostIf); err != nil {
		t.Fatal(err)
	}
	ip := r.IPs[0].Address.Addr()
	if got := natComments(t); !containsStr(got, "forward tcp 18080 "+ip.String()+":80 localhost") {
		t.Fatalf("nat rules %q", got)
	}
	mustOK(t, "DEL", n.call(t, "DEL", "ctr2", "", "eth0", pm))
	if _, err := hc.LinkByName(hostIf); !errors.Is(err, unix.ENODEV) {
		t.Errorf("host end left: %v", err)
	}
	cc, _ := rtnl.Dial(c.ns(t).File())
	defer cc.Close()
	if _, err := cc.LinkByName("eth0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("container end left: %v", err)
	}
	if got := natComments(t); containsStr(got, "forward tcp 18080 "+ip.String()+":80 localhost") {
		t.Errorf("forward left: %q", got)
	}
	if got := files(t, filepath.Join(n.dataDir, n.name)); len(got) != 2 { // lock, last_reserved_ip.0
		t.Errorf("store holds %v", got)
	}
}

// TestAddFailureLeavesNothing: an ADD that fails after the allocation
// (the bridge's name is a veth's) undoes all it did.
func TestAddFailureLeavesNothing(t *testing.T) {
	sandbox.Require(t)
	n := newNet(t, "")
	hc := hostConn(t)
	if err := hc.LinkAdd(&rtnl.Link{Name: n.bridge, Info: &rtnl.Veth{Peer: rtnl.Link{Name: n.bridge + "p"}}}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if l, err := hc.LinkByName(n.bridge); err == nil {
			hc.LinkDel(l.Index)
		}
	}()
	c := startContainer(t)
	e := errorOf(t, n.call(t, "ADD", "ctr3", c.Path, "eth0", ""))
	if !strings.Contains(e.Msg, n.bridge) {
		t.Errorf("error %+v", e)
	}
	if got := files(t, filepath.Join(n.dataDir, n.name)); len(got) != 1 || got[0] != "lock" {
		// last_reserved_ip.0 is written with the reservation; the
		// release takes the reservation only, as host-local's does
		if !(len(got) == 2 && got[1] == "lock") {
			t.Errorf("store holds %v", got)
		}
	}
	if got := files(t, filepath.Join(n.stateDir, n.name)); len(got) != 0 {
		t.Errorf("records %v", got)
	}
	cc, _ := rtnl.Dial(c.ns(t).File())
	defer cc.Close()
	links, _ := cc.Links()
	if len(links) != 1 {
		t.Errorf("container has %d links", len(links))
	}
}

// TestRefusals: bad input is the spec's error, and nothing changes.
func TestRefusals(t *testing.T) {
	sandbox.Require(t)
	n := newNet(t, "")
	c := startContainer(t)
	for _, tt := range []struct {
		name string
		env  map[string]string
		conf string
		code int
		msg  string
	}{
		{"missing env", map[string]string{"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "x"}, n.conf(""), 4, "required env variables [CNI_NETNS,CNI_IFNAME] missing"},
		{"malformed JSON", map[string]string{"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "x", "CNI_NETNS": c.Path, "CNI_IFNAME": "eth0"}, `{"cniVersion":`, 6, ""},
		{"unknown netns", map[string]string{"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "x", "CNI_NETNS": "/run/netns/nope", "CNI_IFNAME": "eth0"}, n.conf(""), 3, `failed to open netns "/run/netns/nope"`},
		{"ifname too long", map[string]string{"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "x", "CNI_NETNS": c.Path, "CNI_IFNAME": "eth0123456789012"}, n.conf(""), 4, "invalid CNI_IFNAME: interface name is too long (at most 15 bytes)"},
		{"version", map[string]string{"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "x", "CNI_NETNS": c.Path, "CNI_IFNAME": "eth0"}, `{"cniVersion":"0.2.0","name":"x"}`, 1, "incompatible CNI versions"},
		{"GC before 1.1.0", map[string]string{"CNI_COMMAND": "GC", "CNI_PATH": "/x"}, n.conf(""), 1, "config version does not allow GC"},
	} {
		e := errorOf(t, invoke(tt.env, tt.conf))
		if e.Code != tt.code || tt.msg != "" && e.Msg != tt.msg {
			t.Errorf("%s: %+v, want %d %q", tt.name, e, tt.code, tt.msg)
		}
	}
	if got := files(t, n.dataDir); len(got) != 0 {
		t.Errorf("store made: %v", got)
	}
	// an existing CNI_IFNAME is refused before anything is allocated
	cc, _ := rtnl.Dial(c.ns(t).File())
	defer cc.Close()
	if err := cc.LinkAdd(&rtnl.Link{Name: "eth0", Info: &rtnl.Veth{Peer: rtnl.Link{Name: "eth0p"}}}); err != nil {
		t.Fatal(err)
	}
	e := errorOf(t, n.call(t, "ADD", "x", c.Path, "eth0", ""))
	if e.Code != cni.CodeInvalidConfig || !strings.HasPrefix(e.Msg, "interface eth0 already exists in ") {
		t.Errorf("existing ifname: %+v", e)
	}
	if got := files(t, n.dataDir); len(got) != 0 {
		t.Errorf("store made: %v", got)
	}
}

func TestVersion(t *testing.T) {
	o := invoke(map[string]string{"CNI_COMMAND": "VERSION"}, `{"cniVersion":"1.0.0"}`)
	if want := `{"cniVersion":"1.0.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}` + "\n"; o.code != 0 || o.stdout != want {
		t.Errorf("VERSION: %d %s", o.code, o.stdout)
	}
}

// TestResultVersions: the result is in the configuration's version: 0.3.1
// gives each IP its "version".
func TestResultVersions(t *testing.T) {
	sandbox.Require(t)
	n := newNet(t, "")
	n.version = "0.3.1"
	c := startContainer(t)
	o := n.call(t, "ADD", "v031", c.Path, "eth0", "")
	if o.code != 0 || !strings.HasPrefix(o.stdout, `{"cniVersion":"0.3.1",`) || !strings.Contains(o.stdout, `"ips":[{"version":"4","interface":2,`) {
		t.Fatalf("0.3.1 result: %s %s", o.stdout, o.stderr)
	}
	mustOK(t, "DEL", n.call(t, "DEL", "v031", c.Path, "eth0", ""))
}

// TestParallel: 20 ADDs at once on one network, then 20 DELs: distinct
// addresses, no errors, nothing left.
func TestParallel(t *testing.T) {
	sandbox.Require(t)
	n := newNet(t, "")
	const k = 20
	cs := make([]*container, k)
	for i := range cs {
		cs[i] = startContainer(t)
	}
	var wg sync.WaitGroup
	ips := make([]string, k)
	errs := make([]string, k)
	for i := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := n.call(t, "ADD", fmt.Sprintf("p%d", i), cs[i].Path, "eth0", "")
			if o.code != 0 {
				errs[i] = o.stdout + o.stderr
				return
			}
			r, err := cni.DecodeResult([]byte(o.stdout), "")
			if err != nil {
				errs[i] = err.Error()
				return
			}
			ips[i] = r.IPs[0].Address.String()
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range ips {
		if errs[i] != "" {
			t.Errorf("ADD %d: %s", i, errs[i])
		}
		if seen[ips[i]] {
			t.Errorf("address %s given twice", ips[i])
		}
		seen[ips[i]] = true
	}
	// every container reaches the first one through the bridge
	first := netip.MustParsePrefix(ips[0]).Addr()
	for i := 1; i < k; i += 5 {
		if err := nettest.Ping(cs[i].ns(t), first, 3*time.Second); err != nil {
			t.Errorf("container %d -> %s: %v", i, first, err)
		}
	}
	for i := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o := n.call(t, "DEL", fmt.Sprintf("p%d", i), cs[i].Path, "eth0", ""); o.code != 0 {
				errs[i] = o.stdout + o.stderr
			}
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != "" {
			t.Errorf("DEL %d: %s", i, errs[i])
		}
	}
	if got := files(t, filepath.Join(n.dataDir, n.name)); len(got) != 2 {
		t.Errorf("store holds %v", got)
	}
	if got := files(t, filepath.Join(n.stateDir, n.name)); len(got) != 0 {
		t.Errorf("records %v", got)
	}
}

// TestGC: attachments not in the valid list lose everything, including
// a reservation that has no record (the reference host-local's, or one
// whose runtime cache is gone); a missing list collects nothing.
func TestGC(t *testing.T) {
	sandbox.Require(t)
	n := newNet(t, "")
	n.version = "1.1.0"
	c1, c2 := startContainer(t), startContainer(t)
	n.add(t, "keep", c1, "")
	r2 := n.add(t, "drop", c2, "")
	orphan := filepath.Join(n.dataDir, n.name, "10.0.0.77")
	os.WriteFile(orphan, []byte("gone\r\neth0"), 0o600)
	gc := func(list string) out {
		return invoke(map[string]string{"CNI_COMMAND": "GC", "CNI_PATH": "/x"}, n.conf(list))
	}
	mustOK(t, "GC without list", gc(""))
	if got := files(t, filepath.Join(n.stateDir, n.name)); len(got) != 2 {
		t.Fatalf("GC without a list collected: %v", got)
	}
	mustOK(t, "GC", gc(`,"cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]`))
	if got := files(t, filepath.Join(n.stateDir, n.name)); len(got) != 1 || got[0] != "keep:eth0" {
		t.Errorf("records %v", got)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("orphan reservation kept")
	}
	if _, err := hostConn(t).LinkByName(r2.Interfaces[1].Name); !errors.Is(err, unix.ENODEV) {
		t.Errorf("host end of the dropped attachment left: %v", err)
	}
	// STATUS is fine; then exhaust a /30 (2 addresses, one the gateway)
	mustOK(t, "STATUS", invoke(map[string]string{"CNI_COMMAND": "STATUS"}, n.conf("")))
}

func TestStatusExhausted(t *testing.T) {
	sandbox.Require(t)
	n := newNet(t, "")
	n.version = "1.1.0"
	n.subnet = "10.99.1.0/30" // .1 gateway, .2 the only address
	c := startContainer(t)
	mustOK(t, "STATUS", invoke(map[string]string{"CNI_COMMAND": "STATUS"}, n.conf("")))
	n.add(t, "only", c, "")
	e := errorOf(t, invoke(map[string]string{"CNI_COMMAND": "STATUS"}, n.conf("")))
	if e.Code != cni.CodeNotAvailable {
		t.Errorf("STATUS exhausted: %+v", e)
	}
	c2 := startContainer(t)
	e = errorOf(t, n.call(t, "ADD", "second", c2.Path, "eth0", ""))
	if !strings.Contains(e.Msg, "no IP addresses available") {
		t.Errorf("ADD exhausted: %+v", e)
	}
	mustOK(t, "DEL", n.call(t, "DEL", "only", c.Path, "eth0", ""))
}

// TestGatewayForwards: isGateway alone (no ipMasq, no ports) turns on
// forwarding, as the reference bridge does; before the fix only
// masquerade and port mappings did.
func TestGatewayForwards(t *testing.T) {
	sandbox.Require(t)
	const key = "/proc/sys/net/ipv4/ip_forward"
	if err := os.WriteFile(key, []byte("0"), 0o644); err != nil {
		t.Fatal(err)
	}
	n := newNet(t, "")
	c := startContainer(t)
	o := invoke(map[string]string{"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "gw1", "CNI_NETNS": c.Path, "CNI_IFNAME": "eth0"},
		strings.Replace(n.conf(""), `"ipMasq":true,`, "", 1))
	if o.code != 0 {
		t.Fatalf("ADD: %s %s", o.stdout, o.stderr)
	}
	if b, _ := os.ReadFile(key); strings.TrimSpace(string(b)) != "1" {
		t.Errorf("ip_forward = %q after an ADD with isGateway", b)
	}
	mustOK(t, "DEL", n.call(t, "DEL", "gw1", c.Path, "eth0", ""))
}
