package nft

import (
	"errors"
	"fmt"
)

var (
	errShortNfgenmsg = errors.New("message shorter than nfgenmsg")
	errNoExprName    = errors.New("expression without NFTA_EXPR_NAME")
	errBadComment    = errors.New("malformed rule comment")
)

// An OpError reports which request failed and why. In a transaction it names
// the first message the kernel rejected; More counts the later messages that
// failed too (they usually fail because of the first).
type OpError struct {
	Op   string // "rule add", "chain add", "commit", ...
	Obj  string // "inet nsnet postrouting", ...
	Err  error  // a unix.Errno (or a policy sentinel of a package above): errors.Is works
	Hint string // kernel extended-ACK text, when there is one
	More int    // further failed messages of the same transaction
}

// Error returns "op obj: err (hint)", leaving out the parts that are
// empty, and counts the later failed messages of a transaction.
func (e *OpError) Error() string {
	s := e.Op
	if e.Obj != "" {
		s += " " + e.Obj
	}
	s += ": " + e.Err.Error()
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	if e.More > 0 {
		s += fmt.Sprintf(" (and %d later messages of the transaction)", e.More)
	}
	return s
}

// Unwrap returns Err, so that errors.Is(err, unix.EEXIST) works.
func (e *OpError) Unwrap() error { return e.Err }
