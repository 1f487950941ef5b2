package nsutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

func TestParseCInt(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"42", 42, true},
		{"0", 0, true},
		{"0x1f", 31, true},
		{"0X1F", 31, true},
		{"017", 15, true},
		{" 7", 7, true},
		{"+7", 7, true},
		{"-7", -7, true},
		{"2147483647", 2147483647, true},
		{"2147483648", 0, false},
		{"-2147483649", 0, false},
		{"", 0, false},
		{"red", 0, false},
		{"42a", 0, false},
		{"4 2", 0, false},
		{"7 ", 0, false},
		{"08", 0, false},
		{"0x", 0, false},
		{"0x-1", 0, false},
		{"+-1", 0, false},
		{"1_000", 0, false},
	} {
		got, ok := parseCInt(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseCInt(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestOpenNameOrPID: issue 9 H1. A namespace whose name is all digits is
// that namespace, even when a process has that PID; a PID is used only
// when no such name exists.
func TestOpenNameOrPID(t *testing.T) {
	sandbox.Require(t)
	// A process in another (unnamed) namespace, to move links to by PID.
	other := create(t, "nop-other")
	sleep := exec.Command("sleep", "300")
	if err := other.Start(sleep); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	otherIno := inode(t, other.File())
	pid := strconv.Itoa(sleep.Process.Pid)

	// No namespace named pid: the process's namespace.
	ns, err := OpenNameOrPID(pid)
	if err != nil {
		t.Fatal(err)
	}
	if got := inode(t, ns.File()); got != otherIno {
		t.Errorf("OpenNameOrPID(%s) = %s, want the process's namespace %s", pid, got, otherIno)
	}
	ns.Close()
	hex, err := OpenNameOrPID("0x" + strconv.FormatInt(int64(sleep.Process.Pid), 16))
	if err != nil {
		t.Fatal(err)
	}
	if got := inode(t, hex.File()); got != otherIno {
		t.Errorf("hex PID: %s, want %s", got, otherIno)
	}
	hex.Close()

	// A namespace named pid: that one, not the process's.
	named := create(t, pid)
	ns, err = OpenNameOrPID(pid)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := inode(t, ns.File()), inode(t, named.File()); got != want || ns.Name() != pid {
		t.Errorf("OpenNameOrPID(%s) = %s (name %q), want the namespace named %s, %s", pid, got, ns.Name(), pid, want)
	}
	ns.Close()
	// Open never takes a PID.
	if _, err := Open(strconv.Itoa(os.Getpid())); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(own PID) = %v, want not exist", err)
	}

	// Neither a name nor a number; a number that is no process.
	if _, err := OpenNameOrPID("nop-missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenNameOrPID(nop-missing) = %v, want not exist", err)
	}
	for _, w := range []string{"0", "-1", "2147483647"} {
		if _, err := OpenNameOrPID(w); !errors.Is(err, unix.ESRCH) {
			t.Errorf("OpenNameOrPID(%s) = %v, want ESRCH", w, err)
		}
	}
}

// FuzzParseCInt holds parseCInt to C's strtol(s, &end, 0) with *end ==
// 0 and an int result, which is strconv.ParseInt(s, 0, 32) after C's
// leading white space, on the words Go's base-0 syntax reads the same
// way (no '_', no 0o or 0b prefix); and a value read is read back from
// its decimal and hex forms.
func FuzzParseCInt(f *testing.F) {
	for _, s := range []string{"42", "0x1f", "017", " -7", "+0X10", "08", "0x", "2147483648", "red"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseCInt(s)
		if !strings.ContainsAny(s, "_oObB") {
			want, err := strconv.ParseInt(strings.TrimLeft(s, " \t\n\v\f\r"), 0, 32)
			if ok != (err == nil) || ok && v != want {
				t.Fatalf("parseCInt(%q) = %d, %v; strtol would give %d, %v", s, v, ok, want, err)
			}
		}
		if !ok {
			return
		}
		for _, back := range []string{strconv.FormatInt(v, 10), fmt.Sprintf("%#x", v)} {
			if w, ok := parseCInt(back); !ok || w != v {
				t.Fatalf("parseCInt(%q) = %d, %v; want %d", back, w, ok, v)
			}
		}
	})
}
