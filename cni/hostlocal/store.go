package hostlocal

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/internal/sorting"
	"golang.org/x/sys/unix"
)

const (
	lastIPPrefix = "last_reserved_ip."
	lineBreak    = "\r\n" // between container ID and ifname, as host-local writes it
)

// A Store is one network's directory of reservations. Its methods other
// than Lock, Unlock and Close expect the caller to hold the lock, as
// host-local's do; one Store is used by one goroutine at a time.
type Store struct {
	dir  string
	lock *os.File
}

// Open creates <dataDir>/<network> (0755) and its lock file if needed.
func Open(dataDir, network string) (*Store, error) {
	if dataDir == "" {
		dataDir = DefaultDataDir
	}
	dir := filepath.Join(dataDir, network)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// host-local's go-filemutex: O_CREAT|O_RDONLY, mode 0750.
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDONLY, 0o750)
	if err != nil {
		return nil, err
	}
	return &Store{dir: dir, lock: f}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// Lock takes the exclusive flock that host-local takes too.
func (s *Store) Lock() error {
	for {
		err := unix.Flock(int(s.lock.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			return os.NewSyscallError("flock", err)
		}
	}
}

// Unlock releases it.
func (s *Store) Unlock() error {
	return os.NewSyscallError("flock", unix.Flock(int(s.lock.Fd()), unix.LOCK_UN))
}

// Close closes the lock file (releasing the lock).
func (s *Store) Close() error { return s.lock.Close() }

func owner(id, ifname string) string { return strings.TrimSpace(id) + lineBreak + ifname }

// Reserve creates the file for a holding id and ifname, exclusively;
// false if a is taken. It records a as range set rangeID's last
// reservation.
func (s *Store) Reserve(id, ifname string, a netip.Addr, rangeID int) (bool, error) {
	name := filepath.Join(s.dir, a.String())
	f, err := os.OpenFile(name, os.O_RDWR|os.O_EXCL|os.O_CREATE, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := f.WriteString(owner(id, ifname)); err != nil {
		f.Close()
		os.Remove(name)
		return false, err
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return false, err
	}
	last := filepath.Join(s.dir, lastIPPrefix+strconv.Itoa(rangeID))
	if err := os.WriteFile(last, []byte(a.String()), 0o600); err != nil {
		os.Remove(name)
		return false, err
	}
	return true, nil
}

// LastReserved is range set rangeID's last reservation; invalid if none.
func (s *Store) LastReserved(rangeID int) netip.Addr {
	data, err := os.ReadFile(filepath.Join(s.dir, lastIPPrefix+strconv.Itoa(rangeID)))
	if err != nil {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(string(data))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// Owner reads who holds a: ok false if nobody.
func (s *Store) Owner(a netip.Addr) (id, ifname string, ok bool) {
	data, err := os.ReadFile(filepath.Join(s.dir, a.String()))
	if err != nil {
		return "", "", false
	}
	id, ifname = parseOwner(string(data))
	return id, ifname, true
}

// parseOwner splits a reservation's content; files written by host-local
// before 0.7 hold the container ID only.
func parseOwner(data string) (id, ifname string) {
	id, ifname, _ = strings.Cut(strings.TrimSpace(data), lineBreak)
	return id, ifname
}

// Release removes the reservation of a if id and ifname hold it. Its
// absence is not an error.
func (s *Store) Release(a netip.Addr, id, ifname string) error {
	gid, gif, ok := s.Owner(a)
	if !ok || strings.TrimSpace(id) != gid || gif != ifname && gif != "" {
		return nil
	}
	err := os.Remove(filepath.Join(s.dir, a.String()))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// A Reservation is one reservation file.
type Reservation struct {
	Addr        netip.Addr
	ContainerID string
	IfName      string // "" for files of host-local before 0.7
}

// List reads every reservation of the store, in directory order. Files
// that are not reservations (lock, last_reserved_ip.N, others') are
// skipped.
func (s *Store) List() ([]Reservation, error) {
	ents, err := sorting.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []Reservation
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		a, err := netip.ParseAddr(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.dir, e.Name()))
		if err != nil {
			continue
		}
		id, ifname := parseOwner(string(data))
		out = append(out, Reservation{Addr: a, ContainerID: id, IfName: ifname})
	}
	return out, nil
}

// ByID lists the addresses id and ifname hold (or id alone, in files of
// host-local before 0.7), as host-local's GetByID; it reads every file.
func (s *Store) ByID(id, ifname string) ([]netip.Addr, error) {
	rs, err := s.List()
	if err != nil {
		return nil, err
	}
	id = strings.TrimSpace(id)
	var out []netip.Addr
	for _, r := range rs {
		if r.ContainerID == id && (r.IfName == ifname || r.IfName == "") {
			out = append(out, r.Addr)
		}
	}
	return out, nil
}

// ReleaseByID removes every reservation of id and ifname (host-local's
// ReleaseByID, also for the ID-only files of old versions).
func (s *Store) ReleaseByID(id, ifname string) error {
	as, err := s.ByID(id, ifname)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range as {
		if err := os.Remove(filepath.Join(s.dir, a.String())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
