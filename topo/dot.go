package topo

import (
	"fmt"
	"strings"
)

// DOT draws the topology as a Graphviz graph: the host and each namespace
// as a box (cluster) holding its interfaces with their addresses, bridges
// inside the host, a veth pair as a bold edge between its two ends and a
// bridge port as a dashed edge to its bridge. Routes, forwarding and NAT
// are written under the box they belong to. If status is not nil (a Plan
// of the same topology), what is missing or differs is drawn red.
func (t *Topology) DOT(status *PlanResult) string {
	bad := map[string]bool{} // "kind|ns|object"
	if status != nil {
		for _, s := range status.Steps {
			if s.Action != Exists {
				bad[string(s.Kind)+"|"+s.NS+"|"+s.Object] = true
			}
		}
	}
	red := func(kind Kind, ns, obj string) string {
		if bad[string(kind)+"|"+ns+"|"+obj] {
			return ", color=red, fontcolor=red"
		}
		return ""
	}
	name := t.source
	if name == "" {
		name = "nsnet"
	}
	ifID := func(ns, dev string) string { return dotID("if:" + ns + "/" + dev) }
	// Interfaces per namespace ("" = host), in file order.
	type ifNode struct{ id, label, style string }
	ifs := map[string][]ifNode{}
	for _, v := range t.Veths {
		st := vethStep(&v, &live{})
		for _, e := range []End{v.End, v.Peer} {
			label := e.Name
			for _, a := range e.Addresses {
				label += "\\n" + a.String()
			}
			ifs[e.Netns] = append(ifs[e.Netns], ifNode{ifID(e.Netns, e.Name), label, red(KindVeth, st.NS, st.Object)})
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "graph %s {\n", dotID(name))
	fmt.Fprintf(&b, "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, label=%s, labelloc=t, nodesep=0.25, ranksep=0.9];\n", dotID(name))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=rounded];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9];\n")
	cluster := func(id string, lines []string, style string, body func()) {
		fmt.Fprintf(&b, "  subgraph %s {\n    label=%s; labeljust=l%s;\n", dotID("cluster_"+id), dotID(strings.Join(lines, "\\l")+"\\l"), style)
		body()
		b.WriteString("  }\n")
	}
	for _, n := range t.Namespaces {
		lines := []string{"netns " + n.Name}
		if n.Forwarding {
			lines = append(lines, "ip_forward=1")
		}
		for _, r := range n.Routes {
			lines = append(lines, routeString(r))
		}
		style := ""
		if bad[string(KindNetns)+"|"+n.Name+"|"+n.Name] {
			style = "; color=red; fontcolor=red; style=dashed"
		}
		cluster("ns_"+n.Name, lines, style, func() {
			if len(ifs[n.Name]) == 0 {
				fmt.Fprintf(&b, "    %s [shape=point, style=invis];\n", dotID("ns:"+n.Name))
			}
			for _, f := range ifs[n.Name] {
				fmt.Fprintf(&b, "    %s [label=%s%s];\n", f.id, dotID(f.label), f.style)
			}
		})
	}
	host := []string{"host"}
	if t.Host.Forwarding {
		host = append(host, "ip_forward=1")
	}
	for _, r := range t.Host.Routes {
		host = append(host, routeString(r))
	}
	for _, m := range t.NAT.Masquerade {
		host = append(host, masqString(m))
	}
	for _, f := range t.NAT.Forward {
		host = append(host, fwdString(f))
	}
	cluster("host", host, "; style=bold", func() {
		for _, br := range t.Bridges {
			label := "bridge " + br.Name
			for _, a := range br.Addresses {
				label += "\\n" + a.String()
			}
			fmt.Fprintf(&b, "    %s [shape=ellipse, style=solid, label=%s%s];\n", dotID("br:"+br.Name), dotID(label), red(KindBridge, "", br.Name))
		}
		for _, f := range ifs[""] {
			fmt.Fprintf(&b, "    %s [label=%s%s];\n", f.id, dotID(f.label), f.style)
		}
		if len(t.Bridges) == 0 && len(ifs[""]) == 0 {
			b.WriteString("    \"host\" [shape=point, style=invis];\n")
		}
	})
	for _, v := range t.Veths {
		st := vethStep(&v, &live{})
		fmt.Fprintf(&b, "  %s -- %s [label=\"veth\", penwidth=2%s];\n", ifID(v.Netns, v.Name), ifID(v.Peer.Netns, v.Peer.Name), red(KindVeth, st.NS, st.Object))
		for _, e := range []End{v.End, v.Peer} {
			if e.Bridge != "" {
				fmt.Fprintf(&b, "  %s -- %s [style=dashed, label=\"port\"];\n", ifID(e.Netns, e.Name), dotID("br:"+e.Bridge))
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// dotID quotes s as a DOT string.
func dotID(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
