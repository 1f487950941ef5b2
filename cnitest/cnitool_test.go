package cnitest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestCnitool drives nsnet with cnitool v1.3.0 as a user would: add,
// check, status, gc, del, with the conflist in NETCONFPATH.
func TestCnitool(t *testing.T) {
	require(t)
	n := newNetwork()
	dir := t.TempDir()
	list := fmt.Sprintf(`{"cniVersion":"1.1.0","name":%q,"plugins":[%s]}`, n.name, n.nsnetPlugin(""))
	if err := os.WriteFile(filepath.Join(dir, "10-nsnet.conflist"), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startPod(t, "cnitool")
	env := []string{"NETCONFPATH=" + dir, "CNI_PATH=" + binDir, "CNI_IFNAME=eth0",
		`CAP_ARGS={"portMappings":[{"hostPort":18200,"containerPort":80,"protocol":"tcp"}]}`}
	tool := func(args ...string) string {
		t.Helper()
		out, err := run(t, env, "", binDir+"/cnitool", args...)
		if err != nil {
			t.Fatalf("cnitool %v: %v\n%s", args, err, out)
		}
		return out
	}
	out := tool("add", n.name, p.Path)
	var r struct {
		CNIVersion string `json:"cniVersion"`
		IPs        []struct {
			Address string `json:"address"`
		} `json:"ips"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.CNIVersion != "1.1.0" || len(r.IPs) != 1 {
		t.Fatalf("add printed %s (%v)", out, err)
	}
	tool("check", n.name, p.Path)
	tool("status", n.name, p.Path)
	if len(reservations(t, n.name)) != 3 {
		t.Errorf("store after add: %v", reservations(t, n.name))
	}
	// cnitool's gc passes no valid list: libcni DELs every cached
	// attachment of the network, then sends GC without the list (which
	// nsnet answers by collecting nothing more).
	tool("gc", n.name, p.Path)
	if len(reservations(t, n.name)) != 2 {
		t.Errorf("gc left %v", reservations(t, n.name))
	}
	tool("del", n.name, p.Path) // idempotent
	if recs, _ := os.ReadDir(filepath.Join("/var/lib/cni/nsnet", n.name)); len(recs) != 0 {
		t.Errorf("records left: %v", recs)
	}
}
