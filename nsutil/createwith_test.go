package nsutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// TestCreateWithRunsInside checks that inside runs in the new namespace
// (the thread's netns inode is the one the named file refers to) and that
// a failing inside leaves no namespace behind.
func TestCreateWithRunsInside(t *testing.T) {
	sandbox.Require(t)
	var seen unix.Stat_t
	ns, err := CreateWith("cw-ok", func() error {
		return unix.Stat("/proc/thread-self/ns/net", &seen)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ns.Close()
		if err := Delete("cw-ok"); err != nil {
			t.Error(err)
		}
	}()
	var st unix.Stat_t
	if err := unix.Fstat(int(ns.File().Fd()), &st); err != nil {
		t.Fatal(err)
	}
	if seen.Ino != st.Ino || seen.Dev != st.Dev {
		t.Errorf("inside ran in netns %d:%d, the namespace is %d:%d", seen.Dev, seen.Ino, st.Dev, st.Ino)
	}
	var self unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &self); err != nil {
		t.Fatal(err)
	}
	if self.Ino == st.Ino {
		t.Error("the process itself moved into the new namespace")
	}

	boom := errors.New("boom")
	if _, err := CreateWith("cw-fail", func() error { return boom }); !errors.Is(err, boom) {
		t.Errorf("CreateWith with a failing inside = %v, want %v", err, boom)
	}
	if _, err := os.Stat(filepath.Join(RunDir, "cw-fail")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after a failing inside, %s/cw-fail: %v, want it gone", RunDir, err)
	}
}
