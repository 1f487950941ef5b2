package main

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nsnet/nsnet/probe"
)

const pingUsage = `Usage: nsnet [-n NS] ping [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-w DEADLINE] [-s SIZE] [-t TTL] [-q] [-n] DEST
ICMP echo from inside namespace NS (or the current one), printed as iputils
ping prints it; without -c it runs until interrupted. DEST is an IPv4 or
IPv6 address. Linked as "ping", nsnet is "nsnet ping", so that
"ip netns exec red ping 192.168.15.2" works without iputils.
Exit status: 0 if a reply came, 1 if none, 2 for bad usage.
`

const arpingUsage = `Usage: nsnet [-n NS] arping [-c COUNT] [-w DEADLINE] [-i INTERVAL] [-s SOURCE] [-b] [-f] DEV IP
       nsnet [-n NS] arping [options] -I DEV IP
ARP requests for IP on interface DEV of namespace NS, printed as iputils
arping prints them. Exit status: 0 if an answer came, 1 if none.
`

// pingReq is `ping`.
type pingReq struct {
	dst   netip.Addr
	opts  probe.PingOptions
	quiet bool // -q: the summary only
}

// arpingReq is `arping`.
type arpingReq struct {
	dev  string
	dst  netip.Addr
	opts probe.ArpingOptions
}

// shortOpts splits iputils-style arguments: flags that take a value
// (valued), boolean flags (bools), and operands, in any order, with
// "-c3" and "-c 3" both accepted, as getopt does. -h, or a lone "help",
// is errHelp.
func shortOpts(cmd string, args []string, valued, bools string) (map[byte]string, []string, error) {
	if len(args) == 1 && args[0] == "help" {
		return nil, nil, errHelp
	}
	got := map[byte]string{}
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' {
			operands = append(operands, a)
			continue
		}
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch {
			case strings.IndexByte(bools, c) >= 0:
				got[c] = ""
			case strings.IndexByte(valued, c) >= 0:
				v := a[j+1:]
				if v == "" {
					if i+1 >= len(args) {
						return nil, nil, fmt.Errorf("%s: option -%c needs a value", cmd, c)
					}
					i++
					v = args[i]
				}
				got[c] = v
				j = len(a)
			case c == 'h':
				return nil, nil, errHelp
			default:
				return nil, nil, fmt.Errorf("%s: option -%c is unknown, try \"nsnet %s help\"", cmd, c, cmd)
			}
		}
	}
	return got, operands, nil
}

// parseSeconds reads a duration in (possibly fractional) seconds.
func parseSeconds(cmd string, c byte, s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || f > 1e6 {
		return 0, fmt.Errorf("%s: -%c %q is invalid: expected seconds, e.g. 1 or 0.2", cmd, c, s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

func parsePing(args []string, o opts) (request, error) {
	got, operands, err := shortOpts("ping", args, "ciWwst", "46nq")
	if err != nil {
		return helpOr(err, pingUsage)
	}
	if _, ok := got['4']; ok {
		o.family = 4
	}
	if _, ok := got['6']; ok {
		o.family = 6
	}
	if len(operands) != 1 {
		return nil, fmt.Errorf("ping: expected one destination address, got %d: ping [-c COUNT] [-W TIMEOUT] DEST", len(operands))
	}
	dst, err := parseIP(operands[0], o)
	if err != nil {
		return nil, err
	}
	r := pingReq{dst: dst}
	for c, v := range got {
		var err error
		var n uint64
		switch c {
		case 'c':
			n, err = parseUint("ping: -c", v, 1, 1<<31-1)
			r.opts.Count = int(n)
		case 's':
			n, err = parseUint("ping: -s", v, 0, 65507)
			r.opts.Size = int(n)
		case 't':
			n, err = parseUint("ping: -t", v, 1, 255)
			r.opts.TTL = int(n)
		case 'i':
			r.opts.Interval, err = parseSeconds("ping", c, v)
			if err == nil && r.opts.Interval < 2*time.Millisecond {
				err = fmt.Errorf("ping: -i %s is too short: expected at least 0.002 seconds", v)
			}
		case 'W':
			r.opts.Timeout, err = parseSeconds("ping", c, v)
		case 'w':
			r.opts.Deadline, err = parseSeconds("ping", c, v)
		case 'q':
			r.quiet = true
		case 'n': // numeric output: nsnet never resolves names anyway
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func parseArping(args []string, o opts) (request, error) {
	got, operands, err := shortOpts("arping", args, "cwisI", "bf")
	if err != nil {
		return helpOr(err, arpingUsage)
	}
	var r arpingReq
	if dev, ok := got['I']; ok {
		r.dev = dev
	} else if len(operands) == 2 {
		r.dev, operands = operands[0], operands[1:]
	}
	if len(operands) != 1 || r.dev == "" {
		return nil, fmt.Errorf("arping: expected an interface and an address: arping DEV IP (or arping -I DEV IP)")
	}
	if err := checkIfName("interface name", r.dev); err != nil {
		return nil, err
	}
	o.family = 4
	if r.dst, err = parseIP(operands[0], o); err != nil {
		return nil, fmt.Errorf("arping: %w (ARP is IPv4 only)", err)
	}
	for c, v := range got {
		var err error
		var n uint64
		switch c {
		case 'c':
			n, err = parseUint("arping: -c", v, 1, 1<<31-1)
			r.opts.Count = int(n)
		case 'w':
			r.opts.Deadline, err = parseSeconds("arping", c, v)
		case 'i':
			r.opts.Interval, err = parseSeconds("arping", c, v)
		case 's':
			r.opts.Source, err = parseIP(v, o)
		case 'b':
			r.opts.Broadcast = true
		case 'f':
			r.opts.First = true
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// interruptible returns a context that SIGINT or SIGTERM cancels: an
// endless ping stops on Ctrl-C and still prints its summary.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// nsFile opens the -n namespace for probe (nil: the current one).
func (e *env) nsFile() (*os.File, func(), error) {
	if e.opts.netns == "" {
		return nil, func() {}, nil
	}
	ns, err := openNS(e.opts.netns)
	if err != nil {
		return nil, nil, err
	}
	return ns.File(), func() { ns.Close() }, nil
}

func (r pingReq) run(e *env) error {
	f, closeNS, err := e.nsFile()
	if err != nil {
		return err
	}
	defer closeNS()
	ctx, cancel := interruptible()
	defer cancel()
	fmt.Fprintln(e.out, probe.FormatPingHeader(r.dst, r.opts.Size))
	e.out.Flush()
	st, err := probe.Ping(ctx, f, r.dst, r.opts, func(rep probe.Reply) {
		if !r.quiet {
			fmt.Fprintln(e.out, probe.FormatReply(rep))
			e.out.Flush()
		}
	})
	if err != nil {
		return &refused{err: err, where: e.where(), op: "ping", obj: r.dst.String()}
	}
	fmt.Fprint(e.out, "\n"+probe.FormatPingStats(st))
	if st.Received == 0 {
		return exitStatus(1) // as iputils: no reply
	}
	return nil
}

func (r arpingReq) run(e *env) error {
	f, closeNS, err := e.nsFile()
	if err != nil {
		return err
	}
	defer closeNS()
	ctx, cancel := interruptible()
	defer cancel()
	a, err := probe.DialARP(f, r.dev)
	if err != nil {
		return &refused{err: err, where: e.where(), op: "arping", obj: r.dev, name: r.dev}
	}
	defer a.Close()
	src := r.opts.Source
	if !src.IsValid() {
		src = a.Addr()
	}
	fmt.Fprintln(e.out, probe.FormatArpingHeader(r.dst, src, r.dev))
	e.out.Flush()
	st, err := a.Arping(ctx, r.dst, r.opts, func(rep probe.ARPReply) {
		fmt.Fprintln(e.out, probe.FormatARPReply(rep))
		e.out.Flush()
	})
	if err != nil {
		return &refused{err: err, where: e.where(), op: "arping", obj: r.dst.String()}
	}
	fmt.Fprint(e.out, probe.FormatArpingStats(st))
	if st.Received == 0 {
		return exitStatus(1)
	}
	return nil
}
