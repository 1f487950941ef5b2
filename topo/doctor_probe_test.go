package topo

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/probe"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sys/unix"
)

// fakeTable stands in for the kernel's ARP table in doctor's probes: one
// table for every namespace, with a hard limit, as neigh_alloc keeps it.
// The real table's limit (gc_thresh3) can only be lowered in the initial
// namespace, which tests must not touch, so the probes' mechanism (pool
// size, cleanup, naming the overflow) is tested against this model, on
// real namespaces. A probe creates what the kernel would: the gateway's
// entry in the probing namespace (kernel resolution or doctor's own add)
// and the prober's address in the gateway's namespace (learnt from its
// ARP request); a creation beyond the limit fails as in the kernel: a
// send gets ENOBUFS, an ARP request goes unanswered.
type fakeTable struct {
	mu      sync.Mutex
	limit   int
	entries map[neighKey]bool
	fulls   uint64
	peak    int
	running int // probes in flight
	maxRun  int
}

type neighKey struct {
	ns    string
	index int32
	ip    netip.Addr
}

func (f *fakeTable) create(k neighKey) bool {
	if f.entries[k] {
		return true
	}
	if len(f.entries) >= f.limit {
		f.fulls++
		return false
	}
	f.entries[k] = true
	f.peak = max(f.peak, len(f.entries))
	return true
}

// learn is the gateway's side hearing j's ARP request.
func (f *fakeTable) learn(j *gwJob) bool {
	ok := true
	for _, ip := range j.src {
		if j.far != nil {
			ok = f.create(neighKey{j.farNS, j.farIdx, ip}) && ok
		}
	}
	return ok
}

func (f *fakeTable) ping(ctx context.Context, j *gwJob, timeout time.Duration) (bool, error) {
	f.mu.Lock()
	f.running++
	f.maxRun = max(f.maxRun, f.running)
	f.mu.Unlock()
	time.Sleep(time.Millisecond) // let the pool fill up
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running--
	k := neighKey{j.ns, j.index, j.gw}
	if !f.entries[k] {
		if !f.create(k) {
			return false, fmt.Errorf("probe: ping %s: %w", j.gw, os.NewSyscallError("sendto", unix.ENOBUFS))
		}
		if !f.learn(j) {
			return false, nil // the gateway could not learn us: no ARP reply, no echo
		}
	}
	return true, nil
}

func (f *fakeTable) arp(ctx context.Context, j *gwJob, timeout time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.learn(j) {
		return fmt.Errorf("probe: arping %s on %s: %w", j.gw, j.dev, probe.ErrNoReply)
	}
	return nil
}

func (f *fakeTable) arpAt(ctx context.Context, j *gwJob, mac net.HardwareAddr, timeout time.Duration) (net.HardwareAddr, error) {
	if err := f.arp(ctx, j, timeout); err != nil {
		return nil, err
	}
	return mac, nil
}

func (f *fakeTable) neighAdd(h *handle, index int32, ip netip.Addr, mac net.HardwareAddr) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := neighKey{h.name, index, ip}
	if f.entries[k] {
		return false, nil
	}
	if !f.create(k) {
		return false, unix.ENOBUFS
	}
	return true, nil
}

func (f *fakeTable) neighHas(h *handle, index int32, ip netip.Addr) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.entries[neighKey{h.name, index, ip}], nil
}

func (f *fakeTable) neighDel(h *handle, index int32, ip netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.entries, neighKey{h.name, index, ip})
	return nil
}

func (f *fakeTable) tables() ([]rtnl.NeighTable, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []rtnl.NeighTable{{Family: unix.AF_INET, Name: "arp_cache", Thresh3: uint32(f.limit),
		Config: &rtnl.NeighTableConfig{Entries: uint32(len(f.entries))}, Stats: &rtnl.NeighTableStats{TableFulls: f.fulls}}}, nil
}

// upGenerated brings up n namespaces on one bridge, with forwarding (the
// namespaces route through the host), and removes them at the end.
func upGenerated(t *testing.T, n int) *Topology {
	t.Helper()
	top := generated(t, n)
	top.Host.Forwarding = true
	restoreForwarding(t)
	if _, err := Up(context.Background(), top, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := Down(context.Background(), top, Options{}); err != nil {
			t.Error(err)
		}
	})
	return top
}

func fakeDoctor(t *testing.T, top *Topology, f *fakeTable) *Report {
	t.Helper()
	s, err := openSys()
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	rep, err := doctorWith(context.Background(), top, "gen.json", s, f)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestDoctorProbesFitTheNeighbourTable: 150 namespaces need 300 entries
// for their gateways; the table holds 40, 4 of them someone else's.
// Doctor must pass every gateway (the topology is healthy), never hold
// more entries than fit, leave none of its own behind, and warn, as a
// kernel limit with the sysctl, that traffic to all hosts would not fit.
// Probing them all at once, or without deleting, overflows this table.
func TestDoctorProbesFitTheNeighbourTable(t *testing.T) {
	sandbox.Require(t)
	const n, limit, foreign = 150, 40, 4
	top := upGenerated(t, n)
	f := &fakeTable{limit: limit, entries: map[neighKey]bool{}}
	for i := range foreign {
		f.entries[neighKey{"elsewhere", 1, netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})}] = true
	}
	rep := fakeDoctor(t, top, f)
	gateways, warned := 0, false
	for _, it := range rep.Items {
		switch {
		case it.Status == Fail || it.Status == Skip:
			t.Errorf("%s: %s %s: %s", it.Status, it.Check, it.Object, it.Detail)
		case it.Check == CheckGateway:
			gateways++
		case it.Check == CheckNeighbours && it.Status == Warn:
			warned = true
			if !strings.Contains(it.Detail, "needs 300 IPv4 neighbour entries") || !strings.Contains(it.Detail, fmt.Sprintf("at most %d", limit)) ||
				!strings.HasPrefix(it.Fix, "sysctl -w net.ipv4.neigh.default.gc_thresh3=1024 ") {
				t.Errorf("the warning: %s; fix %s", it.Detail, it.Fix)
			}
		}
	}
	if gateways != n || !warned || !rep.OK() {
		t.Errorf("%d gateways passed of %d; warned %v; OK %v", gateways, n, warned, rep.OK())
	}
	if f.peak > limit || f.fulls != 0 {
		t.Errorf("doctor's probes overflowed the table: %d entries at the peak, %d refused", f.peak, f.fulls)
	}
	if want := probeLimit(arpState{limit: limit, entries: foreign}); f.maxRun > want || want != 9 {
		t.Errorf("%d probes ran at once, the limit is %d (want 9: (40-4)/2/2)", f.maxRun, want)
	}
	if len(f.entries) != foreign {
		t.Errorf("doctor left %d entries behind: %v", len(f.entries)-foreign, f.entries)
	}
}

// TestDoctorNamesAFullNeighbourTable: when the table is full (of others'
// entries), each probe fails with ENOBUFS or goes unanswered; doctor must
// say that the kernel's table is full and give the sysctl, not "nsnet up".
func TestDoctorNamesAFullNeighbourTable(t *testing.T) {
	sandbox.Require(t)
	top := upGenerated(t, 3)
	f := &fakeTable{limit: 20, entries: map[neighKey]bool{}}
	for i := range 20 {
		f.entries[neighKey{"elsewhere", 1, netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})}] = true
	}
	rep := fakeDoctor(t, top, f)
	failed := 0
	for _, it := range rep.Failed() {
		if it.Check != CheckGateway {
			t.Errorf("fails: %s %s: %s", it.Check, it.Object, it.Detail)
			continue
		}
		failed++
		if !strings.Contains(it.Detail, "neighbour table, shared by every namespace, was full") || !strings.Contains(it.Detail, "kernel limit") ||
			!strings.Contains(it.Detail, "no buffer space available") {
			t.Errorf("%s: detail %q does not name the full table", it.Object, it.Detail)
		}
		if !strings.HasPrefix(it.Fix, "sysctl -w net.ipv4.neigh.default.gc_thresh3=") || strings.Contains(it.Fix, "nsnet up") {
			t.Errorf("%s: fix %q", it.Object, it.Fix)
		}
	}
	if failed != 3 {
		t.Errorf("%d gateways failed, want all 3", failed)
	}
}

// restoreForwarding puts the sandbox's net.ipv4.ip_forward back at the
// end of the test (down leaves it as it is), for the tests after.
func restoreForwarding(t *testing.T) {
	const path = "/proc/sys/net/ipv4/ip_forward"
	was, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(path, was, 0); err != nil {
			t.Error(err)
		}
	})
}

// TestDoctorHealthyAtScale: the real probes on 300 namespaces on one
// bridge: every item passes (the machine's load is absorbed by the second
// try), and no neighbour entry is left in the host or any namespace.
func TestDoctorHealthyAtScale(t *testing.T) {
	sandbox.Require(t)
	const n = 300
	top := upGenerated(t, n)
	count := func() int {
		s, err := openSys()
		if err != nil {
			t.Fatal(err)
		}
		defer s.close()
		total := 0
		for _, ns := range append([]string{""}, nsNames(top)...) {
			h := s.host
			if ns != "" {
				if h, err = openNS(ns); err != nil || h == nil {
					t.Fatalf("open %s: %v", ns, err)
				}
				defer h.close()
			}
			entries, err := h.c.Neighs(unix.AF_INET)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.State != unix.NUD_NOARP { // the bridge's multicast entry
					total++
				}
			}
		}
		return total
	}
	before := count()
	start := time.Now()
	rep, err := Doctor(context.Background(), top, "gen.json")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("doctor of %d namespaces: %v", n, time.Since(start))
	gateways := 0
	for _, it := range rep.Items {
		if it.Status != Pass {
			t.Errorf("%s: %s %s: %s", it.Status, it.Check, it.Object, it.Detail)
		}
		if it.Check == CheckGateway {
			gateways++
		}
	}
	if gateways != n {
		t.Errorf("%d gateway items, want %d", gateways, n)
	}
	if after := count(); after != before {
		t.Errorf("%d neighbour entries before doctor, %d after", before, after)
	}
}

func nsNames(top *Topology) []string {
	var out []string
	for _, n := range top.Namespaces {
		out = append(out, n.Name)
	}
	return out
}
