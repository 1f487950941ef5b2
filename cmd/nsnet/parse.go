package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/nsnet/nsnet/rtnl"
)

// opts are the global options that come before OBJECT, as in
// `ip [OPTIONS] OBJECT COMMAND`.
type opts struct {
	netns  string // -n NS: act inside the named namespace
	json   bool   // -j
	pretty bool   // -p: indent JSON
	family int    // -4 / -6 (0: both, as iproute2 decides per object)
	brief  bool   // -br: one line per link (link and addr only, as in iproute2)
	// details is -d: link show prints the kind's options and the
	// kernel's limits, as iproute2's show_details.
	details bool
}

// familyFilter is the address family -4/-6 selects (FamilyAll: both).
func (o opts) familyFilter() rtnl.Family {
	switch o.family {
	case 4:
		return rtnl.FamilyInet
	case 6:
		return rtnl.FamilyInet6
	}
	return rtnl.FamilyAll
}

// A request is one parsed, validated command. parse builds it without
// touching the system; run does the work and writes the output.
type request interface {
	run(e *env) error
}

// invocation is what parse returns: the global options and the request.
type invocation struct {
	opts opts
	req  request
}

// object is one top-level OBJECT of the command line.
type object struct {
	name string
	// exact: the object is nsnet's own and never abbreviated (so that
	// e.g. `nsnet d` can never mean `down`).
	exact bool
	// parse turns the words after OBJECT into a request. nil marks an
	// iproute2 object that nsnet does not implement: it is listed so that
	// abbreviations resolve exactly as they do in iproute2.
	parse func(args []string, o opts) (request, error)
	// usage is the object's help text (`nsnet OBJECT help`).
	usage string
}

// objects is the top-level table, in iproute2's order (ip/ip.c cmds[]):
// the first object whose name starts with the typed word wins, so `ip a`
// is address, `ip r` route, `ip n` neighbour, `ip l` link.
//
// Other files add nsnet's own objects at the end; each is one line here
// pointing at a parse function and usage text in its own file.
func objects() []object {
	return []object{
		{name: "address", parse: parseAddr, usage: addrUsage},
		{name: "addrlabel"},
		{name: "maddress"},
		{name: "route", parse: parseRoute, usage: routeUsage},
		{name: "rule", parse: parseRule, usage: ruleUsage}, // rule.go
		{name: "neighbor", parse: parseNeigh, usage: neighUsage},
		{name: "neighbour", parse: parseNeigh, usage: neighUsage},
		{name: "ntable"},
		{name: "ntbl"},
		{name: "link", parse: parseLink, usage: linkUsage},
		{name: "l2tp"},
		{name: "fou"},
		{name: "ila"},
		{name: "macsec"},
		{name: "tunnel"},
		{name: "tunl"},
		{name: "tuntap", parse: parseTuntap, usage: tuntapUsage}, // tuntap.go
		{name: "tap", parse: parseTuntap, usage: tuntapUsage},
		{name: "token"},
		{name: "tcpmetrics"},
		{name: "tcp_metrics"},
		{name: "monitor"},
		{name: "xfrm"},
		{name: "mroute"},
		{name: "mrule"},
		{name: "netns", parse: parseNetns, usage: netnsUsage},
		{name: "netconf"},
		{name: "vrf"},
		{name: "sr"},
		{name: "nexthop"},
		{name: "mptcp"},
		{name: "ioam"},
		{name: "stats"},
		{name: "help", parse: parseHelp},

		// nsnet's own objects (exact names only), one line each; the
		// parse function and usage text live in the object's own file.
		{name: "ping", exact: true, parse: parsePing, usage: pingUsage},          // ping.go (probe)
		{name: "arping", exact: true, parse: parseArping, usage: arpingUsage},    // ping.go (probe)
		{name: "nat", exact: true, parse: parseNAT, usage: natUsage},             // nat.go (nft)
		{name: "forward", exact: true, parse: parseForward, usage: forwardUsage}, // forward.go (nsutil sysctl)
		{name: "up", exact: true, parse: parseUp, usage: upUsage},                // topo.go
		{name: "down", exact: true, parse: parseDown, usage: downUsage},          // topo.go
		{name: "plan", exact: true, parse: parsePlan, usage: planUsage},          // topo.go
		{name: "status", exact: true, parse: parseStatus, usage: statusUsage},    // topo.go
		{name: "doctor", exact: true, parse: parseDoctor, usage: doctorUsage},    // doctor.go
		{name: "demo", exact: true, parse: parseDemo, usage: demoUsage},          // demo.go
		{name: "graph", exact: true, parse: parseGraph, usage: graphUsage},       // graph.go
		{name: "sandbox", exact: true, parse: parseSandbox, usage: sandboxUsage}, // sandbox.go
		{name: "run", exact: true, parse: parseRun, usage: runUsage},             // run.go (nsutil.Run)
		{name: "ps", exact: true, parse: parsePS, usage: psUsage},                // ps.go
		{name: "cni", exact: true, parse: parseCNI, usage: cniUsage},             // cni.go (cni/plugin's records)
	}
}

// multiCall maps the name the binary was run as to the words that go
// before its arguments: `ip ...` is `nsnet ...`, `ping ...` is
// `nsnet ping ...` (ip netns exec red ping X works without iputils).
func multiCall(argv0 string) []string {
	switch filepath.Base(argv0) {
	case "ping", "arping":
		return []string{filepath.Base(argv0)}
	}
	return nil // nsnet, ip, or any other name
}

// matches reports whether word is a non-empty prefix of full: iproute2's
// matches() (utils.c), which decides every abbreviation.
func matches(word, full string) bool {
	return word != "" && strings.HasPrefix(full, word)
}

// modifyVerb names the add or del command of obj ("addr", "route",
// "neigh") as messages say it: "addr add", "addr del".
func modifyVerb(obj string, del bool) string {
	if del {
		return obj + " del"
	}
	return obj + " add"
}

// nextArg is iproute2's NEXT_ARG(): it moves *i onto the word after the
// keyword kw and returns that word. ctx ("addr add") and what ("an
// interface name") make the error when the words run out. kw is passed,
// not read from args[*i], because a keyword may take two words (route's
// "via inet6 GW").
func nextArg(ctx string, args []string, i *int, kw, what string) (string, error) {
	if *i+1 >= len(args) {
		return "", fmt.Errorf("%s: %q needs a value: expected %s", ctx, kw, what)
	}
	*i++
	return args[*i], nil
}

// showDev reads the device operand of a show command, `[dev] DEV`, at
// args[*i], as iproute2's show filters do: "dev" is optional, and a second
// device is an error. dev is the device read so far ("" if none).
func showDev(ctx string, args []string, i *int, dev string) (string, error) {
	w := args[*i]
	if w == "dev" {
		v, err := nextArg(ctx, args, i, w, "an interface name")
		if err != nil {
			return "", err
		}
		w = v
	}
	if dev != "" {
		return "", fmt.Errorf("%s: either \"dev\" is given twice or %q is garbage", ctx, w)
	}
	if err := checkIfName("interface name", w); err != nil {
		return "", err
	}
	return w, nil
}

// parse reads argv (argv[0] is the program name) into an invocation. It
// makes no system calls: every word is checked here, so that bad input
// exits 2 before anything changes.
func parse(argv []string) (*invocation, error) {
	var args []string
	if len(argv) > 0 {
		args = append(multiCall(argv[0]), argv[1:]...)
	}
	inv := &invocation{}
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		opt := args[0]
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		args = args[1:]
		switch {
		case opt == "-4":
			inv.opts.family = 4
		case opt == "-6":
			inv.opts.family = 6
		case matches(opt, "-family"):
			if len(args) == 0 {
				return nil, fmt.Errorf("option %q needs a family (inet or inet6)", opt)
			}
			switch args[0] {
			case "inet":
				inv.opts.family = 4
			case "inet6":
				inv.opts.family = 6
			default:
				return nil, fmt.Errorf("family %q is not supported: expected inet or inet6", args[0])
			}
			args = args[1:]
		case matches(opt, "-human"), matches(opt, "-human-readable"):
			// iproute2 scales statistics; nsnet prints none. Accepted so scripts keep working.
		case matches(opt, "-details"):
			inv.opts.details = true
		case matches(opt, "-Version"):
			return &invocation{opts: inv.opts, req: versionReq{}}, nil
		case matches(opt, "-help"):
			return &invocation{opts: inv.opts, req: helpReq{text: mainUsage}}, nil
		case matches(opt, "-netns"):
			if len(args) == 0 {
				return nil, fmt.Errorf("option %q needs a namespace name", opt)
			}
			if err := checkNSName(args[0]); err != nil {
				return nil, err
			}
			inv.opts.netns = args[0]
			args = args[1:]
		case matches(opt, "-batch"):
			return nil, fmt.Errorf("option %q (-batch) is not supported by nsnet: run one command per line", opt)
		case matches(opt, "-brief"):
			inv.opts.brief = true
		case matches(opt, "-json"):
			inv.opts.json = true
		case matches(opt, "-pretty"):
			inv.opts.pretty = true
		default:
			return nil, fmt.Errorf("option %q is unknown, try \"nsnet -help\"", opt)
		}
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("expected an OBJECT\n%s", mainUsage)
	}
	ob, err := findObject(args[0])
	if err != nil {
		return nil, err
	}
	if ob.parse == nil {
		return nil, &notImplemented{fmt.Sprintf("object %q (ip %s) is not implemented by nsnet; it has: %s", args[0], ob.name, implemented())}
	}
	req, err := ob.parse(args[1:], inv.opts)
	if err != nil {
		return nil, err
	}
	inv.req = req
	return inv, nil
}

// findObject resolves an OBJECT word: the first iproute2 object it
// abbreviates, or an nsnet object by its exact name.
func findObject(word string) (object, error) {
	for _, ob := range objects() {
		if ob.exact && word == ob.name || !ob.exact && matches(word, ob.name) {
			return ob, nil
		}
	}
	return object{}, withIP(fmt.Errorf("object %q is unknown, try \"nsnet help\"", word), 1,
		"Object %q is unknown, try \"ip help\".", word) // ip.c do_cmd
}

// implemented lists the objects nsnet has, for messages and help.
func implemented() string {
	var names []string
	for _, ob := range objects() {
		if ob.parse != nil && ob.usage != "" && ob.name != "neighbour" {
			names = append(names, ob.name)
		}
	}
	return strings.Join(names, ", ")
}

// A verb is one COMMAND of an object, listed in iproute2's order: the
// first whose name the word abbreviates wins (names are prefix-matched,
// exact entries are matched whole, as iproute2's strcmp cases are).
type verb struct {
	names []string
	exact []string
	parse func(args []string, o opts) (request, error) // nil: iproute2 has it, nsnet does not
}

// pickVerb finds word in verbs and parses args with it. obj is the
// object's name, for messages.
func pickVerb(obj, word string, args []string, o opts, verbs []verb) (request, error) {
	for _, v := range verbs {
		hit := false
		for _, n := range v.names {
			hit = hit || matches(word, n)
		}
		for _, n := range v.exact {
			hit = hit || word == n
		}
		if !hit {
			continue
		}
		if v.parse == nil {
			return nil, &notImplemented{fmt.Sprintf("%s %s: not implemented by nsnet, try \"nsnet %s help\"", obj, v.names[0], obj)}
		}
		return v.parse(args, o)
	}
	return nil, withIP(fmt.Errorf("command %q is unknown for %s, try \"nsnet %s help\"", word, obj, obj), ipUsageStatus,
		"Command %q is unknown, try \"ip %s help\".", word, ipObjectName(obj))
}

// ipObjectName is the object as iproute2's "Command ... is unknown"
// messages name it: "ip address help", "ip neigh help".
func ipObjectName(obj string) string {
	switch obj {
	case "addr":
		return "address"
	case "neighbour", "neighbor":
		return "neigh"
	}
	return obj
}

// helpVerb is the `help` COMMAND every object has.
func helpVerb(usage string) verb {
	return verb{names: []string{"help"}, parse: func([]string, opts) (request, error) {
		return helpReq{text: usage}, nil
	}}
}

// helpReq prints a usage text on standard output.
type helpReq struct{ text string }

// errHelp is what an option parser returns for -h or "help": the caller
// answers with its usage text (helpOr).
var errHelp = errors.New("help requested")

// helpOr is a parser's answer to err: the usage text when err is errHelp,
// else the error itself.
func helpOr(err error, usage string) (request, error) {
	if err == errHelp {
		return helpReq{text: usage}, nil
	}
	return nil, err
}

func (h helpReq) run(e *env) error {
	_, err := fmt.Fprint(e.out, h.text)
	return err
}

// parseHelp is `nsnet help [OBJECT]`.
func parseHelp(args []string, _ opts) (request, error) {
	if len(args) == 0 {
		return helpReq{text: mainUsage}, nil
	}
	ob, err := findObject(args[0])
	if err != nil {
		return nil, err
	}
	if ob.usage == "" {
		return helpReq{text: mainUsage}, nil
	}
	return helpReq{text: ob.usage}, nil
}

const mainUsage = `Usage: nsnet [OPTIONS] OBJECT COMMAND ...
       ip [OPTIONS] OBJECT COMMAND ...      (nsnet installed or linked as ip)
OPTIONS: -n NS | -netns NS   act inside network namespace NS
         -j | -json          print JSON with iproute2's field names
         -p | -pretty        indent the JSON
         -br | -brief        one line per link (link and addr)
         -d | -details       link show: the kind's options and the kernel's limits
         -4 | -6             IPv4 / IPv6 only
         -V | -Version       print the version
OBJECT:  netns   add|del|list|exec NAME [CMD...] | pids NAME | identify [PID]
         link    add NAME type veth peer name PEER [netns NS] | add NAME type bridge
                 set [dev] DEV up|down|netns NS|master BR|nomaster|mtu N|name NEW|address MAC
                 del [dev] DEV | show [dev DEV] [master BR] [type KIND]
         addr    add|del CIDR dev DEV | show [dev DEV]
         route   add|del [TYPE] PREFIX|default [via GW] [dev DEV] [metric N] [table T]
                 | show|flush [table T|all] [root|match|exact P] [dev DEV] [proto P] [type T]
         neigh   show [dev DEV] | add|del IP lladdr MAC dev DEV
         rule    add|del [not] [from P] [to P] [pref N] [fwmark M[/MASK]] [iif|oif DEV]
                 [uidrange A-B] [ipproto P] [sport|dport N[-M]] [table T] [goto N] [TYPE]
                 | show|flush [SELECTOR]
nsnet's own objects (never abbreviated):
         nat     masquerade SRC_CIDR [oif DEV] | forward tcp|udp PORT DEST_IP:PORT
                 | del ... | show | flush            (table inet nsnet only)
         forward on|off|show                         IP forwarding of the namespace
         ping    [-c N] [-W SEC] DEST                ICMP echo from inside -n NS
         arping  DEV IP                              ARP probe from inside -n NS
         up|down|plan|status FILE                    declarative topology (JSON)
         doctor  [FILE]                              the seed's troubleshooting checklist
         graph                                       the live network as Graphviz DOT
         demo                                        the seed walkthrough, in a sandbox
         sandbox [--] [CMD...]                       CMD in a private net+mount namespace
         run     [-n NS] [--init] [--root DIR] ... -- CMD
                                                     CMD as PID 1 of new pid, uts, ipc and
                                                     mount namespaces, in NS's network
         ps      [NS]                                host PID, PID inside, hostname, command
         cni     list [NETWORK] [state DIR]          attachments of the CNI plugin (CNI_COMMAND
                                                     set: nsnet is the CNI plugin "nsnet")
Objects and commands may be abbreviated as in iproute2 (ip a, ip r, ip l, ip n).
"nsnet OBJECT help" explains each object.
Exit status: 0 done, 1 the kernel or the system refused, 2 bad usage or input.
Run as ip, messages and status are iproute2 6.1's: "RTNETLINK answers: File
exists" or "Error: <the kernel's reason>." (2), Cannot find device "X" (1),
Device "X" does not exist. (1), bad arguments (255), not implemented (2).
`
