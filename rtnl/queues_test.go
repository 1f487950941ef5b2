package rtnl

import (
	"testing"
)

// TestIntegrationVethQueues creates a veth whose two ends have one TX and
// one RX queue each (IFLA_NUM_TX_QUEUES / IFLA_NUM_RX_QUEUES; by default
// a veth gets one per possible CPU, and allocating them is a large part of
// a veth's creation cost) and checks both ends with `ip -d -j`, then that
// a dump decodes the same numbers.
func TestIntegrationVethQueues(t *testing.T) {
	host := newTestNS(t, "rtnl-q-host")
	red := newTestNS(t, "rtnl-q-red")
	veth := &Link{
		Name: "vq0", NumTxQueues: 1, NumRxQueues: 1,
		Info: &Veth{Peer: Link{Name: "eth0", NetNS: red.f, NumTxQueues: 1, NumRxQueues: 1}},
	}
	if err := host.c.LinkAdd(veth); err != nil {
		t.Fatal(err)
	}
	for _, end := range []struct {
		ns   *testNS
		name string
	}{{host, "vq0"}, {red, "eth0"}} {
		j := one(t, end.ns.ip(t, "-d", "link", "show", "dev", end.name))
		if j["num_tx_queues"] != 1.0 || j["num_rx_queues"] != 1.0 {
			t.Errorf("%s: ip -d says num_tx_queues=%v num_rx_queues=%v, want 1 and 1", end.name, j["num_tx_queues"], j["num_rx_queues"])
		}
		l := end.ns.link(t, end.name)
		if l.NumTxQueues != 1 || l.NumRxQueues != 1 {
			t.Errorf("%s: decoded NumTxQueues=%d NumRxQueues=%d, want 1 and 1", end.name, l.NumTxQueues, l.NumRxQueues)
		}
	}
}

func TestQueuesRoundTrip(t *testing.T) {
	in := Link{Name: "vq0", NumTxQueues: 3, NumRxQueues: 2}
	b, err := in.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out Link
	if err := out.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if out.NumTxQueues != 3 || out.NumRxQueues != 2 || out.Name != "vq0" {
		t.Errorf("round trip: %+v", out)
	}
}
