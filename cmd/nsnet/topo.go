package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nsnet/nsnet/topo"
)

const upUsage = `Usage: nsnet up FILE [-j] [--workers N]
Makes the live system match the topology FILE (see "Topology files" in the
README): creates what is missing, changes what differs, leaves the rest. A
second up changes nothing. If a step fails, everything this run created is
removed again and nsnet exits 1 naming the step. On a terminal, a large
file shows its progress (created/total) instead of one line per object.
Exit status: 0 done, 1 refused by the system, 2 invalid file.
`

const downUsage = `Usage: nsnet down FILE [-j] [--workers N]
Removes exactly what the topology FILE describes, and nothing else: its NAT
rules, its host routes, its namespaces (with everything in them), then its
bridges and host veth ends. Works after an up that was killed half-way.
A second down removes nothing. net.ipv4.ip_forward is left as it is.
`

const planUsage = `Usage: nsnet plan FILE [-j]
Shows what "nsnet up FILE" would do, per object: create, change (and how),
already there, or conflict (a name taken by something else). Changes
nothing.
`

const statusUsage = `Usage: nsnet status FILE [-j] [--dot]
Compares the live system with the topology FILE: each object is ok,
missing, differs or conflict. --dot prints a Graphviz diagram of the file
instead, with what is not ok drawn red and dashed. Exit status: 0 when
everything is ok, 1 otherwise.
`

// topoReq is up, down, plan or status of a topology file.
type topoReq struct {
	verb    string // "up", "down", "plan", "status"
	file    string
	json    bool
	dot     bool
	workers int
}

// parseTopoArgs reads FILE and the flags of up/down/plan/status.
func parseTopoArgs(verb string, args []string, o opts) (*topoReq, error) {
	r := &topoReq{verb: verb, json: o.json}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "help", "-h", "--help":
			return nil, errHelp
		case "-j", "--json", "-json":
			r.json = true
		case "--dot", "-dot":
			if verb != "status" {
				return nil, fmt.Errorf("%s: --dot is for nsnet status FILE --dot", verb)
			}
			r.dot = true
		case "--workers", "-workers":
			if verb != "up" && verb != "down" || i+1 >= len(args) {
				return nil, fmt.Errorf("%s: --workers needs a number (up and down only)", verb)
			}
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n < 1 || n > 256 {
				return nil, fmt.Errorf("%s: --workers %q: expected a number from 1 to 256", verb, args[i+1])
			}
			r.workers = n
			i++
		default:
			if strings.HasPrefix(a, "-") && a != "-" {
				return nil, fmt.Errorf("%s: option %q is unknown, try \"nsnet %s help\"", verb, a, verb)
			}
			if r.file != "" {
				return nil, fmt.Errorf("%s: one topology file, not %q and %q", verb, r.file, a)
			}
			r.file = a
		}
	}
	if r.file == "" {
		return nil, fmt.Errorf("%s: expected a topology FILE, e.g. nsnet %s testdata/seed.json", verb, verb)
	}
	if o.netns != "" {
		return nil, fmt.Errorf("%s: -n does not apply: a topology file names its namespaces itself", verb)
	}
	return r, nil
}

func topoParser(verb, usage string) func(args []string, o opts) (request, error) {
	return func(args []string, o opts) (request, error) {
		r, err := parseTopoArgs(verb, args, o)
		if err != nil {
			return helpOr(err, usage)
		}
		return r, nil
	}
}

// The parse functions registered in parse.go's object table.
func parseUp(args []string, o opts) (request, error)   { return topoParser("up", upUsage)(args, o) }
func parseDown(args []string, o opts) (request, error) { return topoParser("down", downUsage)(args, o) }
func parsePlan(args []string, o opts) (request, error) { return topoParser("plan", planUsage)(args, o) }
func parseStatus(args []string, o opts) (request, error) {
	return topoParser("status", statusUsage)(args, o)
}

// loadTopo reads and validates a topology file. An invalid file (or one
// that cannot be read) is bad input: the message goes to stderr and the
// exit status is 2, before anything is changed.
func loadTopo(e *env, file string) (*topo.Topology, error) {
	t, err := topo.Load(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "nsnet: %v\n", err)
		return nil, exitStatus(2)
	}
	return t, nil
}

func (r *topoReq) run(e *env) error {
	t, err := loadTopo(e, r.file)
	if err != nil {
		return err
	}
	if r.verb == "plan" || r.verb == "up" {
		for _, w := range topo.NeighWarnings(t) {
			fmt.Fprintf(e.stderr, "nsnet: warning: %s\n", w)
		}
	}
	ctx := context.Background()
	switch r.verb {
	case "plan":
		p, err := topo.Plan(ctx, t)
		if err != nil {
			return err
		}
		return r.printPlan(e, p, "plan")
	case "status":
		p, err := topo.Plan(ctx, t)
		if err != nil {
			return err
		}
		if r.dot {
			_, err := io.WriteString(e.out, t.DOT(p))
			return err
		}
		return r.printStatus(e, p)
	case "up":
		// Ctrl-C (or a TERM) stops handing out work and undoes what this
		// run created, instead of leaving half a network behind.
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		return r.up(ctx, e, t)
	case "down":
		rm, err := topo.Down(ctx, t, topo.Options{Workers: r.workers})
		err = keptShared(e, err)
		if r.json {
			if jerr := writeJSON(e.out, e.opts, jobj{{"removed", jlist[topo.Removed](nonNil(rm))}}); jerr != nil {
				return jerr
			}
		} else {
			for _, x := range rm {
				fmt.Fprintf(e.out, "removed  %s %s\n", x.Kind, x.Object)
			}
			if len(rm) == 0 {
				fmt.Fprintf(e.out, "down: nothing to remove\n")
			} else {
				fmt.Fprintf(e.out, "down: %d removed\n", len(rm))
			}
		}
		return err
	}
	return fmt.Errorf("topology command %q", r.verb)
}

// keptShared prints, on stderr, the bridges down left because other ports
// are on them, and returns the rest of err (nil if that was all): a shared
// bridge left in place is not a failure.
func keptShared(e *env, err error) error {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var rest []error
	for _, x := range errs {
		var sb *topo.SharedBridgeError
		if errors.As(x, &sb) {
			fmt.Fprintf(e.stderr, "nsnet: down: kept bridge %s: %d ports that this file does not describe are on it (%s)\n", sb.Bridge, len(sb.Ports), strings.Join(sb.Ports, ", "))
			continue
		}
		rest = append(rest, x)
	}
	return errors.Join(rest...)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// up applies the file, printing one line per change (or, on a terminal
// with a large file, a progress counter on stderr).
func (r *topoReq) up(ctx context.Context, e *env, t *topo.Topology) error {
	o := topo.Options{Workers: r.workers}
	tty := isTerminal(e.stderr)
	progress := false
	var last time.Time
	o.Progress = func(done, total int) {
		if !tty || total < progressMin || r.json {
			return
		}
		progress = true
		if now := time.Now(); done == total || now.Sub(last) >= 50*time.Millisecond {
			last = now
			fmt.Fprintf(e.stderr, "\rup: %d/%d created", done, total)
		}
	}
	p, err := topo.Up(ctx, t, o)
	if progress {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		var se *topo.StepError
		if errors.As(err, &se) {
			e.out.Flush()
			msg := fmt.Sprintf("up: step %s %s %s failed: %s", se.Step.Action, se.Step.Kind, se.Step.Object, explain(se.Err))
			if errors.Is(se.Err, context.Canceled) {
				msg = "up: interrupted"
			}
			if se.RollbackErr != nil {
				msg += fmt.Sprintf("\nnsnet: undoing what this run created also failed: %s\nnsnet: \"nsnet down %s\" removes the rest", explain(se.RollbackErr), r.file)
			} else {
				msg += "\nnsnet: everything this run created was removed again"
			}
			fmt.Fprintf(e.stderr, "nsnet: %s\n", msg)
			return exitStatus(1)
		}
		return err
	}
	// In plan order, whatever order the workers finished in.
	var changed []topo.Step
	for _, s := range p.Steps {
		if s.Action != topo.Exists {
			changed = append(changed, s)
		}
	}
	if r.json {
		// Keys in sorted order, as the map encoding/json printed had them;
		// a plan without steps is null.
		return writeJSON(e.out, e.opts, jobj{{"changed", jlist[topo.Step](nonNil(changed))}, {"plan", jlist[topo.Step](p.Steps)}})
	}
	if !progress {
		for _, s := range changed {
			fmt.Fprintf(e.out, "%-8s %s %s%s\n", past(s.Action), s.Kind, s.Object, detail(s))
		}
	}
	cr, ch, ex, _ := p.Counts()
	if cr+ch == 0 {
		fmt.Fprintf(e.out, "up: nothing to change, %d objects already there\n", ex)
		return nil
	}
	fmt.Fprintf(e.out, "up: %d created, %d changed, %d already there\n", cr, ch, ex)
	return nil
}

// progressMin is the number of changes from which up shows progress
// instead of lines on a terminal.
const progressMin = 50

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func past(a topo.Action) string {
	switch a {
	case topo.Create:
		return "created"
	case topo.Change:
		return "changed"
	}
	return a.String()
}

func detail(s topo.Step) string {
	d := s.Detail
	if f := conflictFix(s); f != "" {
		d += ": " + f
	}
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

// conflictFix says how to clear the object in the way of a conflict step
// ("" if s is not one).
func conflictFix(s topo.Step) string {
	c := s.InTheWay
	if c == nil {
		return ""
	}
	n := "nsnet "
	if c.NS != "" {
		n = "nsnet -n " + c.NS + " "
	}
	return fmt.Sprintf("delete it (%slink del %s) or rename the %s in the file", n, c.Name, c.Role)
}

func (r *topoReq) printPlan(e *env, p *topo.PlanResult, what string) error {
	if r.json {
		return writeJSON(e.out, e.opts, p)
	}
	for _, s := range p.Steps {
		fmt.Fprintf(e.out, "%-14s %s %s%s\n", s.Action, s.Kind, s.Object, detail(s))
	}
	cr, ch, ex, co := p.Counts()
	fmt.Fprintf(e.out, "%s: %d to create, %d to change, %d already there", what, cr, ch, ex)
	if co > 0 {
		fmt.Fprintf(e.out, ", %d conflicts (up would refuse)", co)
	}
	fmt.Fprintln(e.out)
	return nil
}

// statusWord is how status names an action.
func statusWord(a topo.Action) string {
	switch a {
	case topo.Exists:
		return "ok"
	case topo.Create:
		return "missing"
	case topo.Change:
		return "differs"
	}
	return "conflict"
}

// statusItem is one object as status prints it.
type statusItem struct {
	state, kind, ns, object, detail string
}

// jobj is the item as -j prints it: state, kind, netns, object and
// detail, netns and detail only when they are not empty.
func (it statusItem) jobj() jobj {
	o := jobj{{"state", it.state}, {"kind", it.kind}}
	if it.ns != "" {
		o.add("netns", it.ns)
	}
	o.add("object", it.object)
	if it.detail != "" {
		o.add("detail", it.detail)
	}
	return o
}

func (r *topoReq) printStatus(e *env, p *topo.PlanResult) error {
	ok := true
	var items []statusItem
	counts := map[string]int{}
	for _, s := range p.Steps {
		st := statusWord(s.Action)
		counts[st]++
		ok = ok && st == "ok"
		items = append(items, statusItem{st, string(s.Kind), s.NS, s.Object, s.Detail})
	}
	if r.json {
		out := []jobj{}
		for _, it := range items {
			out = append(out, it.jobj())
		}
		// Keys in sorted order, as the map encoding/json printed had them.
		if err := writeJSON(e.out, e.opts, jobj{{"in_sync", ok}, {"items", out}}); err != nil {
			return err
		}
	} else {
		for _, it := range items {
			d := ""
			if it.detail != "" {
				d = ": " + it.detail
			}
			fmt.Fprintf(e.out, "%-9s%s %s%s\n", it.state, it.kind, it.object, d)
		}
		fmt.Fprintf(e.out, "status: %d ok, %d missing, %d differ, %d conflict\n", counts["ok"], counts["missing"], counts["differs"], counts["conflict"])
	}
	if !ok {
		return exitStatus(1)
	}
	return nil
}
