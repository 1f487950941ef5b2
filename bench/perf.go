package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// FloorOnly sets up n namespaces the floor's way, then deletes them and the
// bridge without waiting for the kernel to finish, with no output: the
// workload that PerfTop profiles (run as a child process so that perf(1)
// sees it from its first thread, and without Run's polling dumps).
func FloorOnly(n int, noIPv6 bool) error {
	e, err := NewEnv()
	if err != nil {
		return err
	}
	inst, err := rawWay(noIPv6, false).Start(e)
	if err != nil {
		return errors.Join(err, e.Close())
	}
	made := 0
	for ; made < n && err == nil; made++ {
		err = inst.Setup(made)
	}
	for i := range made {
		err = errors.Join(err, inst.Teardown(i))
	}
	return errors.Join(err, inst.Close(), e.Close())
}

// knownGrowth annotates kernel functions whose cost grows with the number
// of ports on one bridge or of namespaces with a veth to the host.
var knownGrowth = map[string]string{
	"__netdev_adjacent_dev_insert":              "bridge's adjacency list (upper/lower devs) searched linearly on every enslave",
	"__netdev_find_adj":                         "linear search of the bridge's lower-device list",
	"idr_for_each":                              "peernet2id: the host's nsid table scanned linearly for every veth whose peer is in another namespace",
	"br_add_if":                                 "bridge port add: loops over all ports (features, MTU, port count, neigh suppress)",
	"br_fdb_unsync_static":                      "walks the bridge's static FDB (one entry per port) when promiscuity is recomputed",
	"br_port_state_selection":                   "every port state change re-evaluates all ports",
	"br_features_recompute":                     "loops over all ports",
	"nbp_update_port_count":                     "loops over all ports",
	"br_manage_promisc":                         "loops over all ports",
	"__br_multicast_enable_port_ctx":            "multicast snooping: per-port querier/router state",
	"br_multicast_rcv":                          "IPv6 MLD reports flooded through the bridge",
	"ndisc_rcv":                                 "IPv6 neighbour discovery (DAD) packets received by every port's peer",
	"igmp6_event_report":                        "MLD reports received by every port's peer",
	"br_flood":                                  "multicast/broadcast frames copied to every port",
	"insert_header":                             "sysctl tables registered per new namespace/device (constant per namespace)",
	"synchronize_rcu_expedited":                 "RCU grace period under rtnl_lock",
	"mutex_spin_on_owner":                       "spinning for a contended mutex; with IPv6 on, callers are rtnl_newlink, inet_rtm_newaddr, inet_rtm_newroute waiting for rtnl_lock, which the kernel's IPv6 DAD/MLD work also takes for every new port",
	"ip6_pol_route":                             "IPv6 packets (DAD, router solicitations, MLD) flooded to every port and routed in each namespace",
	"ipv6_chk_mcast_addr":                       "IPv6 multicast packets flooded to every port, checked in each namespace",
	"fib6_node_lookup_1":                        "IPv6 route lookups for the flooded packets",
	"ip6_rcv_core":                              "IPv6 receive of the flooded packets",
	"__netif_receive_skb_core.constprop.0":      "packet receive (the flooded IPv6 multicast)",
	"_raw_spin_unlock_irqrestore":               "interrupts re-enabled: time spent with interrupts off is charged here (VM)",
	"finish_task_switch.isra.0":                 "context switches: sleeps in RCU waits and mutexes",
	"__netdev_update_features":                  "bridge features recomputed over all ports",
	"kernfs_link_sibling":                       "sysfs entries of new devices (brif/ and lower_* links in the bridge's directory: rbtree, O(log N))",
	"kernfs_add_one":                            "sysfs entries of new devices",
	"vprintk_store":                             "kernel log line per bridge port state change",
	"__raw_callee_save___kvm_vcpu_is_preempted": "paravirt spinlock check (VM): lock contention",
}

func note(sym string) string {
	if n, ok := knownGrowth[sym]; ok {
		return n
	}
	return knownGrowth[strings.TrimSuffix(sym, ".isra.0")]
}

// PerfTop profiles argv with `perf record -g` and returns the top kernel
// and user symbols by self time, as a markdown table.
func PerfTop(argv []string, top int) (string, error) {
	if _, err := exec.LookPath("perf"); err != nil {
		return "", missing("perf")
	}
	dir, err := os.MkdirTemp("", "nsbench-perf")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	data := filepath.Join(dir, "perf.data")
	rec := exec.Command("perf", append([]string{"record", "-q", "-F", "1999", "-g", "-o", data, "--"}, argv...)...)
	var stderr bytes.Buffer
	rec.Stderr = &stderr
	t := time.Now()
	if err := rec.Run(); err != nil {
		return "", fmt.Errorf("perf record: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	took := time.Since(t)
	out, err := exec.Command("perf", "report", "-i", data, "--no-children", "--sort", "sym", "-g", "none", "--stdio").Output()
	if err != nil {
		return "", fmt.Errorf("perf report: %w", err)
	}
	var rows [][]string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() && len(rows) < top {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || strings.HasPrefix(f[0], "#") || !strings.HasSuffix(f[0], "%") {
			continue
		}
		sym := strings.Join(f[2:], " ")
		rows = append(rows, []string{f[0], f[1], "`" + sym + "`", note(sym)})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "`perf record -g` of `nsbench %s` (the floor's setup of N namespaces on one bridge, then their deletion; %s wall), top %d symbols by self time (`[k]` kernel):\n\n", strings.Join(argv[1:], " "), took.Round(time.Millisecond), len(rows))
	table(&b, []string{"self", "", "symbol", "what it is"}, rows)
	return b.String(), nil
}
