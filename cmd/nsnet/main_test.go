package main

import (
	"os"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
	"github.com/nsnet/nsnet/nsutil"
)

// TestMain re-executes the tests in a private network + mount namespace
// when run as root (internal/sandbox), so that the privileged tests never
// touch the host's network.
func TestMain(m *testing.M) {
	if nsutil.IsHelper(os.Args[0]) {
		os.Exit(nsutil.RunHelper(os.Args[1:])) // nsnet run, run in-process by the tests
	}
	if bin := os.Getenv(envRootfsStage); bin != "" {
		os.Exit(rootfsStage(bin)) // TestRunRootfs's child
	}
	os.Exit(sandbox.Main(m))
}
