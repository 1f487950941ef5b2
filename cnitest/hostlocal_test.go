package cnitest

import (
	"fmt"
	"strings"
	"testing"
)

// TestHostLocalInterop: the reference host-local and nsnet share one
// store. Each skips the other's addresses, continues the other's
// round-robin, finds the other's reservations (host-local's CHECK
// finds nsnet's; nsnet's DEL frees host-local's, of a container it never
// saw), so a network switches between them keeping every allocation.
func TestHostLocalInterop(t *testing.T) {
	require(t)
	n := newNetwork()
	conf := func(typ string) string {
		return fmt.Sprintf(`{"cniVersion":"1.0.0","name":%q,"type":%q,"bridge":%q,"ipam":{"type":"host-local","subnet":%q}}`,
			n.name, typ, n.bridge, n.subnet)
	}
	other := startPod(t, "other") // host-local refuses its own netns as CNI_NETNS
	ref := func(cmd, id string) string {
		t.Helper()
		out, err := run(t, []string{"CNI_COMMAND=" + cmd, "CNI_CONTAINERID=" + id, "CNI_NETNS=" + other.Path, "CNI_IFNAME=eth0", "CNI_PATH=" + binDir},
			conf("host-local"), binDir+"/host-local")
		if err != nil {
			t.Fatalf("host-local %s %s: %v %s", cmd, id, err, out)
		}
		return out
	}
	c := cniConfig()
	net := n.list(t, "1.0.0", n.nsnetPlugin(""))
	a := ref("ADD", "ref-a") // .2
	p := startPod(t, "nsnet-b")
	if _, err := c.AddNetworkList(ctx(t), net, p.rt("eth0", nil)); err != nil { // .3: after host-local's last_reserved_ip
		t.Fatal(err)
	}
	ref("ADD", "ref-c") // .4: after nsnet's
	gw := n.gateway()
	want := map[string]string{
		gw.Next().String():               "ref-a\r\neth0",
		gw.Next().Next().String():        "nsnet-b\r\neth0",
		gw.Next().Next().Next().String(): "ref-c\r\neth0",
		"last_reserved_ip.0":             gw.Next().Next().Next().String(),
		"lock":                           "",
	}
	got := reservations(t, n.name)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (store %q, first result %s)", k, got[k], v, got, a)
		}
	}
	if len(got) != len(want) {
		t.Errorf("store %q", got)
	}
	// host-local's CHECK finds nsnet's reservation
	out, err := run(t, []string{"CNI_COMMAND=CHECK", "CNI_CONTAINERID=nsnet-b", "CNI_NETNS=" + other.Path, "CNI_IFNAME=eth0", "CNI_PATH=" + binDir},
		conf("host-local"), binDir+"/host-local")
	if err != nil {
		t.Errorf("host-local CHECK of nsnet's attachment: %v %s", err, out)
	}
	// nsnet's DEL of a container only host-local knows frees its file
	out, err = run(t, []string{"CNI_COMMAND=DEL", "CNI_CONTAINERID=ref-a", "CNI_IFNAME=eth0", "CNI_PATH=" + binDir}, conf("nsnet"), binDir+"/nsnet")
	if err != nil {
		t.Errorf("nsnet DEL of host-local's attachment: %v %s", err, out)
	}
	if _, ok := reservations(t, n.name)[gw.Next().String()]; ok {
		t.Errorf("nsnet's DEL left host-local's reservation")
	}
	// host-local's DEL frees nsnet's
	ref("DEL", "nsnet-b")
	for k, v := range reservations(t, n.name) {
		if strings.HasPrefix(v, "nsnet-b") {
			t.Errorf("host-local's DEL left %s", k)
		}
	}
	if err := c.DelNetworkList(ctx(t), net, p.rt("eth0", nil)); err != nil {
		t.Fatal(err)
	}
	ref("DEL", "ref-c")
}
