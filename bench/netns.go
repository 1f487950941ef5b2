package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// RunDir is where iproute2 (and nsnet) keep named network namespaces.
const RunDir = "/run/netns"

// rawNS is a named namespace made by the floor: its fd and a NETLINK_ROUTE
// socket created inside it.
type rawNS struct {
	f    *os.File
	sock *nlSock
}

func (n *rawNS) Close() error {
	return errors.Join(n.sock.Close(), n.f.Close())
}

type nsReq struct {
	name string
	res  chan nsRes
}

type nsRes struct {
	ns  *rawNS
	err error
}

// nsMaker creates named namespaces on one locked OS thread that unshares
// once per namespace and is thrown away at the end (its goroutine returns
// without unlocking), so no other goroutine ever runs in a namespace it
// made. This is the cheapest correct way: no thread start per namespace.
type nsMaker struct{ req chan nsReq }

func newNSMaker() *nsMaker {
	m := &nsMaker{req: make(chan nsReq)}
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with us
		for r := range m.req {
			ns, err := unshareNamed(r.name)
			r.res <- nsRes{ns, err}
		}
	}()
	return m
}

func (m *nsMaker) Close() { close(m.req) }

func (m *nsMaker) create(name string) (*rawNS, error) {
	res := make(chan nsRes, 1)
	m.req <- nsReq{name, res}
	r := <-res
	return r.ns, r.err
}

// unshareNamed runs on the maker's locked thread: a new netns, a socket
// inside it, and a bind mount at RunDir/name as `ip netns add` makes.
func unshareNamed(name string) (*rawNS, error) {
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return nil, os.NewSyscallError("unshare", err)
	}
	sock, err := openNL()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(RunDir, name)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0)
	if err != nil {
		sock.Close()
		return nil, &os.PathError{Op: "create", Path: path, Err: err}
	}
	unix.Close(fd)
	if err := unix.Mount("/proc/thread-self/ns/net", path, "none", unix.MS_BIND, ""); err != nil {
		sock.Close()
		os.Remove(path)
		return nil, &os.PathError{Op: "bind mount", Path: path, Err: err}
	}
	f, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		sock.Close()
		return nil, err
	}
	return &rawNS{f: f, sock: sock}, nil
}

// deleteNamed is `ip netns del`: detach the bind mount and unlink it. The
// kernel frees the namespace, and every device in it, asynchronously.
func deleteNamed(name string) error {
	path := filepath.Join(RunDir, name)
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil {
		return &os.PathError{Op: "umount", Path: path, Err: err}
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("netns del %s: %w", name, err)
	}
	return nil
}
