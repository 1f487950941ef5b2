package sandbox

import (
	"fmt"
	"os"
	"sort"
	"strconv"
)

// warmPoller makes the runtime create its lazily opened descriptors (the
// epoll instance and its eventfd, on the first pollable file) before the
// first snapshot, so they are not mistaken for a leak of the tests.
func warmPoller() error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("count open fds: %w", err)
	}
	r.Close()
	w.Close()
	return nil
}

// fdSnapshot maps every open descriptor of the process to its readlink
// target. The descriptor used to read /proc/self/fd is gone by the time it
// is resolved and is left out.
func fdSnapshot() (map[int]string, error) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, fmt.Errorf("count open fds: %w", err)
	}
	fds := make(map[int]string, len(ents))
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue // the directory's own fd, closed by now
		}
		fds[fd] = target
	}
	return fds, nil
}

// leaked describes the descriptors open in after that were not open (or
// pointed elsewhere) in before, e.g. "fd 7 -> socket:[1234]", by number.
func leaked(before, after map[int]string) []string {
	var fds []int
	for fd, target := range after {
		if old, ok := before[fd]; !ok || old != target {
			fds = append(fds, fd)
		}
	}
	sort.Ints(fds)
	out := make([]string, len(fds))
	for i, fd := range fds {
		out[i] = fmt.Sprintf("fd %d -> %s", fd, after[fd])
	}
	return out
}
