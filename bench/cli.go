package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ColdStart runs argv (a whole process, output discarded) runs times and
// returns each run's wall time.
func ColdStart(argv []string, runs int) ([]time.Duration, error) {
	d := make([]time.Duration, 0, runs)
	for range runs {
		cmd := exec.Command(argv[0], argv[1:]...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		t := time.Now()
		err := cmd.Run()
		el := time.Since(t)
		if err != nil {
			return d, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, bytes.TrimSpace(stderr.Bytes()))
		}
		d = append(d, el)
	}
	return d, nil
}

// ColdPair runs a and b alternately, runs times each, so that both see the
// same machine state.
func ColdPair(a, b []string, runs int) (da, db []time.Duration, err error) {
	for range runs {
		x, err := ColdStart(a, 1)
		if err != nil {
			return nil, nil, err
		}
		y, err := ColdStart(b, 1)
		if err != nil {
			return nil, nil, err
		}
		da, db = append(da, x...), append(db, y...)
	}
	return da, db, nil
}

// NamedNamespaces creates n empty named namespaces nb0..nb(n-1) (for the
// `-n NS` cold-start figures) and returns a function that deletes them.
func NamedNamespaces(n int) (func() error, error) {
	mk := newNSMaker()
	names := make([]string, 0, n)
	del := func() error {
		mk.Close()
		var first error
		for _, name := range names {
			if err := deleteNamed(name); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	for i := range n {
		name := fmt.Sprintf("nb%d", i)
		ns, err := mk.create(name)
		if err != nil {
			del()
			return nil, err
		}
		ns.Close()
		names = append(names, name)
	}
	return del, nil
}

// FileSize is one file counted in a binary-size figure.
type FileSize struct {
	Path string
	Size int64
}

// BinarySize returns the size of the program at path (looked up in PATH
// when it has no slash) and of every shared library ldd(1) lists for it.
// static reports that ldd found none.
func BinarySize(path string) (files []FileSize, static bool, err error) {
	if !strings.Contains(path, "/") {
		if path, err = exec.LookPath(path); err != nil {
			return nil, false, err
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	files = append(files, FileSize{path, st.Size()})
	out, err := exec.Command("ldd", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "not a dynamic executable") || strings.Contains(string(out), "statically linked") {
		return files, true, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var lib string
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			lib = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			lib = f[0]
		default:
			continue // linux-vdso
		}
		if target, err := filepath.EvalSymlinks(lib); err == nil {
			lib = target
		}
		if st, err := os.Stat(lib); err == nil {
			files = append(files, FileSize{lib, st.Size()})
		}
	}
	return files, false, nil
}

// UnionSize sums the sizes of the distinct files across lists.
func UnionSize(lists ...[]FileSize) int64 {
	total, _ := Union(lists...)
	return total
}

// Union returns the total size and the number of distinct files across lists.
func Union(lists ...[]FileSize) (total int64, files int) {
	seen := map[string]bool{}
	for _, l := range lists {
		for _, f := range l {
			if !seen[f.Path] {
				seen[f.Path] = true
				total += f.Size
			}
		}
	}
	return total, len(seen)
}
