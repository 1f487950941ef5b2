package main

import (
	"fmt"
	"runtime/debug"
)

// versionReq is -V: the module version nsnet was built from.
type versionReq struct{}

func (versionReq) run(e *env) error {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	_, err := fmt.Fprintf(e.out, "nsnet utility, nsnet-%s\n", v)
	return err
}
