package nsutil

import "errors"

// ErrInvalidName is wrapped by every error that rejects a namespace name
// (see ValidName), so that a caller can tell bad input from a refusal of
// the system: errors.Is(err, nsutil.ErrInvalidName).
var ErrInvalidName = errors.New("invalid netns name")

// nameError is a refusal by ValidName: its text is the reason alone.
type nameError struct{ reason string }

func invalidName(reason string) error { return &nameError{reason} }

func (e *nameError) Error() string        { return e.reason }
func (e *nameError) Is(target error) bool { return target == ErrInvalidName }

// An OpError reports which namespace operation failed and why. Err keeps
// the errno underneath: errors.Is(err, os.ErrNotExist) or
// errors.Is(err, unix.EEXIST) work through it.
type OpError struct {
	Op   string // "netns add", "netns del", "netns exec", "sysctl set", ...
	Name string // the namespace's name; empty for an anonymous one
	Key  string // for "sysctl get" and "sysctl set": the sysctl, as given
	Err  error
}

// Error renders "netns add red: create /run/netns/red: file exists". A
// sysctl error names the key and not the namespace, which its caller
// already names ("up: step ... in red failed: sysctl set
// net.ipv4.ip_forward: read-only file system"); Name still holds it.
func (e *OpError) Error() string {
	s := e.Op
	switch {
	case e.Key != "":
		s += " " + e.Key
	case e.Name != "":
		s += " " + e.Name
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *OpError) Unwrap() error { return e.Err }
