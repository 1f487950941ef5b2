package sandbox

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// envRequireOracles, set to "1" (CI does), turns a missing oracle tool
// from a skip into a failure.
const envRequireOracles = "NSNET_REQUIRE_ORACLES"

// Run runs the tool name with args, waits for it and returns its standard
// output. A non-zero exit fails t with the tool's standard error. A tool
// that is not installed skips t, or fails it when NSNET_REQUIRE_ORACLES=1.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	path := lookTool(t, name)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String()
}

// RunJSON runs the tool like Run and decodes its standard output, as JSON,
// into v. Empty output leaves v untouched.
func RunJSON(t testing.TB, v any, name string, args ...string) {
	t.Helper()
	out := Run(t, name, args...)
	if strings.TrimSpace(out) == "" {
		return
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%s %s: decode JSON: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// IPJSON runs `ip -j args...` and returns the decoded array (nil when ip
// prints nothing), e.g. IPJSON(t, "-n", "red", "link", "show", "dev", "eth0").
func IPJSON(t testing.TB, args ...string) []map[string]any {
	t.Helper()
	var v []map[string]any
	RunJSON(t, &v, "ip", append([]string{"-j"}, args...)...)
	return v
}

// NFTJSON runs `nft -j args...`, e.g. NFTJSON(t, "list", "ruleset"), and
// returns the decoded object ({"nftables": [...]}).
func NFTJSON(t testing.TB, args ...string) map[string]any {
	t.Helper()
	var v map[string]any
	RunJSON(t, &v, "nft", append([]string{"-j"}, args...)...)
	return v
}

// lookTool finds name in PATH, or skips (fails, if oracles are required).
func lookTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv(envRequireOracles) == "1" {
		t.Fatalf("oracle %s is not installed and %s=1: %v", name, envRequireOracles, err)
	}
	t.Skipf("oracle %s is not installed (set %s=1 to fail instead)", name, envRequireOracles)
	return ""
}
