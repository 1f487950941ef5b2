package main

import (
	"os"

	"github.com/nsnet/nsnet/cni/plugin"
)

// cniMode reports whether nsnet was started as a CNI plugin: a runtime
// always sets CNI_COMMAND (the plugin's type is "nsnet", the tool's own
// name, so the name alone does not tell).
func cniMode() bool { return os.Getenv("CNI_COMMAND") != "" }

// cniMain speaks the CNI spec on stdin, stdout and the CNI_* variables.
func cniMain() int { return plugin.Run(os.Getenv, os.Stdin, os.Stdout, os.Stderr) }
