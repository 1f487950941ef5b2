package cnitest

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/nsnet/nsnet/internal/podtest"
	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
)

// pod is a podtest.Pod (a process in a network namespace of its own).
type pod struct{ *podtest.Pod }

func startPod(t testing.TB, id string) *pod { return &pod{podtest.Start(t, id)} }

func (p *pod) ns(t testing.TB) *nsutil.NetNS { return p.NS(t) }

func (p *pod) rt(ifname string, caps map[string]any) *libcni.RuntimeConf {
	return &libcni.RuntimeConf{ContainerID: p.ID, NetNS: p.Path, IfName: ifname, CapabilityArgs: caps,
		Args: [][2]string{{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", "default"}, {"K8S_POD_NAME", p.ID}}}
}

var seq struct {
	sync.Mutex
	n int
}

// network is one test's network: its name, bridge and subnet are its own.
type network struct {
	name, bridge string
	subnet       netip.Prefix
}

func newNetwork() network {
	seq.Lock()
	seq.n++
	n := seq.n
	seq.Unlock()
	return network{name: fmt.Sprintf("cnitest%d", n), bridge: fmt.Sprintf("cnit%d", n), subnet: netip.MustParsePrefix(fmt.Sprintf("10.%d.0.0/24", 200+n))}
}

// gateway is the subnet's first address (host-local's default gateway).
func (n network) gateway() netip.Addr { return n.subnet.Addr().Next() }

// nsnetPlugin is nsnet's plugin object with the reference bridge's fields.
func (n network) nsnetPlugin(extra string) string {
	return fmt.Sprintf(`{"type":"nsnet","bridge":%q,"isGateway":true,"isDefaultGateway":true,"ipMasq":true,"hairpinMode":true,`+
		`"ipam":{"type":"host-local","ranges":[[{"subnet":%q}]]},"capabilities":{"portMappings":true,"ips":true,"mac":true}%s}`,
		n.bridge, n.subnet, extra)
}

// refPlugin is the reference bridge plugin with the same fields.
func (n network) refPlugin() string {
	return fmt.Sprintf(`{"type":"bridge","bridge":%q,"isGateway":true,"isDefaultGateway":true,"ipMasq":true,"hairpinMode":true,`+
		`"ipam":{"type":"host-local","ranges":[[{"subnet":%q}]]}}`, n.bridge, n.subnet)
}

func (n network) list(t testing.TB, version string, plugins ...string) *libcni.NetworkConfigList {
	t.Helper()
	s := fmt.Sprintf(`{"cniVersion":%q,"name":%q,"plugins":[%s]}`, version, n.name, strings.Join(plugins, ","))
	l, err := libcni.ConfListFromBytes([]byte(s))
	if err != nil {
		t.Fatalf("conflist %s: %v", s, err)
	}
	return l
}

func cniConfig() *libcni.CNIConfig {
	return libcni.NewCNIConfigWithCacheDir([]string{binDir}, "", nil)
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func require(t testing.TB) {
	t.Helper()
	sandbox.Require(t)
	if _, err := os.Stat(filepath.Join(binDir, "nsnet")); err != nil {
		t.Fatalf("no %s/nsnet: TestMain builds it before entering the sandbox", binDir)
	}
}

// reservations lists the files of host-local's store for network.
func reservations(t testing.TB, network string) map[string]string {
	t.Helper()
	dir := filepath.Join("/var/lib/cni/networks", network)
	ents, _ := os.ReadDir(dir)
	out := map[string]string{}
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = string(b)
	}
	return out
}

func run(t testing.TB, env []string, stdin, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
