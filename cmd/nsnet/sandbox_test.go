package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

func TestParseSandbox(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--", "ip", "link"}, []string{"ip", "link"}},
		{[]string{"ip", "link"}, []string{"ip", "link"}},
	} {
		req, err := parseSandbox(tt.args, opts{})
		if err != nil {
			t.Fatalf("parseSandbox(%q): %v", tt.args, err)
		}
		if got := req.(sandboxReq).argv; strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("parseSandbox(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
	if _, err := parseSandbox([]string{"ip"}, opts{netns: "red"}); err == nil {
		t.Error("parseSandbox with -n: no error, want one (the sandbox is its own namespace)")
	}
}

// TestSandboxCommand runs `nsnet sandbox -- sh -c ...` and checks that the
// command ran in another network namespace, saw only lo, and that what it
// built (a named namespace, a bridge) is gone from here afterwards.
func TestSandboxCommand(t *testing.T) {
	sandbox.Require(t)
	bin := filepath.Join(buildNsnet(t), "nsnet")
	own, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	script := "readlink /proc/self/ns/net; " + bin + " link add sbx-br0 type bridge; " + bin + " netns add sbx-red; ls /sys/class/net"
	out, err := exec.Command(bin, "sandbox", "--", "sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("nsnet sandbox: %v\n%s", err, out)
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 || lines[0] == own {
		t.Fatalf("the command ran in %q, the caller's namespace is %q:\n%s", lines, own, out)
	}
	if got := strings.Join(lines[1:], " "); got != "lo sbx-br0" {
		t.Errorf("/sys/class/net inside the sandbox = %q, want %q", got, "lo sbx-br0")
	}
	if _, err := os.Stat("/sys/class/net/sbx-br0"); err == nil {
		t.Error("the sandbox's bridge sbx-br0 is visible outside it")
	}
	if _, err := os.Stat(filepath.Join("/run/netns", "sbx-red")); err == nil {
		t.Error("the sandbox's namespace sbx-red is visible outside it")
	}
	code := exec.Command(bin, "sandbox", "--", "sh", "-c", "exit 7").Run()
	if ee, ok := code.(*exec.ExitError); !ok || ee.ExitCode() != 7 {
		t.Errorf("nsnet sandbox -- sh -c 'exit 7' = %v, want exit status 7", code)
	}
}
