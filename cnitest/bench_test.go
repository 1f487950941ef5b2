package cnitest

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/containernetworking/cni/libcni"
	"github.com/nsnet/nsnet/nsutil"
)

// The CNI rows of issue 13, nsnet beside the reference plugins v1.9.1 in
// the same run, both through libcni v1.3.0 as a runtime drives them (the
// client's cost is the same on both sides): ADD, ADD with a port mapping
// and masquerade with 1 and N pods already attached, DEL, STATUS.
// CNITEST_BENCH_PODS sets N (default 50; the 500 takes minutes
// for the reference chain).

type benchWay struct {
	name    string
	plugins func(n network, ports bool) []string
}

var benchWays = []benchWay{
	{"nsnet", func(n network, ports bool) []string {
		if !ports {
			return []string{n.nsnetPlugin("")}
		}
		return []string{n.nsnetPlugin("")}
	}},
	{"reference", func(n network, ports bool) []string {
		if !ports {
			return []string{n.refPlugin()}
		}
		return []string{n.refPlugin(), `{"type":"portmap","capabilities":{"portMappings":true}}`}
	}},
}

func benchPods() int {
	if n, err := strconv.Atoi(os.Getenv("CNITEST_BENCH_PODS")); err == nil && n > 0 {
		return n
	}
	return 50
}

// benchNS is a named namespace for one attachment (cheaper to make than
// a process; a runtime's /run/netns/cni-... is one too).
type benchNS struct{ name, path string }

var nsSeq int

func newBenchNS(b *testing.B) benchNS {
	b.Helper()
	nsSeq++
	name := fmt.Sprintf("cb%d", nsSeq)
	ns, err := nsutil.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	ns.Close()
	return benchNS{name: name, path: "/run/netns/" + name}
}

func (s benchNS) rt(port int) *libcni.RuntimeConf {
	rt := &libcni.RuntimeConf{ContainerID: s.name, NetNS: s.path, IfName: "eth0"}
	if port > 0 {
		rt.CapabilityArgs = map[string]any{"portMappings": []map[string]any{{"hostPort": port, "containerPort": 80, "protocol": "tcp"}}}
	}
	return rt
}

func (s benchNS) remove() { nsutil.Delete(s.name) }

func BenchmarkCNI(b *testing.B) {
	require(b)
	for _, ports := range []bool{false, true} {
		sizes := []int{1}
		if ports {
			sizes = []int{1, benchPods()}
		}
		for _, pods := range sizes {
			for _, w := range benchWays {
				name := "ADD/" + w.name
				if ports {
					name = fmt.Sprintf("ADD-portmap-masq/pods=%d/%s", pods, w.name)
				}
				b.Run(name, func(b *testing.B) { benchAdd(b, w, ports, pods) })
			}
		}
	}
	for _, w := range benchWays {
		b.Run("DEL/"+w.name, func(b *testing.B) { benchDel(b, w) })
	}
	b.Run("STATUS/nsnet", func(b *testing.B) {
		n := newNetwork()
		l := n.list(b, "1.1.0", benchWays[0].plugins(n, false)...)
		c := cniConfig()
		var cpu childCPU
		for b.Loop() {
			cpu.start()
			if err := c.GetStatusNetworkList(ctx(b), l); err != nil {
				b.Fatal(err)
			}
			cpu.stop()
		}
		cpu.report(b)
	})
}

// present attaches k pods (with a port mapping each when ports) before
// the measurement, and removes them after.
func present(b *testing.B, c *libcni.CNIConfig, l *libcni.NetworkConfigList, k int, ports bool) {
	var all []benchNS
	for i := 0; i < k; i++ {
		s := newBenchNS(b)
		port := 0
		if ports {
			port = 20000 + i
		}
		if _, err := c.AddNetworkList(ctx(b), l, s.rt(port)); err != nil {
			b.Fatalf("pod %d present: %v", i, err)
		}
		all = append(all, s)
	}
	b.Cleanup(func() {
		for i, s := range all {
			port := 0
			if ports {
				port = 20000 + i
			}
			c.DelNetworkList(ctx(b), l, s.rt(port))
			s.remove()
		}
	})
}

func benchAdd(b *testing.B, w benchWay, ports bool, pods int) {
	var cpu childCPU
	defer cpu.report(b)
	n := newNetwork()
	l := n.list(b, "1.0.0", w.plugins(n, ports)...)
	c := libcni.NewCNIConfigWithCacheDir([]string{binDir}, b.TempDir(), nil)
	present(b, c, l, pods-1, ports)
	port := 0
	if ports {
		port = 30000
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := newBenchNS(b)
		b.StartTimer()
		cpu.start()
		if _, err := c.AddNetworkList(ctx(b), l, s.rt(port)); err != nil {
			b.Fatal(err)
		}
		cpu.stop()
		b.StopTimer()
		if err := c.DelNetworkList(ctx(b), l, s.rt(port)); err != nil {
			b.Fatal(err)
		}
		s.remove()
		b.StartTimer()
	}
}

func benchDel(b *testing.B, w benchWay) {
	var cpu childCPU
	defer cpu.report(b)
	n := newNetwork()
	l := n.list(b, "1.0.0", w.plugins(n, false)...)
	c := libcni.NewCNIConfigWithCacheDir([]string{binDir}, b.TempDir(), nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := newBenchNS(b)
		if _, err := c.AddNetworkList(ctx(b), l, s.rt(0)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		cpu.start()
		if err := c.DelNetworkList(ctx(b), l, s.rt(0)); err != nil {
			b.Fatal(err)
		}
		cpu.stop()
		b.StopTimer()
		s.remove()
		b.StartTimer()
	}
}

// childCPU adds up the CPU time (user + system) of the plugin processes
// that ran in the measured sections: the plugins, and what they ran
// (host-local, iptables), which getrusage(RUSAGE_CHILDREN) counts once
// they are reaped. On a loaded machine wall time mostly measures waiting
// for a CPU; this is the work itself.
type childCPU struct {
	at    time.Duration
	total time.Duration
	n     int
}

func childrenCPU() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (c *childCPU) start() { c.at = childrenCPU() }
func (c *childCPU) stop()  { c.total += childrenCPU() - c.at; c.n++ }

func (c *childCPU) report(b *testing.B) {
	if c.n > 0 {
		b.ReportMetric(float64(c.total.Microseconds())/1000/float64(c.n), "cpu-ms/op")
	}
}
