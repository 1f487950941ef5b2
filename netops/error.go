package netops

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// A Kind is the sort of object a change is about.
type Kind uint8

// Kinds of objects.
const (
	KindNetns      Kind = iota + 1 // a named network namespace
	KindBridge                     // a bridge
	KindVeth                       // a veth pair (Name: the end created from the socket that made it)
	KindLink                       // a setting of an existing link (up, master, MTU)
	KindAddr                       // an address (Name: "10.0.0.1/24 dev eth0")
	KindRoute                      // a route (Name: "default via 10.0.0.1")
	KindSysctl                     // a sysctl (Name: "net.ipv4.ip_forward")
	KindMasquerade                 // a masquerade rule (Name: its canonical text)
	KindForward                    // a port forward (Name: its canonical text)
)

// String returns the kind in the words messages use.
func (k Kind) String() string {
	switch k {
	case KindNetns:
		return "netns"
	case KindBridge:
		return "bridge"
	case KindVeth:
		return "veth"
	case KindLink:
		return "link"
	case KindAddr:
		return "address"
	case KindRoute:
		return "route"
	case KindSysctl:
		return "sysctl"
	case KindMasquerade:
		return "masquerade"
	case KindForward:
		return "forward"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// An Object names what a change is about: its kind, the namespace it is
// in (as NS.Label names it) and its name there.
type Object struct {
	Kind Kind
	NS   string
	Name string
}

// String returns "bridge v-net-0 in the host".
func (o Object) String() string {
	s := o.Kind.String() + " " + o.Name
	if o.NS != "" {
		s += " in " + o.NS
	}
	return s
}

// A Verb is what a change does to its object.
type Verb uint8

// Verbs.
const (
	Create  Verb = iota + 1 // make the object
	Set                     // change a setting of an existing object
	Delete                  // remove the object (undo and teardown)
	Restore                 // put back what a change replaced (undo)
)

// String returns the verb in the words messages use.
func (v Verb) String() string {
	switch v {
	case Create:
		return "create"
	case Set:
		return "set"
	case Delete:
		return "delete"
	case Restore:
		return "restore"
	}
	return fmt.Sprintf("Verb(%d)", uint8(v))
}

// An Error is a change the kernel (or the system) refused. Err keeps the
// errno underneath (errors.Is(err, unix.EEXIST)); the lower layer's
// *rtnl.OpError, *nft.OpError or *nsutil.OpError is in the chain for the
// CLI to put into words. It carries no sentence of its own beyond
// "create veth veth-red in the host: ...".
type Error struct {
	Verb   Verb
	Object Object
	Err    error
}

func (e *Error) Error() string {
	return e.Verb.String() + " " + e.Object.String() + ": " + e.Err.Error()
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// A ConflictError is an object in the way of a change that this run did
// not create and that is not what the change wants: a link of another
// kind with the name, a veth paired with something else, an address or
// route someone else owns that differs. Nothing was changed for it. It
// wraps ErrConflict and unix.EEXIST.
type ConflictError struct {
	Object Object // what the change wanted
	Found  string // what is there instead: the kind of link ("bridge", "device"), or a description
}

// ErrConflict is wrapped by every *ConflictError.
var ErrConflict = errors.New("netops: conflict with an object this run did not create")

func (e *ConflictError) Error() string {
	return e.Object.String() + ": in the way: " + e.Found
}

// Unwrap lets errors.Is see ErrConflict and unix.EEXIST.
func (e *ConflictError) Unwrap() []error { return []error{ErrConflict, unix.EEXIST} }

// ErrGone is wrapped by the error of a change whose object (a bridge it
// attaches to, a namespace) was there when the change was planned and has
// disappeared since, typically because a concurrent `down` deleted it:
// the kernel's own answer (EINVAL for a veth with a master that does not
// exist) would not say so.
var ErrGone = errors.New("netops: it disappeared while the change was made")

// A GoneError says which object disappeared under a change.
type GoneError struct {
	Object Object // what disappeared
	Err    error  // the kernel's answer
}

func (e *GoneError) Error() string { return e.Object.String() + " disappeared: " + e.Err.Error() }

// Unwrap lets errors.Is see ErrGone and the kernel's errno.
func (e *GoneError) Unwrap() []error { return []error{ErrGone, e.Err} }

// ignoreMissing turns "it is already gone" into success, for undo.
func ignoreMissing(err error) error {
	for _, e := range []error{unix.ENODEV, unix.ENOENT, unix.ESRCH, unix.EADDRNOTAVAIL} {
		if errors.Is(err, e) {
			return nil
		}
	}
	return err
}
