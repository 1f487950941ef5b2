package nsutil

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// onDisposableThread runs fn on a fresh goroutine locked to its OS thread
// and returns fn's error. The goroutine never unlocks, so when fn returns
// the runtime destroys the thread, whatever fn did to its namespaces.
//
// If the goroutine landed on the main thread (the program did not lock its
// main goroutine in init), it must not change that thread: the runtime
// would wedge it in the new namespace (golang/go#34031) and
// /proc/self/ns/net would then report that namespace. It hands fn to a
// further goroutine, which cannot run on the main thread because this one
// holds it, and then unlocks the main thread, which it never changed.
func onDisposableThread(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() == unix.Getpid() {
			err := onDisposableThread(fn)
			runtime.UnlockOSThread() // safe: nothing was changed on this thread
			errc <- err
			return
		}
		errc <- fn() // deliberately never unlocked: the thread dies here
	}()
	return <-errc
}

// NewAnonymous creates a network namespace and returns a file that keeps
// it alive (closing the last reference, with no process inside, frees
// it). unshare(2) runs on a disposable thread (STYLE R7).
func NewAnonymous() (*os.File, error) {
	var f *os.File
	err := onDisposableThread(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return os.NewSyscallError("unshare", err)
		}
		var err error
		f, err = os.Open("/proc/thread-self/ns/net")
		return err
	})
	if err != nil {
		return nil, &OpError{Op: "netns new", Err: err}
	}
	return f, nil
}

// Do runs fn on an OS thread that has joined n and returns fn's error.
// It is for the few things the calling thread's namespace decides:
// opening /proc/sys/net/..., creating a socket that no Dial covers.
// Goroutines that fn starts run elsewhere and are NOT in n. The thread is
// discarded afterwards, never switched back (STYLE R7).
func (n *NetNS) Do(fn func() error) error {
	err := onDisposableThread(func() error {
		if err := unix.Setns(int(n.f.Fd()), unix.CLONE_NEWNET); err != nil {
			return &OpError{Op: "netns enter", Name: n.name, Err: os.NewSyscallError("setns", err)}
		}
		return fn()
	})
	runtime.KeepAlive(n)
	return err
}
