package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"

	"github.com/nsnet/nsnet/rtnl"
)

const tuntapUsage = `Usage: nsnet tuntap add|del [dev|name] NAME mode tun|tap [user USER] [group GROUP]
                          [pi] [one_queue] [vnet_hdr] [multi_queue]
       nsnet tuntap show
The device is persistent (it stays when no program has it open). del needs
the same mode and multi_queue as add. USER and GROUP are names or numbers.
`

// tuntapReq is `tuntap add|del`, as iproute2's iptuntap.c parse_args.
type tuntapReq struct {
	del         bool
	name        string
	flags       rtnl.TunFlags
	user, group string // "" when not given
}

// tuntapShowReq is `tuntap show`.
type tuntapShowReq struct{}

func parseTuntap(args []string, o opts) (request, error) {
	if len(args) == 0 {
		return tuntapShowReq{}, nil
	}
	return pickVerb("tuntap", args[0], args[1:], o, []verb{
		{names: []string{"add"}, parse: func(a []string, _ opts) (request, error) { return parseTuntapArgs(false, a) }},
		{names: []string{"delete"}, parse: func(a []string, _ opts) (request, error) { return parseTuntapArgs(true, a) }},
		{names: []string{"show", "list", "lst"}, parse: func([]string, opts) (request, error) { return tuntapShowReq{}, nil }},
		helpVerb(tuntapUsage),
	})
}

func parseTuntapArgs(del bool, args []string) (request, error) {
	ctx := "tuntap " + map[bool]string{false: "add", true: "del"}[del]
	r := tuntapReq{del: del, flags: rtnl.TunNoPI}
	for i := 0; i < len(args); i++ {
		w := args[i]
		var err error
		switch {
		case matches(w, "mode"):
			var m string
			if m, err = nextArg(ctx, args, &i, w, "tun or tap"); err != nil {
				return nil, err
			}
			f := map[bool]rtnl.TunFlags{true: rtnl.TunTun, false: rtnl.TunTap}[matches(m, "tun")]
			if !matches(m, "tun") && !matches(m, "tap") {
				return nil, withIP(fmt.Errorf("%s: mode %q is unknown: expected tun or tap", ctx, m), ipUsageStatus, "Unknown tunnel mode %q", m)
			}
			if r.flags&(rtnl.TunTun|rtnl.TunTap)&^f != 0 {
				return nil, withIP(fmt.Errorf("%s: both tun and tap given: expected one mode", ctx), ipUsageStatus, "You managed to ask for more than one tunnel mode.")
			}
			r.flags |= f
		case !del && matches(w, "user"):
			r.user, err = nextArg(ctx, args, &i, w, "a user name or uid")
		case !del && matches(w, "group"):
			r.group, err = nextArg(ctx, args, &i, w, "a group name or gid")
		case matches(w, "pi"):
			r.flags &^= rtnl.TunNoPI
		case matches(w, "one_queue"):
			r.flags |= rtnl.TunOneQueue
		case matches(w, "vnet_hdr"):
			r.flags |= rtnl.TunVnetHdr
		case matches(w, "multi_queue"):
			r.flags |= rtnl.TunMultiQueue
		default:
			if w == "dev" || matches(w, "name") {
				if w, err = nextArg(ctx, args, &i, w, "an interface name"); err != nil {
					return nil, err
				}
			} else if matches(w, "help") {
				return helpReq{text: tuntapUsage}, nil
			}
			if r.name != "" {
				return nil, fmt.Errorf("%s: two names given, %q and %q", ctx, r.name, w)
			}
			if err = checkIfName("interface name", w); err == nil {
				r.name = w
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if r.flags&(rtnl.TunTun|rtnl.TunTap) == 0 {
		return nil, withIP(fmt.Errorf("%s: mode is required: expected mode tun or mode tap", ctx), 1, "You failed to specify a tunnel mode")
	}
	return r, nil
}

// lookupID resolves a user or group word as iproute2 does: a number as
// is, else the name in the user or group database.
func lookupID(word string, group bool) (int, error) {
	if word == "" {
		return -1, nil
	}
	if n, err := strconv.ParseUint(word, 10, 31); err == nil {
		return int(n), nil
	}
	var id string
	if group {
		g, err := user.LookupGroup(word)
		if err != nil {
			return 0, withIP(fmt.Errorf("tuntap add: no group %q", word), ipUsageStatus, "invalid group %q", word)
		}
		id = g.Gid
	} else {
		u, err := user.Lookup(word)
		if err != nil {
			return 0, withIP(fmt.Errorf("tuntap add: no user %q", word), ipUsageStatus, "invalid user %q", word)
		}
		id = u.Uid
	}
	return strconv.Atoi(id)
}

func (r tuntapReq) run(e *env) error {
	uid, err := lookupID(r.user, false)
	if err != nil {
		return err
	}
	gid, err := lookupID(r.group, true)
	if err != nil {
		return err
	}
	do := func() error {
		if r.del {
			return rtnl.TunTapDel(r.name, r.flags)
		}
		return rtnl.TunTapAdd(r.name, r.flags, uid, gid)
	}
	if e.opts.netns != "" {
		ns, err := openNS(e.opts.netns)
		if err != nil {
			return err
		}
		defer ns.Close()
		err = ns.Do(do)
		return tunError(err)
	}
	return tunError(do())
}

// tunError words a failed ioctl as iproute2's perror does
// ("ioctl(TUNSETIFF): Device or resource busy", exit 1), and as nsnet
// does under its own name.
func tunError(err error) error {
	var se *os.SyscallError
	if !errors.As(err, &se) {
		return err
	}
	msg := se.Err.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	what := err.Error()
	if errors.Is(err, syscall.EBUSY) {
		what += " (a link of that name exists)"
	}
	return withIP(errors.New(what), 1, "%s: %s", se.Syscall, msg)
}

// tunSysfs reads /sys/class/net/NAME/PROP as iproute2's read_prop: a
// number in any base strtol reads.
func tunSysfs(name, prop string) (int64, bool) {
	b, err := os.ReadFile("/sys/class/net/" + name + "/" + prop)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 0, 64)
	return n, err == nil
}

func (tuntapShowReq) run(e *env) error {
	c, err := e.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	links, err := c.Links()
	if err != nil {
		return inNS(err, e.where())
	}
	out := []jobj{}
	for i := range links {
		l := &links[i]
		if l.Kind() != "tun" || (l.Type != rtnl.HardwareNone && l.Type != rtnl.HardwareEther) {
			continue
		}
		// iproute2 reads the flags and owner from sysfs (print_tuntap),
		// and skips a device whose files it cannot read.
		flags, ok1 := tunSysfs(l.Name, "tun_flags")
		owner, ok2 := tunSysfs(l.Name, "owner")
		group, ok3 := tunSysfs(l.Name, "group")
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		words := rtnl.TunFlags(flags).Words()
		o := jobj{{jIfname, l.Name}, {jFlags, words}}
		line := l.Name + ":"
		for _, w := range words {
			line += " " + w
		}
		if owner != -1 {
			o.add("user", owner)
			line += fmt.Sprintf(" user %d", owner)
		}
		if group != -1 {
			o.add("group", group)
			line += fmt.Sprintf(" group %d", group)
		}
		if e.opts.json {
			out = append(out, o)
		} else {
			fmt.Fprintln(e.out, line)
		}
	}
	if e.opts.json {
		return writeJSON(e.out, e.opts, out)
	}
	return nil
}
