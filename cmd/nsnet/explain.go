package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/nsnet/nsnet/firewall"
	"github.com/nsnet/nsnet/netops"
	"github.com/nsnet/nsnet/nft"
	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
	"github.com/nsnet/nsnet/topo"
)

// This file is the only place where errnos become sentences (STYLE.md R9).
// The libraries return errors that keep the errno (errors.Is works); the
// commands wrap them in a refused with what they know (the namespace, the
// name the failure is about); explain puts both in words:
//
//	link add veth-red: file exists (a link named veth-red is already in namespace red)

// refused is an error from a library plus the command's context.
type refused struct {
	err   error
	op    string // the user's command ("link del"), when the failing request was a lookup made for it
	obj   string // its object, with op
	where string // "namespace red" or "the current namespace"
	name  string // the link (or address, route...) the sentence is about; "" = the request's own object
	role  string // what name is, when it is not the link acted on: "bridge"
}

func (r *refused) Error() string { return r.err.Error() }
func (r *refused) Unwrap() error { return r.err }

// inNS wraps err (if any) with the namespace the request acted in.
func inNS(err error, where string) error {
	if err == nil {
		return nil
	}
	return &refused{err: err, where: where}
}

// notFound is a name that a show filter or lookup did not find.
type notFound struct {
	what, name, where string
	// lookup: the device was named for a lookup (iproute2's
	// ll_name_to_index: "Cannot find device"), not as a show filter of
	// links (`Device "x" does not exist.`).
	lookup bool
}

func (n *notFound) Error() string {
	return fmt.Sprintf("%s %s: no such device (there is no %s named %s in %s)", n.what, n.name, n.what, n.name, n.where)
}

// explain renders err as the line nsnet prints after "nsnet: ".
func explain(err error) string {
	var ref *refused
	wrapped := errors.As(err, &ref)
	if !wrapped {
		ref = &refused{err: err, where: "the current namespace"}
	}
	var ce *topo.ConflictError
	if errors.As(err, &ce) {
		lines := []string{topo.ErrConflict.Error() + ": nothing was changed:"}
		for _, st := range ce.Steps {
			lines = append(lines, fmt.Sprintf("  %s %s: %s", st.Kind, st.Object, strings.TrimPrefix(detail(st), " (")))
			lines[len(lines)-1] = strings.TrimSuffix(lines[len(lines)-1], ")")
		}
		return strings.Join(lines, "\n")
	}
	var gone *netops.GoneError
	if errors.As(err, &gone) {
		// The kernel alone says "invalid argument" for a veth whose
		// bridge is gone.
		return fmt.Sprintf("%s disappeared while nsnet was using it (deleted by another nsnet down or ip link del?): %s", gone.Object, errText(gone.Err))
	}
	var op *rtnl.OpError
	if errors.As(err, &op) {
		head, obj := op.Op, op.Obj
		if ref.op != "" {
			head, obj = ref.op, ref.obj
		} else if strings.HasPrefix(obj, "index ") && ref.name != "" {
			obj = ref.name // link set by index: name it as the user did
		}
		if obj != "" {
			head += " " + obj
		}
		head += ": " + errText(op.Err)
		var notes []string
		if why := reason(op.Op, op.Obj, op.Err, ref); why != "" {
			notes = append(notes, why)
		}
		if op.Hint != "" {
			notes = append(notes, "kernel: "+op.Hint)
		}
		if len(notes) > 0 {
			head += " (" + strings.Join(notes, "; ") + ")"
		}
		return head
	}
	var fop *nft.OpError
	if errors.As(err, &fop) {
		msg := fop.Error()
		if ref.op != "" {
			msg = ref.op + " " + ref.obj + ": " + errText(fop.Err)
			if fop.Hint != "" {
				msg += " (kernel: " + fop.Hint + ")"
			}
		}
		if why := reason("nat", ref.obj, fop.Err, ref); why != "" {
			msg += " (" + why + ")"
		}
		return msg
	}
	var nop *nsutil.OpError
	if errors.As(err, &nop) {
		msg := nop.Error()
		var notes []string
		if nop.Key != "" && wrapped {
			notes = append(notes, "in "+ref.where) // a sysctl error names the key only
		}
		if why := reason(nop.Op, nop.Name, nop.Err, ref); why != "" {
			notes = append(notes, why)
		}
		if len(notes) > 0 {
			msg += " (" + strings.Join(notes, "; ") + ")"
		}
		return msg
	}
	msg := err.Error()
	if ref.op != "" {
		msg = ref.op + " " + ref.obj + ": " + errText(err)
	}
	if why := reason("", "", err, ref); why != "" {
		msg += " (" + why + ")"
	}
	return msg
}

// errText is the errno in words ("file exists"), or the error as is.
func errText(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		return en.Error()
	}
	return err.Error()
}

// reason is the sentence for a failed op ("link add", "addr del", "netns
// add"...) on obj with err, or "" when errno and op say it all.
func reason(op, obj string, err error, ref *refused) string {
	object, _, _ := strings.Cut(op, " ")
	name := ref.name
	if name == "" {
		name = obj
	}
	where := ref.where
	is := func(e syscall.Errno) bool { return errors.Is(err, e) }
	switch {
	case is(syscall.EPERM), is(syscall.EACCES):
		return "nsnet needs root, or CAP_NET_ADMIN and CAP_SYS_ADMIN, for this"
	case object == "netns" && is(syscall.EEXIST):
		return fmt.Sprintf("a namespace named %s already exists in %s", name, nsutil.RunDir)
	case object == "netns" && errors.Is(err, nsutil.ErrAborted):
		return fmt.Sprintf("netns add %s replaces it, netns del %s removes it", name, name)
	case object == "netns" && errors.Is(err, nsutil.ErrNotNamespace):
		return "nsnet neither uses nor removes such an entry, and follows no symbolic link there"
	case object == "netns" && errors.Is(err, os.ErrNotExist):
		return fmt.Sprintf("there is no namespace named %s in %s", name, nsutil.RunDir)
	case object == "link" && is(syscall.EEXIST):
		return fmt.Sprintf("a link named %s is already in %s", name, where)
	case is(syscall.ENODEV):
		// ENODEV is not os.ErrNotExist (STYLE.md §3.6): test it itself.
		role := "link"
		if ref.role == "bridge" {
			role = ref.role
		}
		return fmt.Sprintf("there is no %s named %s in %s", role, name, where)
	case object == "link" && is(syscall.ENOTCONN):
		return "a veth peer cannot be created up; bring it up afterwards"
	case object == "link" && is(syscall.EOPNOTSUPP):
		return "the master must be a bridge, and the link must be one a bridge accepts"
	case object == "link" && is(syscall.EADDRNOTAVAIL):
		return "that MAC address cannot be used: it must be unicast and not all zeros"
	case object == "link" && is(syscall.EINVAL) && ref.role == "netns":
		return "this link cannot move to another namespace: lo and some virtual devices never can"
	case object == "addr" && is(syscall.EEXIST):
		return fmt.Sprintf("the address is already assigned there, in %s", where)
	case object == "addr" && is(syscall.EADDRNOTAVAIL):
		return fmt.Sprintf("the link has no such address in %s", where)
	case object == "route" && is(syscall.EEXIST):
		return fmt.Sprintf("a route to %s is already in the main table of %s", name, where)
	case object == "route" && is(syscall.ESRCH):
		return fmt.Sprintf("there is no such route in the main table of %s", where)
	case object == "route" && is(syscall.ENETUNREACH):
		return fmt.Sprintf("the gateway is not on a subnet of any link that is up in %s: add an address in its subnet and bring the link up first", where)
	case object == "route" && is(syscall.ENETDOWN):
		return fmt.Sprintf("the link is down in %s: bring it up first", where)
	case object == "neigh" && is(syscall.EEXIST):
		return fmt.Sprintf("there is already a neighbour entry for %s in %s", name, where)
	case object == "neigh" && is(syscall.ENOENT):
		return fmt.Sprintf("there is no neighbour entry for %s in %s", name, where)
	case errors.Is(err, firewall.ErrNotFound):
		return fmt.Sprintf("there is no such rule in table inet %s of %s; nsnet nat show lists them", firewall.NATTable, where)
	case object == "nat" && (is(syscall.EPROTONOSUPPORT) || is(syscall.EAFNOSUPPORT)):
		return "the kernel has no nf_tables support (CONFIG_NF_TABLES)"
	case is(syscall.EBUSY):
		return "the object is in use"
	}
	return ""
}

// The ip dialect. Invoked as ip, nsnet prints iproute2 6.1's message for
// each error and exits with its status, because scripts test and grep
// them (lib/libnetlink.c, lib/utils.c, ip/ip*.c of iproute2 v6.1.0):
//
//	kernel refusal, no extended ACK  RTNETLINK answers: File exists       2
//	kernel refusal with one          Error: ipv4: Address not found.      2
//	a device named by a command      Cannot find device "x"               1
//	a device in a show filter        Device "x" does not exist.           1
//	bad usage (invarg, usage())      Error: argument "x" is wrong: ...  255

// ipError is an error that knows iproute2's own message and exit status
// for it; nsnet's message (err) is kept for the nsnet dialect.
type ipError struct {
	err  error
	text string // iproute2 6.1's message, without the final newline
	code int    // iproute2 6.1's exit status
}

func (e *ipError) Error() string { return e.err.Error() }
func (e *ipError) Unwrap() error { return e.err }

// withIP attaches iproute2's message and status to err.
func withIP(err error, code int, format string, args ...any) error {
	return &ipError{err: err, text: fmt.Sprintf(format, args...), code: code}
}

// inputError is bad input that could only be found when the command ran
// (a table name, read from a file): nothing was changed, and nsnet exits 2
// as for a parse error.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// notImplemented is a command or object iproute2 has and nsnet lacks: it
// changes nothing and exits 2 in both dialects.
type notImplemented struct{ msg string }

func (e *notImplemented) Error() string { return e.msg }

// ipUsageStatus is iproute2's status for bad usage: invarg(), usage() and
// incomplete_command() all exit(-1).
const ipUsageStatus = 255

// explainIP renders err as iproute2 6.1 prints it, and its exit status.
// usage says whether err is a parse error (found before anything ran).
func explainIP(err error, usage bool) (string, int) {
	var ie *ipError
	if errors.As(err, &ie) {
		return ie.text, ie.code
	}
	var ni *notImplemented
	if errors.As(err, &ni) {
		return "nsnet: " + ni.msg, 2
	}
	if usage {
		return "nsnet: " + err.Error(), ipUsageStatus
	}
	var nf *notFound
	if errors.As(err, &nf) {
		if nf.lookup {
			return fmt.Sprintf("Cannot find device %q", nf.name), 1
		}
		return fmt.Sprintf("Device %q does not exist.", nf.name), 1
	}
	var ref *refused
	var op *rtnl.OpError
	if errors.As(err, &op) {
		if errors.As(err, &ref) && ref.op != "" && errors.Is(err, syscall.ENODEV) {
			// the lookup of a device the command names (ll_name_to_index)
			if ref.role == "bridge" { // iplink_parse: invarg("Device does not exist\n", master)
				return fmt.Sprintf("Error: argument %q is wrong: Device does not exist\n", ref.name), ipUsageStatus
			}
			return fmt.Sprintf("Cannot find device %q", ref.name), 1
		}
		if op.Hint != "" { // nl_dump_ext_ack: print_ext_ack_msg
			if strings.HasSuffix(op.Hint, ".") {
				return "Error: " + op.Hint, 2
			}
			return "Error: " + op.Hint + ".", 2
		}
		return "RTNETLINK answers: " + strError(op.Err), 2
	}
	var nop *nsutil.OpError
	if errors.As(err, &nop) && nop.Name != "" {
		path := nsutil.RunDir + "/" + nop.Name
		switch nop.Op {
		case "netns add": // netns_add
			return fmt.Sprintf("Cannot create namespace file %q: %s", path, strError(nop.Err)), 1
		case "netns del": // on_netns_del
			return fmt.Sprintf("Cannot remove namespace file %q: %s", path, strError(nop.Err)), 1
		case "netns open": // netns_switch, netns_get_fd
			return fmt.Sprintf("Cannot open network namespace %q: %s", nop.Name, strError(nop.Err)), ipUsageStatus
		}
	}
	return "nsnet: " + explain(err), 1
}

// strError is strerror(3) of the errno under err, as glibc words it ("File
// exists"): Go's table is glibc's with the first letter lowered.
func strError(err error) string {
	var en syscall.Errno
	if !errors.As(err, &en) {
		return err.Error()
	}
	s := en.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
