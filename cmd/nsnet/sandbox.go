package main

import (
	"fmt"
	"os"

	"github.com/nsnet/nsnet/internal/isolate"
)

const sandboxUsage = `Usage: nsnet sandbox [--] [CMD [ARGS...]]
Runs CMD (default: $SHELL, or /bin/sh) in a private sandbox: a fresh
network namespace with only lo (up) and a private mount namespace with its
own /run/netns and /sys. Whatever CMD builds (namespaces, links, routes,
nftables rules) disappears when it exits, and the host's network is never
touched. The sandbox refuses to start CMD unless its network and mount
namespaces really differ from the caller's.
Example: nsnet sandbox -- sh -c 'ip netns add red; ip -n red link'
Exit status: CMD's, or 1 if the sandbox could not be made.
`

type sandboxReq struct{ argv []string }

func parseSandbox(args []string, o opts) (request, error) {
	if len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		return helpReq{text: sandboxUsage}, nil
	}
	if o.netns != "" {
		return nil, fmt.Errorf("sandbox: -n does not apply: the sandbox is a namespace of its own")
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		sh := os.Getenv("SHELL")
		if sh == "" {
			sh = "/bin/sh"
		}
		args = []string{sh}
	}
	return sandboxReq{argv: args}, nil
}

func (r sandboxReq) run(e *env) error {
	if isolate.Marked() && !isolate.Ready() {
		// The re-executed nsnet: set the sandbox up, then become CMD.
		if err := isolate.Enter(); err != nil {
			return err
		}
		return isolate.Exec(r.argv, nil)
	}
	if err := e.out.Flush(); err != nil {
		return err
	}
	argv := append([]string{"nsnet", "sandbox", "--"}, r.argv...)
	return exitOf(isolate.Run(argv, nil, isolate.Stdio{In: os.Stdin, Out: e.rawOut, Err: e.stderr}))
}
