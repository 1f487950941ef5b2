package nsutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// TestIdentifyAndPIDs: a namespace bound under two names is identified
// by the name ip names (the last one in directory order); PIDs finds a
// process started inside, and Processes shows its NSpid and hostname.
func TestIdentifyAndPIDs(t *testing.T) {
	sandbox.Require(t)
	ns := create(t, "id-a")
	alias := filepath.Join(RunDir, "id-b")
	if err := os.WriteFile(alias, nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(filepath.Join(RunDir, "id-a"), alias, "", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Delete("id-b") })
	p, err := Run(&RunSpec{NetNS: ns, Hostname: "idhost", Detach: true, Env: os.Environ(), Argv: []string{"sleep", "100"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { p.Signal(unix.SIGKILL); p.Wait() }()
	got, err := Identify(p.Pid())
	want := strings.TrimSpace(sandbox.Run(t, "ip", "netns", "identify", strconv.Itoa(p.Pid())))
	if err != nil || got != want || want == "" {
		t.Errorf("Identify = %q, %v; ip netns identify says %q", got, err, want)
	}
	if got, err := ns.Identify(); err != nil || got != want {
		t.Errorf("NetNS.Identify = %q, %v; want %q", got, err, want)
	}
	if got, err := Identify(0); err != nil || got != "" {
		t.Errorf("Identify(self) = %q, %v; want \"\" (the sandbox has no name)", got, err)
	}
	pids, err := ns.PIDs()
	if err != nil || len(pids) != 1 || pids[0] != p.Pid() {
		t.Errorf("PIDs = %v, %v; want [%d]", pids, err, p.Pid())
	}
	procs, err := ns.Processes()
	if err != nil || len(procs) != 1 || procs[0].InnerPID() != 1 || procs[0].Hostname != "idhost" ||
		strings.Join(procs[0].Cmdline, " ") != "sleep 100" || len(procs[0].NSpid) != 2 {
		t.Errorf("Processes = %+v, %v", procs, err)
	}
	if out, _ := exec.Command("ip", "netns", "pids", "id-a").Output(); strings.TrimSpace(string(out)) != strconv.Itoa(p.Pid()) {
		t.Errorf("ip netns pids id-a = %q", out)
	}
}
