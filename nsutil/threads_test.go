package nsutil

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// TestThreadsStayHome proves the thread discipline of STYLE R7: after 200
// create/exec/Do/delete cycles (4 workers at once) every thread of the
// process is in the namespace the process started in, and the number of
// threads has not grown with the number of cycles.
func TestThreadsStayHome(t *testing.T) {
	sandbox.Require(t)
	home := pathInode(t, "/proc/self/ns/net")
	before := len(tasks(t))

	const workers, cycles = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range cycles {
				if err := cycle(fmt.Sprintf("cyc-%d-%d", w, i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	if got := pathInode(t, "/proc/self/ns/net"); got != home {
		t.Fatalf("the thread-group leader is in %s, want %s", got, home)
	}
	// A disposable thread is destroyed just after its goroutine hands the
	// result back, so one may still be exiting. Threads never switch
	// back: a thread elsewhere can only disappear, so waiting for it is
	// not a way for a leak to pass.
	var away map[string]string
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		away = map[string]string{}
		for tid, ns := range tasks(t) {
			if ns != home {
				away[tid] = ns
			}
		}
		if len(away) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(away) != 0 {
		t.Errorf("threads outside %s after the cycles: %v", home, away)
	}
	if after := len(tasks(t)); after > before+16 {
		t.Errorf("thread count grew from %d to %d over %d cycles", before, after, workers*cycles)
	} else {
		t.Logf("threads: %d before, %d after %d cycles", before, after, workers*cycles)
	}
}

// cycle is one create/exec/Do/delete round trip.
func cycle(name string) error {
	ns, err := Create(name)
	if err != nil {
		return err
	}
	defer ns.Close()
	cmd := exec.Command("true")
	if err := ns.Start(cmd); err != nil {
		Delete(name)
		return err
	}
	if err := cmd.Wait(); err != nil {
		Delete(name)
		return fmt.Errorf("exec in %s: %w", name, err)
	}
	if _, err := ns.SysctlGet("net.ipv4.ip_forward"); err != nil {
		Delete(name)
		return err
	}
	return Delete(name)
}

// tasks maps every thread of the process to its network namespace.
// Threads that exit while being read are left out.
func tasks(t *testing.T) map[string]string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]string, len(ents))
	for _, e := range ents {
		ns, err := os.Readlink("/proc/self/task/" + e.Name() + "/ns/net")
		if err == nil {
			m[e.Name()] = ns
		}
	}
	return m
}

// TestMainThreadUntouched runs a program that forgot to lock its main
// goroutine: nsutil's workers can then be scheduled on the main thread,
// which they must hand over instead of moving it to another namespace.
func TestMainThreadUntouched(t *testing.T) {
	sandbox.Require(t)
	if testing.Short() {
		t.Skip("builds a program")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs the go command")
	}
	out, err := exec.Command(gobin, "run", "./testdata/m0check").CombinedOutput()
	if err != nil || string(out) != "ok\n" {
		t.Fatalf("m0check: %v\n%s", err, out)
	}
}
