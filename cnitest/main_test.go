package cnitest

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// binDir is /opt/cni/bin inside the sandbox: nsnet and the reference
// plugins and cnitool.
const binDir = "/opt/cni/bin"

// tools are the reference binaries, built from this module's go.mod.
var tools = []string{
	"github.com/containernetworking/cni/cnitool",
	"github.com/containernetworking/plugins/plugins/main/bridge",
	"github.com/containernetworking/plugins/plugins/main/loopback",
	"github.com/containernetworking/plugins/plugins/ipam/host-local",
	"github.com/containernetworking/plugins/plugins/meta/portmap",
	"github.com/containernetworking/plugins/plugins/meta/firewall",
	"github.com/containernetworking/plugins/plugins/meta/tuning",
	"github.com/containernetworking/plugins/plugins/meta/bandwidth",
}

func TestMain(m *testing.M) {
	if os.Geteuid() == 0 && !sandbox.Marked() {
		dir, err := os.MkdirTemp("", "cnitest-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := build(dir); err != nil {
			os.RemoveAll(dir)
			fmt.Fprintln(os.Stderr, "cnitest: building the plugins:", err)
			os.Exit(1)
		}
		os.Setenv("CNITEST_BUILT", dir)
		code := sandbox.Main(m)
		os.RemoveAll(dir)
		os.Exit(code)
	}
	if sandbox.Inside() {
		if err := privateDirs(); err != nil {
			fmt.Fprintln(os.Stderr, "cnitest:", err)
			os.Exit(1)
		}
	}
	os.Exit(sandbox.Main(m))
}

// build makes the static nsnet (as `make build` does) and the reference
// binaries in dir.
func build(dir string) error {
	flags := []string{"build", "-trimpath", "-ldflags=-s -w", "-o"}
	run := func(wd string, args ...string) error {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = wd, os.Stderr, os.Stderr
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		return cmd.Run()
	}
	if err := run("..", append(flags, filepath.Join(dir, "nsnet"), "./cmd/nsnet")...); err != nil {
		return err
	}
	return run(".", append(append(flags, dir+"/"), tools...)...)
}

// privateDirs mounts tmpfs on /var/lib and /opt (this process's mount
// namespace is the sandbox's own) and copies the binaries into
// /opt/cni/bin.
func privateDirs() error {
	for _, d := range []string{"/var/lib", "/opt"} {
		if err := unix.Mount("tmpfs", d, "tmpfs", 0, "mode=0755"); err != nil {
			return fmt.Errorf("mount tmpfs on %s: %w", d, err)
		}
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	src := os.Getenv("CNITEST_BUILT")
	if src == "" {
		return nil // not root: the tests skip
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(binDir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
