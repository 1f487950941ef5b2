package nsutil

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A Process is one process as `nsnet ps` shows it.
type Process struct {
	PID      int      // in the caller's pid namespace (the host PID)
	NSpid    []int    // /proc/PID/status NSpid: the PID in each nested pid namespace, outermost (PID) first
	Hostname string   // the hostname of its uts namespace
	Cmdline  []string // /proc/PID/cmdline; [comm] for a kernel thread or a zombie
}

// InnerPID is the process's PID inside its own pid namespace: the last
// NSpid entry (PID itself when it has no pid namespace of its own).
func (p Process) InnerPID() int {
	if len(p.NSpid) == 0 {
		return p.PID
	}
	return p.NSpid[len(p.NSpid)-1]
}

// devIno identifies a namespace (or any file).
type devIno struct{ dev, ino uint64 }

func statDevIno(path string) (devIno, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return devIno{}, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	return devIno{st.Dev, st.Ino}, nil
}

// pidDirs lists /proc's process directories in readdir order, as
// iproute2's netns_pids walks them.
func pidDirs() ([]string, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	out := names[:0]
	for _, n := range names {
		if n != "" && strings.Trim(n, "0123456789") == "" {
			out = append(out, n)
		}
	}
	return out, nil
}

// PIDs returns the processes in n, as `ip netns pids NAME` finds them
// (netns_pids): every /proc/PID whose ns/net has n's device and inode, in
// /proc's order. A process that exits meanwhile is skipped.
func (n *NetNS) PIDs() ([]int, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(n.f.Fd()), &st); err != nil {
		return nil, &OpError{Op: "netns pids", Name: n.name, Err: os.NewSyscallError("fstat", err)}
	}
	want := devIno{st.Dev, st.Ino}
	dirs, err := pidDirs()
	if err != nil {
		return nil, &OpError{Op: "netns pids", Name: n.name, Err: err}
	}
	var pids []int
	for _, d := range dirs {
		if got, err := statDevIno("/proc/" + d + "/ns/net"); err == nil && got == want {
			pid, _ := strconv.Atoi(d)
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// Processes returns the processes in n with their NSpid, hostname and
// command line.
func (n *NetNS) Processes() ([]Process, error) {
	pids, err := n.PIDs()
	if err != nil {
		return nil, err
	}
	return describe(pids), nil
}

// describe reads what ps shows of each PID. Hostnames are read once per
// uts namespace, on one disposable thread that joins each in turn
// (setns(CLONE_NEWUTS), uname): /proc has no file for another process's
// hostname.
func describe(pids []int) []Process {
	out := make([]Process, 0, len(pids))
	uts := map[devIno]string{}
	utsOf := make([]devIno, 0, len(pids))
	for _, pid := range pids {
		dir := "/proc/" + strconv.Itoa(pid)
		status, err := os.ReadFile(dir + "/status")
		if err != nil {
			continue // gone
		}
		p := Process{PID: pid, NSpid: nspid(status)}
		if b, err := os.ReadFile(dir + "/cmdline"); err == nil && len(b) > 0 {
			p.Cmdline = strings.Split(string(bytes.TrimSuffix(b, []byte{0})), "\x00")
		} else if b, err := os.ReadFile(dir + "/comm"); err == nil {
			p.Cmdline = []string{"[" + strings.TrimSpace(string(b)) + "]"}
		}
		id, _ := statDevIno(dir + "/ns/uts")
		uts[id] = ""
		utsOf = append(utsOf, id)
		out = append(out, p)
	}
	_ = onDisposableThread(func() error {
		for i, p := range out {
			id := utsOf[i]
			if uts[id] != "" {
				continue
			}
			f, err := os.Open("/proc/" + strconv.Itoa(p.PID) + "/ns/uts")
			if err != nil {
				continue
			}
			if unix.Setns(int(f.Fd()), unix.CLONE_NEWUTS) == nil {
				var u unix.Utsname
				if unix.Uname(&u) == nil {
					uts[id] = unix.ByteSliceToString(u.Nodename[:])
				}
			}
			f.Close()
		}
		return nil
	})
	for i := range out {
		out[i].Hostname = uts[utsOf[i]]
	}
	return out
}

// nspid reads the NSpid line of /proc/PID/status.
func nspid(status []byte) []int {
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "NSpid:"); ok {
			var out []int
			for _, f := range strings.Fields(v) {
				n, err := strconv.Atoi(f)
				if err != nil {
					return nil
				}
				out = append(out, n)
			}
			return out
		}
	}
	return nil
}

// A NetNSProcesses is one named namespace and the processes in it.
type NetNSProcesses struct {
	Name  string
	Procs []Process
}

// AllProcesses returns, for every named namespace in RunDir order, its
// processes: one walk of /proc for all of them.
func AllProcesses() ([]NetNSProcesses, error) {
	names, err := runDirNames()
	if err != nil {
		return nil, &OpError{Op: "ps", Err: err}
	}
	index := map[devIno]int{}
	out := make([]NetNSProcesses, len(names))
	for i, name := range names {
		out[i].Name = name
		if id, err := statDevIno(filepath.Join(RunDir, name)); err == nil {
			if _, dup := index[id]; !dup {
				index[id] = i // a namespace bound under two names is listed under the first
			}
		}
	}
	dirs, err := pidDirs()
	if err != nil {
		return nil, &OpError{Op: "ps", Err: err}
	}
	pids := make([][]int, len(names))
	for _, d := range dirs {
		id, err := statDevIno("/proc/" + d + "/ns/net")
		if err != nil {
			continue
		}
		if i, ok := index[id]; ok {
			pid, _ := strconv.Atoi(d)
			pids[i] = append(pids[i], pid)
		}
	}
	for i := range out {
		out[i].Procs = describe(pids[i])
	}
	return out, nil
}

// runDirNames lists RunDir in directory order; a missing RunDir is empty.
func runDirNames() ([]string, error) {
	d, err := os.Open(RunDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Readdirnames(-1)
}

// Identify returns the name under RunDir of the network namespace of
// process pid (0: the caller), as `ip netns identify [PID]` does
// (netns_identify_pid): RunDir is walked in directory order and the last
// name whose file has the namespace's device and inode wins; "" if none
// has. A missing RunDir is no name, not an error.
func Identify(pid int) (string, error) {
	p := "/proc/self/ns/net"
	if pid != 0 {
		p = "/proc/" + strconv.Itoa(pid) + "/ns/net"
	}
	want, err := statDevIno(p)
	if err != nil {
		return "", &OpError{Op: "netns identify", Err: err}
	}
	return identify(want)
}

// Identify is the package function for the namespace n itself: what `ip
// -n NAME netns identify` prints (ip switches first, then asks about
// "self").
func (n *NetNS) Identify() (string, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(n.f.Fd()), &st); err != nil {
		return "", &OpError{Op: "netns identify", Name: n.name, Err: os.NewSyscallError("fstat", err)}
	}
	return identify(devIno{st.Dev, st.Ino})
}

func identify(want devIno) (string, error) {
	names, err := runDirNames()
	if err != nil {
		return "", &OpError{Op: "netns identify", Err: err}
	}
	name := ""
	for _, n := range names {
		if id, err := statDevIno(filepath.Join(RunDir, n)); err == nil && id == want {
			name = n
		}
	}
	return name, nil
}
