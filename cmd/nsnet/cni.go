package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/nsnet/nsnet/cni/plugin"
)

// cniMode reports whether nsnet was started as a CNI plugin: a runtime
// always sets CNI_COMMAND (the plugin's type is "nsnet", the tool's own
// name, so the name alone does not tell).
func cniMode() bool { return os.Getenv("CNI_COMMAND") != "" }

// cniMain speaks the CNI spec on stdin, stdout and the CNI_* variables.
func cniMain() int { return plugin.Run(os.Getenv, os.Stdin, os.Stdout, os.Stderr) }

const cniUsage = `Usage: nsnet [-j] cni list [NETWORK] [state DIR]
The attachments nsnet made as a CNI plugin (type "nsnet"), from its own
records (state DIR, default /var/lib/cni/nsnet; a configuration's
"stateDir"): network, container ID, interface, addresses, host end of the
veth, the container's netns as the runtime gave it, port mappings.
nsnet is a CNI plugin whenever CNI_COMMAND is set (README: "nsnet as a
CNI plugin").
`

// cniListReq is `cni list [NETWORK] [state DIR]`.
type cniListReq struct {
	network  string
	stateDir string
}

func parseCNI(args []string, o opts) (request, error) {
	if len(args) == 0 || args[0] == "help" {
		return helpReq{text: cniUsage}, nil
	}
	if args[0] != "list" && args[0] != "show" {
		return nil, fmt.Errorf("cni: %q is unknown: expected list", args[0])
	}
	r := cniListReq{}
	rest := args[1:]
	for len(rest) > 0 {
		switch {
		case rest[0] == "state" && len(rest) > 1:
			r.stateDir, rest = rest[1], rest[2:]
		case rest[0] == "state":
			return nil, fmt.Errorf("cni list: state needs a directory")
		case r.network == "":
			r.network, rest = rest[0], rest[1:]
		default:
			return nil, fmt.Errorf("cni list: unexpected %q: expected cni list [NETWORK] [state DIR]", rest[0])
		}
	}
	return r, nil
}

func (r cniListReq) run(e *env) error {
	networks := []string{r.network}
	if r.network == "" {
		var err error
		if networks, err = plugin.Networks(r.stateDir); err != nil {
			return &refused{err: err, where: e.where(), op: "cni list", obj: r.stateDir}
		}
	}
	tw := newColumns(e.out)
	if !e.opts.json {
		fmt.Fprintln(tw, "NETWORK\tCONTAINER\tIFNAME\tADDRESSES\tHOST END\tNETNS\tPORTS")
	}
	var list jlist[cniRow]
	for _, n := range networks {
		as, err := plugin.Attachments(r.stateDir, n)
		if err != nil {
			return &refused{err: err, where: e.where(), op: "cni list", obj: n}
		}
		for _, a := range as {
			list = append(list, cniRow{n, a})
			var ips, ports []string
			for _, ip := range a.IPs {
				ips = append(ips, ip.String())
			}
			for _, p := range a.Ports {
				ports = append(ports, p.Proto+" "+strconv.Itoa(int(p.HostPort))+"->"+p.To.String())
			}
			if !e.opts.json {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n, a.ContainerID, a.IfName, dash(strings.Join(ips, ",")), dash(a.HostIf), dash(a.Netns), dash(strings.Join(ports, ",")))
			}
		}
	}
	if e.opts.json {
		if list == nil {
			list = jlist[cniRow]{}
		}
		return writeJSON(e.out, e.opts, list)
	}
	return tw.Flush()
}

// cniRow is one attachment in -j output: its record with the network.
type cniRow struct {
	network string
	a       *plugin.Attachment
}

func (c cniRow) AppendJSON(b []byte) []byte {
	rec := c.a.AppendJSON(nil)
	rec = rec[:len(rec)-2] // the record's closing "}\n"
	b = append(b, `{"network":`...)
	b = strconv.AppendQuote(b, c.network)
	b = append(b, ',')
	b = append(b, rec[1:]...)
	return append(b, '}')
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
