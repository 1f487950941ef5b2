package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// corpusGroup is one "== NAME" group of testdata/ip-corpus.txt.
type corpusGroup struct {
	name  string
	lines []string
}

func readCorpus(t *testing.T, path string) []corpusGroup {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var groups []corpusGroup
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "== "):
			groups = append(groups, corpusGroup{name: strings.TrimPrefix(line, "== ")})
		case len(groups) == 0:
			t.Fatalf("%s: %q comes before the first == group", path, line)
		default:
			g := &groups[len(groups)-1]
			g.lines = append(g.lines, line)
		}
	}
	return groups
}

// volatile are the parts of the state that differ between two identical
// namespaces: MAC addresses, the IPv6 link-local addresses made from
// them, and counters of time.
var volatile = regexp.MustCompile(`([0-9a-f]{2}:){5}[0-9a-f]{2}|fe80::[0-9a-f:]+|\b\d+sec\b`)

// lifetimes are JSON counters of time, set to 0 (the JSON stays valid).
var lifetimes = regexp.MustCompile(`("(?:valid|preferred)_life_time"|"(?:used|confirmed|updated)"):\d+`)

// corpusViews are the views of a namespace's state that are compared.
var corpusViews = [][]string{
	{"-d", "-j", "link", "show"}, {"-j", "addr", "show"},
	{"-4", "-j", "route", "show", "table", "all"}, {"-6", "-j", "route", "show", "table", "all"},
	{"-4", "-j", "rule", "show"}, {"-6", "-j", "rule", "show"},
}

// corpusState is the namespace's state as iproute2 reports it, one
// string per view, with ns written as "NS".
func corpusState(t *testing.T, ip, ns string) []string {
	var views []string
	for _, v := range corpusViews {
		out, err := exec.Command(ip, append([]string{"-n", ns}, v...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ip -n %s %s: %v: %s", ns, strings.Join(v, " "), err, out)
		}
		v := lifetimes.ReplaceAllString(strings.ReplaceAll(string(out), ns, "NS"), "$1:0")
		views = append(views, sortedJSON(volatile.ReplaceAllString(v, "X")))
	}
	return views
}

// TestIPCorpus runs testdata/ip-corpus.txt: each line with iproute2's ip
// in one namespace and with nsnet, as ip, in its twin. A line must give
// the same exit code, output and state, or be refused as not implemented
// (then the rest of its group is skipped). The counts are logged.
func TestIPCorpus(t *testing.T) {
	sandbox.Require(t)
	ip := realIP(t)
	groups := readCorpus(t, "../../testdata/ip-corpus.txt")
	var same, refused, skipped, differ, knownDiff int
	for gi, g := range groups {
		a, b := fmt.Sprintf("corpus-a%d", gi), fmt.Sprintf("corpus-b%d", gi)
		for _, ns := range []string{a, b} {
			for _, c := range [][]string{
				{"netns", "add", ns}, {"-n", ns, "link", "set", "lo", "up"},
				{"-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0"},
				// no IPv6 link-local addresses: their DAD makes the twins' state differ in time
				{"-n", ns, "link", "set", "eth0", "addrgenmode", "none"}, {"-n", ns, "link", "set", "peer0", "addrgenmode", "none"},
				{"-n", ns, "link", "set", "eth0", "up"}, {"-n", ns, "link", "set", "peer0", "up"},
				{"-n", ns, "addr", "add", "10.0.0.2/24", "dev", "eth0"},
			} {
				if out, err := exec.Command(ip, c...).CombinedOutput(); err != nil {
					t.Fatalf("setup: ip %s: %v: %s", strings.Join(c, " "), err, out)
				}
			}
			defer exec.Command(ip, "netns", "del", ns).Run()
		}
		for li, line := range g.lines {
			line, known, _ := strings.Cut(line, "#!known-difference")
			words := strings.Fields(line)
			if len(words) == 0 || words[0] != "ip" {
				t.Fatalf("%s: line %q does not start with ip", g.name, line)
			}
			args := words[1:]
			var theirOut, theirErr bytes.Buffer
			cmd := exec.Command(ip, append([]string{"-n", a}, args...)...)
			cmd.Stdout, cmd.Stderr = &theirOut, &theirErr
			theirCode := 0
			if err := cmd.Run(); err != nil {
				ee, ok := err.(*exec.ExitError)
				if !ok {
					t.Fatal(err)
				}
				theirCode = ee.ExitCode()
			}
			var ourOut, ourErr bytes.Buffer
			ourCode := run(append([]string{"ip", "-n", b}, args...), &ourOut, &ourErr)
			rest := len(g.lines) - li - 1
			if ourCode == 2 && strings.Contains(ourErr.String(), "not implemented by nsnet") {
				refused++
				skipped += rest
				t.Logf("refused: %s: %s (%s)", g.name, line, strings.TrimSpace(ourErr.String()))
				break
			}
			fix := func(s, ns string) string { return volatile.ReplaceAllString(strings.ReplaceAll(s, ns, "NS"), "X") }
			var why []string
			if ourCode != theirCode {
				why = append(why, fmt.Sprintf("exit %d, ip %d", ourCode, theirCode))
			}
			if fix(ourOut.String(), b) != fix(theirOut.String(), a) {
				why = append(why, fmt.Sprintf("stdout %q, ip's %q", ourOut.String(), theirOut.String()))
			}
			if fix(ourErr.String(), b) != fix(theirErr.String(), a) {
				why = append(why, fmt.Sprintf("stderr %q, ip's %q", ourErr.String(), theirErr.String()))
			}
			// links settle after a change (carrier, operstate, the ff00::/8
			// routes of a link coming up): a difference is read again for a
			// while before it counts
			sa, sb := corpusState(t, ip, a), corpusState(t, ip, b)
			for try := 0; try < 20 && !slices.Equal(sa, sb); try++ {
				time.Sleep(100 * time.Millisecond)
				sa, sb = corpusState(t, ip, a), corpusState(t, ip, b)
			}
			for k := range sa {
				if sa[k] != sb[k] {
					why = append(why, fmt.Sprintf("state (ip %s) differs:\n nsnet %.600s\n    ip %.600s", strings.Join(corpusViews[k], " "), sb[k], sa[k]))
				}
			}
			switch {
			case len(why) > 0 && known != "":
				knownDiff++
				skipped += rest
				t.Logf("known difference: %s: %s (%s)", g.name, line, strings.TrimSpace(known))
			case len(why) > 0:
				differ++
				skipped += rest
				t.Errorf("%s: %s: %s (the rest of the group is skipped)", g.name, line, strings.Join(why, "; "))
			case known != "":
				t.Errorf("%s: %s: marked #!known-difference but now identical: remove the mark", g.name, line)
			default:
				same++
				continue
			}
			break
		}
	}
	t.Logf("ip corpus: %d lines identical, %d refused as not implemented, %d known differences, %d different, %d skipped after those",
		same, refused, knownDiff, differ, skipped)
}

// sortedJSON is a JSON list with its elements sorted, since the kernel
// lists some objects (the ff00::/8 routes of links brought up together)
// in the order of a race. Text that is not a JSON list is kept as is.
func sortedJSON(s string) string {
	var list []json.RawMessage
	if json.Unmarshal([]byte(s), &list) != nil {
		return s
	}
	elems := make([]string, len(list))
	for i, e := range list {
		elems[i] = string(e)
	}
	sort.Strings(elems)
	return "[" + strings.Join(elems, ",") + "]"
}
