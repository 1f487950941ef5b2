// Package podtest starts "pods" for tests: a process in a network
// namespace of its own, as a container runtime makes one, which a CNI
// plugin knows only by the path /proc/PID/ns/net. Only tests import it.
package podtest

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/nsnet/nsnet/nsutil"
)

// A Pod is `unshare -n sleep 600`, killed (by PID) when the test ends.
type Pod struct {
	ID   string // a container ID for it
	Path string // its network namespace: /proc/PID/ns/net
	cmd  *exec.Cmd
}

// Start starts a pod and waits until its namespace exists (up to 30 s: on
// a loaded 2-core machine unshare can take seconds).
func Start(t testing.TB, id string) *Pod {
	t.Helper()
	cmd := exec.Command("unshare", "-n", "sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatalf("unshare: %v", err)
	}
	p := &Pod{ID: id, cmd: cmd, Path: fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid)}
	t.Cleanup(p.Stop)
	self, _ := os.Readlink("/proc/self/ns/net")
	for deadline := time.Now().Add(30 * time.Second); ; {
		if l, err := os.Readlink(p.Path); err == nil && l != self {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatal("unshare -n did not make a namespace")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Stop kills the pod (its namespace goes with it) and reaps it.
func (p *Pod) Stop() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill() // ours, by PID
		_ = p.cmd.Wait()
	}
}

// NS opens the pod's namespace, closed when the test ends.
func (p *Pod) NS(t testing.TB) *nsutil.NetNS {
	t.Helper()
	ns, err := nsutil.OpenPath(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	return ns
}
