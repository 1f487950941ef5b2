// Package nfttest holds what the privileged tests of nft and firewall
// share: anonymous namespaces from nsutil (the one package that switches
// threads, STYLE R7), running the nft and iptables tools inside them, and
// somebody else's ruleset to prove isolation against. Only tests import
// it; internal/archtest checks that nft and firewall themselves know
// nothing of nsutil.
package nfttest

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/nsutil"
)

// NewNS makes an anonymous network namespace with lo up and returns a
// handle closed at the end of the test.
func NewNS(t testing.TB) *nsutil.NetNS {
	t.Helper()
	f, err := nsutil.NewAnonymous()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A NetNS (for Do) is opened from the anonymous namespace's fd; the
	// namespace lives as long as either file is open.
	ns, err := nsutil.OpenPath(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	Run(t, ns, "ip", "link", "set", "lo", "up")
	return ns
}

// Do runs fn on a thread that joined ns (nil: the sandbox's own
// namespace, on the calling goroutine). Sockets fn creates stay in ns;
// goroutines fn starts do not run in ns.
func Do(ns *nsutil.NetNS, fn func() error) error {
	if ns == nil {
		return fn()
	}
	return ns.Do(fn)
}

// Run runs a tool inside ns (nil: the sandbox's own namespace) and
// returns its output; failure fails t. The child inherits the namespace of
// the thread that forks it.
func Run(t testing.TB, ns *nsutil.NetNS, name string, args ...string) string {
	t.Helper()
	out, err := Try(ns, "", name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

// Try is Run with stdin as the tool's standard input, returning the
// error (with the tool's stderr and exit status) instead of failing.
func Try(ns *nsutil.NetNS, stdin, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	err := Do(ns, func() error {
		cmd := exec.Command(name, args...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return &ToolError{Err: err, Stderr: strings.TrimSpace(stderr.String())}
		}
		return nil
	})
	return stdout.String(), err
}

// A ToolError is a tool that failed, with what it wrote to stderr.
type ToolError struct {
	Err    error
	Stderr string
}

func (e *ToolError) Error() string { return e.Err.Error() + ": " + e.Stderr }
func (e *ToolError) Unwrap() error { return e.Err }

// ForeignRuleset is somebody else's nf_tables configuration: a forward
// chain with policy drop, an inet nat table of its own, and a table named
// nsnet in family ip (nsnet's is inet nsnet).
const ForeignRuleset = `table ip filter {
	chain FORWARD { type filter hook forward priority filter; policy drop;
		ct state established,related counter accept
		iifname "v-net-0" counter accept comment "theirs"
	}
	chain INPUT { type filter hook input priority filter; policy accept; tcp dport 22 accept; }
}
table inet other {
	chain post { type nat hook postrouting priority srcnat + 10; policy accept;
		ip saddr 10.9.0.0/16 counter masquerade comment "masquerade 10.9.0.0/16"
	}
	chain helper { counter; }
}
table ip nsnet {
	chain post { type nat hook postrouting priority srcnat; ip saddr 10.8.0.0/16 masquerade comment "masquerade 10.8.0.0/16"; }
}
`

// ForeignTables are the tables of ForeignRuleset, as nft names them.
var ForeignTables = [][2]string{{"ip", "filter"}, {"inet", "other"}, {"ip", "nsnet"}}

// LoadForeign loads ForeignRuleset into ns with nft.
func LoadForeign(t testing.TB, ns *nsutil.NetNS) {
	t.Helper()
	if out, err := Try(ns, ForeignRuleset, "nft", "-f", "-"); err != nil {
		t.Fatalf("nft -f: %v\n%s", err, out)
	}
}

// ForeignSnapshot is ForeignRuleset's tables as nft lists them now, with
// handles, in text and JSON: equal before and after means untouched.
func ForeignSnapshot(t testing.TB, ns *nsutil.NetNS) string {
	t.Helper()
	var sb strings.Builder
	for _, tbl := range ForeignTables {
		sb.WriteString(Run(t, ns, "nft", "-a", "list", "table", tbl[0], tbl[1]))
		sb.WriteString(Run(t, ns, "nft", "-a", "-j", "list", "table", tbl[0], tbl[1]))
	}
	return sb.String()
}
