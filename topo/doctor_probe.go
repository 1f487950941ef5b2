package topo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/nsnet/nsnet/probe"
	"github.com/nsnet/nsnet/rtnl"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// Gateway probing: doctor pings every IPv4 gateway from inside the
// namespace that routes through it, on a bounded pool of goroutines, and
// deletes the neighbour entries each probe made (in that namespace, and
// in the gateway's) as soon as it is done. The kernel's neighbour table
// is shared by every namespace and capped by gc_thresh3 (1024 by
// default): pinging a thousand gateways at once, or one after the other
// without deleting anything, fills it (2 entries per probe), and then the
// probes themselves fail with ENOBUFS or go unanswered. With the pool
// sized from the table's free room and every probe cleaning up after
// itself, doctor holds at most 2 entries per running probe.
//
// When the file says which interface has the gateway, the probe's ARP
// request goes to that interface's MAC only, and its answer becomes the
// namespace's entry for the gateway (added by doctor, STALE, deleted
// after), so that the ping needs no ARP of its own. A broadcast ARP
// request on a bridge reaches every port: a thousand probes on a bridge
// of a thousand namespaces are a million deliveries, which overflow the
// CPUs' backlog queues (net.core.netdev_max_backlog) and lose the very
// answers doctor waits for. The unicast request still proves that the
// gateway answers ARP, and only through its bridge: a port that left the
// bridge receives a frame for the bridge's MAC as not its own and drops
// it. Only a probe that fails this way is repeated the old way
// (broadcast), to tell the failures apart.

const (
	maxProbes     = 32              // probes at once, at most
	probeTimeout  = 3 * time.Second // a ping's wait for its reply, and an ARP probe's for an answer
	probeEntries  = 2               // entries one probe creates: its gateway here, its source there
	probeHeadroom = 2               // the pool may use 1/probeHeadroom of the table's free room
)

// A gwJob is one gateway probe and the item it fills in.
type gwJob struct {
	item    int // index in the report
	obj     string
	ns, dev string
	gw      netip.Addr
	hostEnd End // the far end of dev's veth (Name "" if dev is not a veth of the file)
	h       *handle
	index   int32        // dev's ifindex in ns
	src     []netip.Addr // ns's IPv4 addresses on dev: what the gateway's side learns
	far     *handle      // the namespace that has gw; nil when the file does not say
	farNS   string
	farDev  string
	farIdx  int32
	farMAC  net.HardwareAddr // the MAC of farDev: where the unicast ARP request goes

	// Results.
	answered, retried bool
	perr, arpErr      error // the ping's error; the ARP probe's (after a failed ping)
	arpDone           bool
	cleanupErr        error
}

// probeOps is what a gateway probe does to the kernel. kernelProbes is the
// real one; tests use a fake that models a small neighbour table.
type probeOps interface {
	// ping sends one echo request to j.gw from j.h and reports whether
	// it was answered within timeout.
	ping(ctx context.Context, j *gwJob, timeout time.Duration) (bool, error)
	// arp asks who has j.gw on j.dev; nil means someone answered.
	arp(ctx context.Context, j *gwJob, timeout time.Duration) error
	// arpAt asks the same of the station with mac only (unicast) and
	// returns the MAC that answered.
	arpAt(ctx context.Context, j *gwJob, mac net.HardwareAddr, timeout time.Duration) (net.HardwareAddr, error)
	// neighAdd adds a STALE entry for ip at mac on index in h unless h
	// has one; it reports whether it added it.
	neighAdd(h *handle, index int32, ip netip.Addr, mac net.HardwareAddr) (bool, error)
	// neighHas reports whether h has a neighbour entry for ip on index.
	neighHas(h *handle, index int32, ip netip.Addr) (bool, error)
	// neighDel deletes it; an entry already gone is not an error.
	neighDel(h *handle, index int32, ip netip.Addr) error
	// tables reads the kernel's neighbour tables.
	tables() ([]rtnl.NeighTable, error)
}

// kernelProbes probes with package probe and reads and deletes
// neighbour entries with each namespace's rtnetlink socket.
type kernelProbes struct{ host *handle }

func (k kernelProbes) ping(ctx context.Context, j *gwJob, timeout time.Duration) (bool, error) {
	st, err := probe.Ping(ctx, j.h.ns.File(), j.gw, probe.PingOptions{Count: 1, Timeout: timeout}, nil)
	return err == nil && st.Received > 0, err
}

func (k kernelProbes) arp(ctx context.Context, j *gwJob, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := probe.Resolve(ctx, j.h.ns.File(), j.dev, j.gw)
	return err
}

func (k kernelProbes) arpAt(ctx context.Context, j *gwJob, mac net.HardwareAddr, timeout time.Duration) (net.HardwareAddr, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return probe.ResolveAt(ctx, j.h.ns.File(), j.dev, j.gw, mac)
}

func (k kernelProbes) neighAdd(h *handle, index int32, ip netip.Addr, mac net.HardwareAddr) (bool, error) {
	// NLM_F_EXCL: never replace an entry someone else has.
	err := h.c.NeighAdd(&rtnl.Neigh{Index: index, IP: ip, LLAddr: mac, State: unix.NUD_STALE})
	if errors.Is(err, unix.EEXIST) {
		return false, nil
	}
	return err == nil, err
}

func (k kernelProbes) neighHas(h *handle, index int32, ip netip.Addr) (bool, error) {
	_, err := h.c.NeighGet(index, ip)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	return err == nil, err
}

func (k kernelProbes) neighDel(h *handle, index int32, ip netip.Addr) error {
	err := h.c.NeighDel(&rtnl.Neigh{Index: index, IP: ip})
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	return err
}

func (k kernelProbes) tables() ([]rtnl.NeighTable, error) { return k.host.c.NeighTables(0) }

// arpState is what the ARP table looked like at one moment.
type arpState struct {
	limit, entries int
	fulls          uint64 // ndts_table_fulls: entries the kernel could not create, ever
	err            error
}

func readARPState(ops probeOps) arpState {
	tables, err := ops.tables()
	if err != nil {
		return arpState{err: err}
	}
	for _, t := range tables {
		if t.Family == unix.AF_INET && t.Config != nil {
			s := arpState{limit: int(t.Thresh3), entries: int(t.Config.Entries)}
			if t.Stats != nil {
				s.fulls = t.Stats.TableFulls
			}
			return s
		}
	}
	return arpState{err: errors.New("the kernel reported no ARP table")}
}

// probeLimit is how many probes may run at once: at most maxProbes, and
// no more than 1/probeHeadroom of the table's free room allows at
// probeEntries each; at least one. Unknown room gets the default table's.
func probeLimit(s arpState) int {
	free := defaultThresh3 - s.entries
	if s.err == nil {
		free = s.limit - s.entries
	}
	return min(maxProbes, max(1, free/probeHeadroom/probeEntries))
}

// gatewayJob prepares the probe of gw on dev from ns, or returns the item
// that says why it is not probed. The item is reserved in the report.
func (d *doctor) gatewayJob(ns, obj string, gw netip.Addr, dev string) {
	if !gw.Is4() {
		d.add(CheckGateway, obj, Pass, "IPv6 gateway on a connected subnet (neighbour discovery not probed)", "")
		return
	}
	hostEnd := d.peerEnd[ns+"|"+dev]
	if hostEnd.Name != "" && (d.broken[hostEnd.Netns+"|"+hostEnd.Name] || hostEnd.Bridge != "" && d.broken["|"+hostEnd.Bridge]) {
		d.add(CheckGateway, obj, Skip, "the path to the gateway is not ready (see above)", "")
		return
	}
	if d.hostBlocked {
		d.add(CheckGateway, obj, Skip, "another nftables table drops the host's own traffic (see below)", "")
		return
	}
	j := &gwJob{item: len(d.rep.Items), obj: obj, ns: ns, dev: dev, gw: gw, hostEnd: hostEnd, h: d.s.get(ns)}
	nl := d.lv.get(ns)
	if l := nl.links[dev]; l != nil {
		j.index = l.Index
		for _, a := range nl.addrs {
			if a.Index == l.Index && a.Prefix().Addr().Is4() {
				j.src = append(j.src, a.Prefix().Addr())
			}
		}
	}
	if owner, ok := d.ownerOf(gw); ok {
		if fl := d.lv.get(owner.Netns); fl != nil && fl.links[owner.Name] != nil {
			l := fl.links[owner.Name]
			j.far, j.farNS, j.farDev, j.farIdx, j.farMAC = d.s.get(owner.Netns), owner.Netns, owner.Name, l.Index, l.Address
		}
	}
	d.add(CheckGateway, obj, Skip, "not probed", "") // filled in by probeGateways
	d.jobs = append(d.jobs, j)
}

// probeGateways runs the prepared probes on a bounded pool, tries the
// failed ones once more on their own (a probe that only timed out under
// load answers then), and fills in their items.
func (d *doctor) probeGateways(ctx context.Context) {
	if len(d.jobs) == 0 {
		return
	}
	before := readARPState(d.ops)
	limit := probeLimit(before)
	run := func(jobs []*gwJob, retry bool) {
		var g errgroup.Group
		g.SetLimit(limit)
		for _, j := range jobs {
			g.Go(func() error {
				d.probeOne(ctx, j, retry)
				return nil
			})
		}
		_ = g.Wait() // probeOne keeps its errors in j
	}
	run(d.jobs, false)
	var failed []*gwJob
	for _, j := range d.jobs {
		if !j.answered {
			failed = append(failed, j)
		}
	}
	run(failed, true)
	after := readARPState(d.ops)
	var fw fwCache
	for _, j := range d.jobs {
		d.rep.Items[j.item] = d.gatewayItem(j, before, after, &fw)
	}
}

// probeOne pings j's gateway (and, on a first try that fails, asks for it
// with ARP), then deletes the neighbour entries the probe created: the
// gateway's in j's namespace, j's addresses in the gateway's namespace.
// An entry that was there before is left alone; one that cannot be looked
// up is taken as there before.
func (d *doctor) probeOne(ctx context.Context, j *gwJob, retry bool) {
	type entry struct {
		h     *handle
		index int32
		ip    netip.Addr
		had   bool
	}
	ents := []entry{{h: j.h, index: j.index, ip: j.gw}}
	if j.far != nil {
		for _, ip := range j.src {
			ents = append(ents, entry{h: j.far, index: j.farIdx, ip: ip})
		}
	}
	for i := range ents {
		had, err := d.ops.neighHas(ents[i].h, ents[i].index, ents[i].ip)
		ents[i].had = had || err != nil
	}
	switch {
	case retry:
		j.retried = true
		j.answered, _ = d.ops.ping(ctx, j, probeTimeout)
	case len(j.farMAC) == 6 && j.index != 0 && d.unicastProbe(ctx, j, &ents[0].had):
		j.answered = true
	default:
		// The old way: the kernel resolves the gateway for the ping
		// (broadcast), and when the ping fails an ARP probe of our own
		// tells a dead gateway from replies that do not come back.
		ok, perr := d.ops.ping(ctx, j, probeTimeout)
		j.answered, j.perr = ok, perr
		if !ok {
			j.arpErr, j.arpDone = d.ops.arp(ctx, j, probeTimeout), true
		}
	}
	for _, e := range ents {
		if e.had || e.index == 0 {
			continue
		}
		if err := d.ops.neighDel(e.h, e.index, e.ip); err != nil && j.cleanupErr == nil {
			j.cleanupErr = fmt.Errorf("delete the neighbour entry %s%s: %w", e.ip, inNS(e.h.name), err)
		}
	}
}

// unicastProbe asks the gateway's expected MAC for it, gives the
// namespace the answer as its neighbour entry (unless it has one: then
// *had is set, and that entry is not doctor's to delete), and pings. It
// reports whether the ping was answered.
func (d *doctor) unicastProbe(ctx context.Context, j *gwJob, had *bool) bool {
	mac, err := d.ops.arpAt(ctx, j, j.farMAC, probeTimeout)
	if err != nil {
		return false
	}
	if !*had {
		added, err := d.ops.neighAdd(j.h, j.index, j.gw, mac)
		if err == nil && !added {
			*had = true // appeared meanwhile: someone else's
		}
	}
	ok, _ := d.ops.ping(ctx, j, probeTimeout)
	return ok
}

// gatewayItem is the report's item for a finished probe. A failure names
// what else than the topology can cause it, and what doctor ruled out: a
// full neighbour table (a kernel limit), a foreign firewall in the
// namespaces on the path, load (the second try).
func (d *doctor) gatewayItem(j *gwJob, before, after arpState, fw *fwCache) Item {
	it := Item{Check: CheckGateway, Object: j.obj, Status: Pass}
	if j.answered {
		if j.retried {
			it.Detail = fmt.Sprintf("answered on a second try only (the first: %s): the machine is loaded, or the path flapped", firstTry(j))
		}
		if j.cleanupErr != nil {
			// The topology is fine; doctor left an entry behind.
			it.Status, it.Detail = Warn, "answered, but "+j.cleanupErr.Error()
		}
		return it
	}
	it.Status = Fail
	overflow := after.err == nil && before.err == nil && after.fulls > before.fulls
	if errors.Is(j.perr, unix.ENOBUFS) || overflow {
		what := "the kernel's neighbour table, shared by every namespace, was full"
		if overflow {
			what += fmt.Sprintf(" (it refused %d entries during doctor's probes, with %d of at most %d in use)", after.fulls-before.fulls, after.entries, after.limit)
		}
		it.Detail = fmt.Sprintf("%s: %s; a kernel limit, not a fault of the topology", firstTry(j), what)
		it.Fix = d.neighFix(after)
		return it
	}
	it.Detail, it.Fix = firstTry(j), d.upFix()
	he := j.hostEnd
	if he.Bridge != "" && he.Netns == "" {
		hl := d.lv.host.links[he.Name]
		br := d.lv.host.links[he.Bridge]
		if hl != nil && br != nil && hl.Master != uint32(br.Index) {
			it.Detail += fmt.Sprintf(" (%s is not attached to bridge %s)", he.Name, he.Bridge)
			it.Fix = "nsnet link set " + he.Name + " master " + he.Bridge
			return it
		}
	}
	if j.far == nil {
		it.Detail += fmt.Sprintf(" (no interface in the file has %s)", j.gw)
	}
	// A foreign firewall in the namespaces on the path (the host's is
	// its own check, below).
	var walls []string
	for _, ns := range []string{j.ns, j.farNS} {
		if ns == "" {
			continue
		}
		bs, err := fw.blockers(d, ns)
		if err != nil {
			walls = append(walls, fmt.Sprintf("the nftables rules of %s could not be read: %v", ns, err))
		}
		for _, b := range bs {
			walls = append(walls, fmt.Sprintf("in %s, %s", ns, b.how))
			it.Fix = nsnetExec(ns) + b.fix
		}
	}
	if len(walls) > 0 {
		it.Detail += "; " + strings.Join(walls, "; ") + " (a foreign firewall, not the topology)"
		return it
	}
	var ruled []string
	if before.err == nil && after.err == nil {
		ruled = append(ruled, "not a kernel limit (the neighbour table did not overflow)")
	}
	ruled = append(ruled, fmt.Sprintf("not load (a second try, after the others, got no answer in %s either)", probeTimeout))
	ruled = append(ruled, "no nftables base chain on the path drops it")
	it.Detail += "; " + strings.Join(ruled, ", ")
	return it
}

// firstTry describes how the first probe failed.
func firstTry(j *gwJob) string {
	switch {
	case j.perr != nil && errors.Is(j.perr, unix.ENOBUFS):
		return errWords(j.perr)
	case !j.arpDone:
		return fmt.Sprintf("no answer from %s", j.gw)
	case errors.Is(j.arpErr, probe.ErrNoReply):
		return fmt.Sprintf("no ARP answer from %s on %s", j.gw, j.dev)
	case j.arpErr != nil:
		return fmt.Sprintf("no ARP answer from %s on %s: %s", j.gw, j.dev, errWords(j.arpErr))
	case j.perr != nil:
		return fmt.Sprintf("%s answers ARP on %s, but %s", j.gw, j.dev, errWords(j.perr))
	}
	return fmt.Sprintf("%s answers ARP on %s, but not ping: the replies do not come back", j.gw, j.dev)
}

// errWords is a probe's error without the package's prefix.
func errWords(err error) string { return strings.TrimPrefix(err.Error(), "probe: ") }

// neighFix is the sysctl that makes room in the ARP table for this
// topology.
func (d *doctor) neighFix(s arpState) string {
	c := NeighCapacity{Family: "IPv4", Sysctl: "net.ipv4.neigh.default.gc_thresh3", Limit: s.limit, InUse: s.entries}
	c.Need, _ = d.t.neighNeed()
	return c.Fix()
}

// neighbours reports whether the kernel's neighbour tables can hold the
// topology's traffic to all its hosts at once: a warning (the topology
// itself works) with the sysctl that makes room, when they cannot.
func (d *doctor) neighbours() {
	caps := neighNeeds(d.t)
	if len(caps) == 0 {
		return
	}
	tables, err := d.ops.tables()
	fillNeighCapacity(caps, tables, err)
	for _, c := range caps {
		obj := c.Family + " neighbour table (" + c.Sysctl + ")"
		if w := c.Warning(); w != "" {
			d.add(CheckNeighbours, obj, Warn, w, c.Fix())
			continue
		}
		if c.Err != nil {
			d.add(CheckNeighbours, obj, Pass, fmt.Sprintf("%d entries needed; the limit is unknown (%v), and the kernel's default, %d, holds them", c.Need, c.Err, defaultThresh3), "")
			continue
		}
		d.add(CheckNeighbours, obj, Pass, fmt.Sprintf("%d entries needed, %d in use, at most %d", c.Need, c.InUse, c.Limit), "")
	}
}

// nsnetExec prefixes a command to run inside ns.
func nsnetExec(ns string) string {
	if ns == "" {
		return ""
	}
	return "nsnet netns exec " + ns + " "
}

// fwCache remembers, per namespace, the nftables chains that drop the
// namespace's own traffic, so that many failed gateways in one namespace
// read its rules once.
type fwCache struct {
	mu sync.Mutex
	m  map[string][]blocker
}

func (c *fwCache) blockers(d *doctor, ns string) ([]blocker, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if bs, ok := c.m[ns]; ok {
		return bs, nil
	}
	h := d.s.get(ns)
	if h == nil {
		return nil, nil
	}
	nc, err := dialNFT(h)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	bs, err := dropChains(nc, false)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string][]blocker{}
	}
	c.m[ns] = bs
	return bs, nil
}
