package nsutil

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// An IDMap is one line of /proc/PID/uid_map or gid_map
// (user_namespaces(7)): Count ids from Inside on map to Outside on.
type IDMap struct {
	Inside, Outside, Count uint32
}

// UserNS is a user namespace to create at clone time. Nil maps mean the
// default: the caller (its effective uid and gid) is root inside, and
// nothing else is mapped.
type UserNS struct {
	UID, GID []IDMap
}

// maxIDMapLines is the kernel's limit on lines in a map (since 4.15,
// UID_GID_MAP_MAX_EXTENTS).
const maxIDMapLines = 340

// ParseIDMaps reads "INSIDE:OUTSIDE:COUNT[,INSIDE:OUTSIDE:COUNT...]", as
// in --user=0:100000:65536. It refuses what the kernel would refuse when
// the map is written: a zero count, a range that wraps past 2^32-1, ranges
// that overlap inside or outside, more than 340 lines.
func ParseIDMaps(s string) ([]IDMap, error) {
	if s == "" {
		return nil, errors.New("empty id map: expected INSIDE:OUTSIDE:COUNT, like 0:100000:65536")
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxIDMapLines {
		return nil, fmt.Errorf("id map has %d ranges, the kernel takes at most %d", len(parts), maxIDMapLines)
	}
	var out []IDMap
	for _, p := range parts {
		f := strings.Split(p, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("id map range %q: expected INSIDE:OUTSIDE:COUNT, like 0:100000:65536", p)
		}
		var v [3]uint32
		for i, w := range f {
			n, err := strconv.ParseUint(w, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("id map range %q: %q is not a number from 0 to 4294967295", p, w)
			}
			v[i] = uint32(n)
		}
		m := IDMap{Inside: v[0], Outside: v[1], Count: v[2]}
		switch {
		case m.Count == 0:
			return nil, fmt.Errorf("id map range %q: the count is 0", p)
		case uint64(m.Inside)+uint64(m.Count) > 1<<32 || uint64(m.Outside)+uint64(m.Count) > 1<<32:
			return nil, fmt.Errorf("id map range %q runs past id 4294967295", p)
		}
		for _, o := range out {
			if overlap(o.Inside, o.Count, m.Inside, m.Count) || overlap(o.Outside, o.Count, m.Outside, m.Count) {
				return nil, fmt.Errorf("id map ranges %s and %q overlap", o, p)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func overlap(a, n, b, m uint32) bool {
	return uint64(a) < uint64(b)+uint64(m) && uint64(b) < uint64(a)+uint64(n)
}

// String renders the range as ParseIDMaps reads it.
func (m IDMap) String() string {
	return fmt.Sprintf("%d:%d:%d", m.Inside, m.Outside, m.Count)
}

// FormatIDMaps renders maps as ParseIDMaps reads them.
func FormatIDMaps(maps []IDMap) string {
	s := make([]string, len(maps))
	for i, m := range maps {
		s[i] = m.String()
	}
	return strings.Join(s, ",")
}

func (u *UserNS) maps() (uids, gids []IDMap) {
	uids, gids = u.UID, u.GID
	if uids == nil {
		uids = []IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}}
	}
	if gids == nil {
		gids = []IDMap{{Inside: 0, Outside: uint32(os.Getegid()), Count: 1}}
	}
	return uids, gids
}

func procIDMaps(maps []IDMap) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(maps))
	for i, m := range maps {
		out[i] = syscall.SysProcIDMap{ContainerID: int(m.Inside), HostID: int(m.Outside), Size: int(m.Count)}
	}
	return out
}
