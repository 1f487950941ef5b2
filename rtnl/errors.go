package rtnl

import "errors"

// An OpError reports which request failed and why, in terms a user knows:
// "link add veth-red: file exists (hint)".
type OpError struct {
	Op   string // the request, in iproute2's words: "link add", "addr del", "route dump"
	Obj  string // what it was about: "veth-red", "10.0.0.1/24"; may be empty
	Err  error  // usually a unix.Errno: errors.Is(err, unix.EEXIST) holds
	Hint string // the kernel's extended-ACK message, when it sent one
}

// ErrDumpInterrupted reports that the kernel marked a dump as inconsistent
// (NLM_F_DUMP_INTR: the table changed while it was being read) on every
// one of the bounded number of attempts. It is wrapped in an *OpError.
var ErrDumpInterrupted = errors.New("dump interrupted by concurrent changes")

// Error returns "op obj: err (hint)", leaving out the parts that are empty.
func (e *OpError) Error() string {
	s := e.Op
	if e.Obj != "" {
		s += " " + e.Obj
	}
	s += ": " + e.Err.Error()
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Unwrap returns Err, so that errors.Is(err, unix.EEXIST) works.
func (e *OpError) Unwrap() error { return e.Err }

// opError names the request that err failed: a kernel refusal becomes
// its errno and extended-ACK text, a failed system call stays itself.
func opError(op, obj string, err error) *OpError {
	oe := &OpError{Op: op, Obj: obj, Err: err}
	var ke *kernelError
	if errors.As(err, &ke) {
		oe.Err = ke.errno
		oe.Hint = ke.hint
	}
	return oe
}
