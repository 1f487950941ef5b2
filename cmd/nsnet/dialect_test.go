package main

import (
	"bytes"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/nsnet/nsnet/nsutil"
	"github.com/nsnet/nsnet/rtnl"
)

// TestIPDialectUsage: under the ip name, parse errors read and exit as
// iproute2 6.1's do (checked against the real binary; the source is
// named at each message). Nothing here touches the system.
func TestIPDialectUsage(t *testing.T) {
	for _, tt := range []struct {
		argv       string
		ipMsg      string
		ipCode     int
		nsnetCode  int
		nsnetStart string
	}{
		{"frob", `Object "frob" is unknown, try "ip help".`, 1, 2, `nsnet: object "frob" is unknown`},
		{"route frob", `Command "frob" is unknown, try "ip route help".`, 255, 2, `nsnet: command "frob" is unknown for route`},
		{"addr frob", `Command "frob" is unknown, try "ip address help".`, 255, 2, `nsnet: command "frob"`},
		{"neigh frob", `Command "frob" is unknown, try "ip neigh help".`, 255, 2, `nsnet: command "frob"`},
		{"route add foo dev x", `Error: any valid prefix is expected rather than "foo".`, 1, 2, `nsnet: "foo" is not a route destination`},
		{"-6 route add foo dev x", `Error: inet6 prefix is expected rather than "foo".`, 1, 2, `nsnet: "foo"`},
		{"route add 10.0.0.0/8 via bar", `Error: any valid address is expected rather than "bar".`, 1, 2, `nsnet: "bar"`},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			for _, name := range []string{"ip", "/sbin/ip", "nsnet"} {
				var out, errb bytes.Buffer
				code := run(append([]string{name}, strings.Fields(tt.argv)...), &out, &errb)
				want, wantCode := tt.ipMsg+"\n", tt.ipCode
				if name == "nsnet" {
					if code != tt.nsnetCode || !strings.HasPrefix(errb.String(), tt.nsnetStart) {
						t.Errorf("nsnet %s: exit %d, %q; want %d, %q...", tt.argv, code, errb.String(), tt.nsnetCode, tt.nsnetStart)
					}
					continue
				}
				if code != wantCode || errb.String() != want {
					t.Errorf("%s %s: exit %d, %q; want %d, %q", name, tt.argv, code, errb.String(), wantCode, want)
				}
			}
		})
	}
}

// TestExplainIP: runtime errors under the ip name, as iproute2 6.1's
// libnetlink (rtnl_talk_error, print_ext_ack_msg), utils.c (nodev) and
// ipnetns.c print them.
func TestExplainIP(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		msg  string
		code int
	}{
		{"no extack", &rtnl.OpError{Op: "link add", Obj: "x", Err: syscall.EEXIST},
			"RTNETLINK answers: File exists", 2},
		{"no extack ESRCH", inNS(&rtnl.OpError{Op: "route del", Obj: "10.0.0.0/8", Err: syscall.ESRCH}, "the current namespace"),
			"RTNETLINK answers: No such process", 2},
		{"extack gets a dot", &rtnl.OpError{Op: "addr del", Err: syscall.EADDRNOTAVAIL, Hint: "ipv4: Address not found"},
			"Error: ipv4: Address not found.", 2},
		{"extack keeps its dot", &rtnl.OpError{Op: "route add", Err: syscall.EINVAL, Hint: "Invalid prefix."},
			"Error: Invalid prefix.", 2},
		{"device lookup", &refused{err: &rtnl.OpError{Op: "link show", Obj: "nosuch", Err: syscall.ENODEV}, op: "route add", obj: "10.0.0.0/8", name: "nosuch", where: "x"},
			`Cannot find device "nosuch"`, 1},
		{"master lookup", &refused{err: &rtnl.OpError{Op: "link show", Obj: "nosuch", Err: syscall.ENODEV}, op: "link set", name: "nosuch", role: "bridge"},
			"Error: argument \"nosuch\" is wrong: Device does not exist\n", 255},
		{"show filter", &notFound{what: "link", name: "nosuch"}, `Device "nosuch" does not exist.`, 1},
		{"lookup filter", &notFound{what: "link", name: "nosuch", lookup: true}, `Cannot find device "nosuch"`, 1},
		{"netns add", &nsutil.OpError{Op: "netns add", Name: "x", Err: syscall.EEXIST},
			`Cannot create namespace file "/run/netns/x": File exists`, 1},
		{"netns del", &nsutil.OpError{Op: "netns del", Name: "x", Err: syscall.ENOENT},
			`Cannot remove namespace file "/run/netns/x": No such file or directory`, 1},
		{"-n missing", &nsutil.OpError{Op: "netns open", Name: "x", Err: syscall.ENOENT},
			`Cannot open network namespace "x": No such file or directory`, 255},
		{"not implemented", &notImplemented{"route get: not implemented by nsnet"}, "nsnet: route get: not implemented by nsnet", 2},
		{"other", errors.New("boom"), "nsnet: boom", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg, code := explainIP(tt.err, false)
			if msg != tt.msg || code != tt.code {
				t.Errorf("explainIP = %q, %d; want %q, %d", msg, code, tt.msg, tt.code)
			}
		})
	}
}
