package cni

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nsnet/nsnet/internal/ifname"
)

// Commands of the spec, as CNI_COMMAND names them.
const (
	CmdAdd     = "ADD"
	CmdDel     = "DEL"
	CmdCheck   = "CHECK"
	CmdStatus  = "STATUS"
	CmdGC      = "GC"
	CmdVersion = "VERSION"
)

// Env is the CNI_* environment of one invocation.
type Env struct {
	Command     string // CNI_COMMAND
	ContainerID string // CNI_CONTAINERID
	Netns       string // CNI_NETNS: a path (/run/netns/x, /proc/PID/ns/net)
	IfName      string // CNI_IFNAME: the interface to create inside the container
	Args        []Arg  // CNI_ARGS, in order
	Path        string // CNI_PATH: where delegated plugins are looked up
}

// An Arg is one KEY=VALUE pair of CNI_ARGS.
type Arg struct{ Key, Value string }

// required lists, per command, the variables the spec requires.
var required = map[string][]string{
	CmdAdd:     {"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"},
	CmdCheck:   {"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"},
	CmdDel:     {"CNI_CONTAINERID", "CNI_IFNAME"},
	CmdGC:      {"CNI_PATH"},
	CmdStatus:  nil,
	CmdVersion: nil,
}

// ParseEnv reads the CNI_* variables through getenv and checks them for
// the command: the spec's code 4 names every missing variable at once
// ("required env variables [CNI_NETNS,CNI_IFNAME] missing"), an unknown
// CNI_COMMAND, an invalid container ID or interface name. CNI_ARGS that
// do not parse are code 4 too. Variables the command does not need are
// read but not checked.
func ParseEnv(getenv func(string) string) (Env, *Error) {
	e := Env{
		Command:     getenv("CNI_COMMAND"),
		ContainerID: getenv("CNI_CONTAINERID"),
		Netns:       getenv("CNI_NETNS"),
		IfName:      getenv("CNI_IFNAME"),
		Path:        getenv("CNI_PATH"),
	}
	if e.Command == "" {
		return e, &Error{Code: CodeInvalidEnvironment, Msg: "required env variables [CNI_COMMAND] missing"}
	}
	need, ok := required[e.Command]
	if !ok {
		return e, &Error{Code: CodeInvalidEnvironment, Msg: "unknown CNI_COMMAND: " + e.Command}
	}
	var missing []string
	for _, name := range need {
		if getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return e, &Error{Code: CodeInvalidEnvironment, Msg: "required env variables [" + strings.Join(missing, ",") + "] missing"}
	}
	if e.ContainerID != "" && !ValidContainerID(e.ContainerID) {
		return e, &Error{Code: CodeInvalidEnvironment, Msg: "invalid characters in CNI_CONTAINERID", Details: e.ContainerID}
	}
	if e.IfName != "" {
		if err := ValidIfName(e.IfName); err != nil {
			return e, &Error{Code: CodeInvalidEnvironment, Msg: "invalid CNI_IFNAME: " + err.Error(), Details: e.IfName}
		}
	}
	args, err := ParseArgs(getenv("CNI_ARGS"))
	if err != nil {
		return e, &Error{Code: CodeInvalidEnvironment, Msg: "invalid CNI_ARGS: " + err.Error()}
	}
	e.Args = args
	return e, nil
}

// ValidContainerID is the spec's rule: an alphanumeric character, then
// alphanumerics, '_', '.' or '-'.
func ValidContainerID(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '.' && c != '-') {
			return false
		}
	}
	return id != ""
}

// ValidNetworkName is the spec's rule for a network's name, the same as
// for a container ID (it names a directory of the IPAM store).
func ValidNetworkName(name string) bool { return ValidContainerID(name) }

type ifNameError string

func (e ifNameError) Error() string { return string(e) }

// ValidIfName checks a container interface name by the kernel's rule
// (ifname.Check: dev_valid_name, and no '%', which would make the kernel
// pick another name), in the words of libcni's ValidateInterfaceName
// where it has them.
func ValidIfName(name string) error {
	err := ifname.Check(name)
	switch {
	case err == nil:
		return nil
	case name == "":
		return ifNameError("interface name is empty")
	case len(name) > ifname.MaxLen:
		return ifNameError(fmt.Sprintf("interface name is too long (at most %d bytes)", ifname.MaxLen))
	}
	return fmt.Errorf("interface name: %w", err)
}

type argsError string

func (e argsError) Error() string { return string(e) }

// ParseArgs reads CNI_ARGS, "KEY=VALUE;KEY=VALUE", as libcni's LoadArgs
// splits it: every pair must have exactly one '='.
func ParseArgs(s string) ([]Arg, error) {
	if s == "" {
		return nil, nil
	}
	var out []Arg
	for _, pair := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || strings.Contains(v, "=") {
			return nil, argsError("invalid pair " + quote(pair))
		}
		out = append(out, Arg{Key: k, Value: v})
	}
	return out, nil
}

// FormatArgs is ParseArgs' inverse.
func FormatArgs(args []Arg) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(a.Key + "=" + a.Value)
	}
	return b.String()
}

// Lookup returns the value of the last pair named key.
func (e *Env) Lookup(key string) (string, bool) {
	for i := len(e.Args) - 1; i >= 0; i-- {
		if e.Args[i].Key == key {
			return e.Args[i].Value, true
		}
	}
	return "", false
}

// KnownArgs checks CNI_ARGS as the reference plugins' LoadArgs does: a
// key nsnet does not read is an error unless IgnoreUnknown is true
// (containerd and kubelet always send IgnoreUnknown=1).
func (e *Env) KnownArgs(known ...string) error {
	ignore := false
	if v, ok := e.Lookup("IgnoreUnknown"); ok {
		switch strings.ToLower(v) {
		case "1", "true":
			ignore = true
		case "0", "false":
		default:
			return argsError("IgnoreUnknown: want a boolean, have " + quote(v))
		}
	}
	if ignore {
		return nil
	}
	var unknown []string
	for _, a := range e.Args {
		if a.Key == "IgnoreUnknown" || slices.Contains(known, a.Key) {
			continue
		}
		unknown = append(unknown, a.Key+"="+a.Value)
	}
	if len(unknown) > 0 {
		return argsError("unknown args " + strings.Join(unknown, ", ") + " (set IgnoreUnknown=1 to ignore them)")
	}
	return nil
}
