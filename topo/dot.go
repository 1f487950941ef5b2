package topo

import (
	"fmt"
	"sort"
	"strings"
)

// DOT draws the topology as a Graphviz digraph: namespaces as boxes with
// their interfaces and addresses, bridges as ellipses, the host as a
// box, veth pairs as edges. If status is not nil (a Plan or Status of the
// same topology), what is missing or differs is drawn red and dashed.
func (t *Topology) DOT(status *PlanResult) string {
	bad := map[string]bool{} // "kind|ns|object"
	if status != nil {
		for _, s := range status.Steps {
			if s.Action != Exists {
				bad[string(s.Kind)+"|"+s.NS+"|"+s.Object] = true
			}
		}
	}
	var b strings.Builder
	name := t.source
	if name == "" {
		name = "nsnet"
	}
	fmt.Fprintf(&b, "digraph %s {\n", dotID(name))
	b.WriteString("  graph [rankdir=LR, fontname=\"Helvetica\", label=" + dotID(name) + ", labelloc=t];\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9, dir=none];\n")
	style := func(kind Kind, ns, obj string) string {
		if bad[string(kind)+"|"+ns+"|"+obj] {
			return ", color=red, fontcolor=red, style=dashed"
		}
		return ""
	}
	// Host, with its own veth ends and routes.
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
	fmt.Fprintf(&b, "  host [shape=box, style=bold, label=%s];\n", dotID(strings.Join(host, "\\n")))
	for _, n := range t.Namespaces {
		lines := []string{"netns " + n.Name}
		if n.Forwarding {
			lines = append(lines, "ip_forward=1")
		}
		for _, r := range n.Routes {
			lines = append(lines, routeString(r))
		}
		fmt.Fprintf(&b, "  %s [shape=box, label=%s%s];\n", dotID("ns:"+n.Name), dotID(strings.Join(lines, "\\n")), style(KindNetns, n.Name, n.Name))
	}
	for _, br := range t.Bridges {
		label := "bridge " + br.Name
		for _, a := range br.Addresses {
			label += "\\n" + a
		}
		fmt.Fprintf(&b, "  %s [shape=ellipse, label=%s%s];\n", dotID("br:"+br.Name), dotID(label), style(KindBridge, "", br.Name))
		fmt.Fprintf(&b, "  host -> %s [style=dotted];\n", dotID("br:"+br.Name))
	}
	node := func(e End) string {
		switch {
		case e.Bridge != "":
			return dotID("br:" + e.Bridge)
		case e.Netns != "":
			return dotID("ns:" + e.Netns)
		}
		return "host"
	}
	endLabel := func(e End) string {
		s := e.Name
		if len(e.Addresses) > 0 {
			s += " " + strings.Join(e.Addresses, " ")
		}
		return s
	}
	for _, v := range t.Veths {
		st := vethStep(&v, &live{}) // only for its Object text
		fmt.Fprintf(&b, "  %s -> %s [taillabel=%s, headlabel=%s, label=\"veth\"%s];\n",
			node(v.End), node(v.Peer), dotID(endLabel(v.End)), dotID(endLabel(v.Peer)), style(KindVeth, st.NS, st.Object))
	}
	b.WriteString("}\n")
	return b.String()
}

// dotID quotes s as a DOT string.
func dotID(s string) string {
	r := strings.NewReplacer(`"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// sortedNames returns the keys of m in order.
func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
