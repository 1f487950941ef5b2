package main

import (
	"context"
	"fmt"
	"io"

	"github.com/nsnet/nsnet/topo"
)

const graphUsage = `Usage: nsnet graph [-j]
Prints the live system as a Graphviz DOT diagram: named namespaces with
their routes, the host's bridges, veth pairs and addresses, forwarding and
nsnet's NAT rules. With -j, the same picture as a topology file (JSON),
which "nsnet up" accepts. Render with: nsnet graph | dot -Tsvg > net.svg
`

// graphReq is `nsnet graph`.
type graphReq struct{ json bool }

func parseGraph(args []string, o opts) (request, error) {
	r := graphReq{json: o.json}
	for _, a := range args {
		switch a {
		case "help", "-h", "--help":
			return helpReq{text: graphUsage}, nil
		case "-j", "--json":
			r.json = true
		default:
			return nil, fmt.Errorf("graph: unexpected %q, try \"nsnet graph help\"", a)
		}
	}
	if o.netns != "" {
		return nil, fmt.Errorf("graph: -n does not apply: graph shows every named namespace")
	}
	return r, nil
}

func (r graphReq) run(e *env) error {
	t, err := topo.Discover(context.Background())
	if err != nil {
		return err
	}
	if r.json {
		b, err := t.MarshalIndent()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.out, "%s\n", b)
		return err
	}
	_, err = io.WriteString(e.out, t.DOT(nil))
	return err
}
