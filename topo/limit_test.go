package topo

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLoadLimit: a file over MaxFileSize is refused with a message naming
// the limit, whether its size is known (a regular file, checked before
// reading) or not (/dev/zero, read up to the limit); issue 9 M1: Load
// read /dev/zero until the process ran out of memory.
func TestLoadLimit(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, path := range []string{big, "/dev/zero"} {
		if path == "/dev/zero" {
			if _, err := os.Stat(path); err != nil {
				t.Log("no /dev/zero here")
				continue
			}
		}
		_, err := Load(path)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), path+": the file is larger than 16 MiB, the limit for a topology file") {
			t.Errorf("Load(%s): %v", path, err)
		}
	}
	if _, err := Parse("p.json", make([]byte, MaxFileSize+1)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("Parse of MaxFileSize+1 bytes: %v", err)
	}
}

// TestUnknownFieldNotRead: a field decode does not know is refused at its
// key; its value, a list of a million strings here, is never turned into
// values (issue 9 M1: a 100 MB list in an unknown field crashed nsnet out
// of memory, having been parsed whole first).
func TestUnknownFieldNotRead(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\"host\": {},\n \"junk\": [")
	for i := range 1_000_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"x"`)
	}
	b.WriteString("]}")
	data := []byte(b.String())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Parse("junk.json", data)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), `junk.json:2: unknown field "junk" in the topology`) {
		t.Fatalf("got %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("refusing the unknown field allocated %d bytes for a %d-byte file: its value was read", n, len(data))
	}
}
