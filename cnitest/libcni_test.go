package cnitest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/nsnet/nsnet/internal/nettest"
	"github.com/nsnet/nsnet/rtnl"
)

// TestLibcni drives nsnet through libcni's NetworkList API at 1.0.0 and
// 1.1.0: Validate, Add (with port mappings), Check, Status, GC, Del, and
// the state after each.
func TestLibcni(t *testing.T) {
	require(t)
	for _, ver := range []string{"1.0.0", "1.1.0"} {
		t.Run(ver, func(t *testing.T) {
			n := newNetwork()
			l := n.list(t, ver, n.nsnetPlugin(""))
			c := cniConfig()
			caps, err := c.ValidateNetworkList(ctx(t), l)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if strings.Join(caps, ",") != "portMappings,ips,mac" && len(caps) != 3 {
				t.Errorf("capabilities %v", caps)
			}
			p := startPod(t, "pod-"+strings.ReplaceAll(ver, ".", ""))
			rt := p.rt("eth0", map[string]any{"portMappings": []map[string]any{{"hostPort": 18000, "containerPort": 80, "protocol": "tcp"}}})
			res, err := c.AddNetworkList(ctx(t), l, rt)
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			if res.Version() != ver {
				t.Errorf("result in version %s, want %s", res.Version(), ver)
			}
			r, err := types100.NewResultFromResult(res)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Interfaces) != 3 || len(r.IPs) != 1 || r.Interfaces[2].Sandbox != p.Path {
				t.Fatalf("result %+v", r)
			}
			ip := r.IPs[0].Address.IP.String()
			if got := reservations(t, n.name)[ip]; got != p.ID+"\r\neth0" {
				t.Errorf("reservation %s = %q", ip, got)
			}
			if err := nettest.Ping(p.ns(t), n.gateway(), 3*time.Second); err != nil {
				t.Errorf("pod -> gateway: %v", err)
			}
			if err := c.CheckNetworkList(ctx(t), l, rt); err != nil {
				t.Errorf("Check: %v", err)
			}
			if err := c.GetStatusNetworkList(ctx(t), l); err != nil {
				t.Errorf("Status: %v", err)
			}
			// GC with the pod valid keeps it
			if err := c.GCNetworkList(ctx(t), l, &libcni.GCArgs{ValidAttachments: []types.GCAttachment{{ContainerID: p.ID, IfName: "eth0"}}}); err != nil {
				t.Errorf("GC: %v", err)
			}
			if _, ok := reservations(t, n.name)[ip]; !ok {
				t.Errorf("GC removed a valid attachment's address")
			}
			if err := c.DelNetworkList(ctx(t), l, rt); err != nil {
				t.Fatalf("Del: %v", err)
			}
			if err := c.DelNetworkList(ctx(t), l, rt); err != nil {
				t.Fatalf("second Del: %v", err)
			}
			if _, ok := reservations(t, n.name)[ip]; ok {
				t.Errorf("Del left the reservation")
			}
			if recs, _ := os.ReadDir(filepath.Join("/var/lib/cni/nsnet", n.name)); len(recs) != 0 {
				t.Errorf("Del left records: %v", recs)
			}
		})
	}
}

// TestLibcniGCWithoutCache: GC collects an attachment that the runtime
// forgot (its cache is gone), from nsnet's own records: the reference
// host-local leaks the address then.
func TestLibcniGCWithoutCache(t *testing.T) {
	require(t)
	n := newNetwork()
	l := n.list(t, "1.1.0", n.nsnetPlugin(""))
	cacheDir := t.TempDir()
	c := libcni.NewCNIConfigWithCacheDir([]string{binDir}, cacheDir, nil)
	keep, drop := startPod(t, "gc-keep"), startPod(t, "gc-drop")
	for _, p := range []*pod{keep, drop} {
		if _, err := c.AddNetworkList(ctx(t), l, p.rt("eth0", nil)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(cacheDir); err != nil { // the runtime lost its cache
		t.Fatal(err)
	}
	if len(reservations(t, n.name)) != 4 { // 2 addresses, lock, last_reserved_ip.0
		t.Fatalf("store %v", reservations(t, n.name))
	}
	if err := c.GCNetworkList(ctx(t), l, &libcni.GCArgs{ValidAttachments: []types.GCAttachment{{ContainerID: keep.ID, IfName: "eth0"}}}); err != nil {
		t.Fatalf("GC: %v", err)
	}
	res := reservations(t, n.name)
	for ip, who := range res {
		if strings.HasPrefix(who, drop.ID) {
			t.Errorf("GC left %s of %s", ip, who)
		}
	}
	if len(res) != 3 {
		t.Errorf("store after GC %v", res)
	}
	if err := c.DelNetworkList(ctx(t), l, keep.rt("eth0", nil)); err != nil {
		t.Fatal(err)
	}
}

// TestChain: nsnet first in a chain, followed by the reference portmap,
// firewall, tuning and bandwidth plugins (each gets nsnet's result as
// prevResult); and nsnet later in one, after loopback, passing the
// earlier result through with its own additions.
func TestChain(t *testing.T) {
	require(t)
	n := newNetwork()
	l := n.list(t, "1.0.0", n.nsnetPlugin(""),
		`{"type":"portmap","capabilities":{"portMappings":true}}`,
		`{"type":"firewall"}`,
		`{"type":"tuning","sysctl":{"net.ipv4.conf.eth0.arp_notify":"1"}}`,
		`{"type":"bandwidth","capabilities":{"bandwidth":true}}`)
	c := cniConfig()
	p := startPod(t, "chain1")
	rt := p.rt("eth0", map[string]any{"portMappings": []map[string]any{{"hostPort": 18100, "containerPort": 80, "protocol": "tcp"}}})
	res, err := c.AddNetworkList(ctx(t), l, rt)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	r, _ := types100.NewResultFromResult(res)
	if len(r.Interfaces) != 3 || len(r.IPs) != 1 {
		t.Errorf("result after the chain: %+v", r)
	}
	if err := c.CheckNetworkList(ctx(t), l, rt); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := c.DelNetworkList(ctx(t), l, rt); err != nil {
		t.Errorf("Del: %v", err)
	}

	l2 := n.list(t, "1.0.0", `{"type":"loopback"}`, n.nsnetPlugin(""))
	p2 := startPod(t, "chain2")
	res, err = c.AddNetworkList(ctx(t), l2, p2.rt("eth0", nil))
	if err != nil {
		t.Fatalf("Add after loopback: %v", err)
	}
	r, _ = types100.NewResultFromResult(res)
	if len(r.Interfaces) != 4 || r.Interfaces[0].Name != "lo" || len(r.IPs) != 3 || *r.IPs[2].Interface != 3 || r.IPs[0].Address.IP.String() != "127.0.0.1" {
		t.Errorf("nsnet after loopback did not pass the result through: %+v", r)
	}
	if err := c.DelNetworkList(ctx(t), l2, p2.rt("eth0", nil)); err != nil {
		t.Errorf("Del: %v", err)
	}
}

// TestSelectMatchesLibcni: nsnet's version selection for a list is
// libcni's.
func TestSelectMatchesLibcni(t *testing.T) {
	for _, tt := range []string{
		`{"cniVersion":"1.0.0","cniVersions":["0.3.1","1.1.0"],"name":"x","plugins":[{"type":"nsnet"}]}`,
		`{"cniVersion":"0.4.0","name":"x","plugins":[{"type":"nsnet"}]}`,
		`{"cniVersions":["0.3.1","0.4.0"],"name":"x","plugins":[{"type":"nsnet"}]}`,
		`{"cniVersion":"1.0.0","cniVersions":["9.0.0","1.1.0"],"name":"x","plugins":[{"type":"nsnet"}]}`,
	} {
		l, err := libcni.ConfListFromBytes([]byte(tt))
		if err != nil {
			t.Fatal(err)
		}
		ours := selectVersion(t, tt)
		if ours != l.CNIVersion {
			t.Errorf("%s: nsnet selects %q, libcni %q", tt, ours, l.CNIVersion)
		}
	}
}

// TestCapabilities: the ips and mac capabilities give the pod the asked
// address and MAC.
func TestCapabilities(t *testing.T) {
	require(t)
	n := newNetwork()
	l := n.list(t, "1.0.0", n.nsnetPlugin(""))
	c := cniConfig()
	p := startPod(t, "caps")
	want := n.subnet.Addr().Next().Next().Next().Next() // .4
	rt := p.rt("eth0", map[string]any{"ips": []string{want.String() + "/24"}, "mac": "c2:00:00:00:12:34"})
	res, err := c.AddNetworkList(ctx(t), l, rt)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := types100.NewResultFromResult(res)
	if got := r.IPs[0].Address.IP.String(); got != want.String() {
		t.Errorf("address %s, want %s", got, want)
	}
	if got := r.Interfaces[2].Mac; got != "c2:00:00:00:12:34" {
		t.Errorf("mac %s", got)
	}
	rc, err := rtnl.Dial(p.ns(t).File())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if l, err := rc.LinkByName("eth0"); err != nil || l.Address.String() != "c2:00:00:00:12:34" {
		t.Errorf("eth0 in the pod: %v %v", l, err)
	}
	if err := c.CheckNetworkList(ctx(t), l, rt); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := c.DelNetworkList(ctx(t), l, rt); err != nil {
		t.Fatal(err)
	}
}
