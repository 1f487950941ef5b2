package main

import (
	"os"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// TestMain re-executes the tests in a private network + mount namespace
// when run as root (internal/sandbox), so that the privileged tests never
// touch the host's network.
func TestMain(m *testing.M) {
	if bin := os.Getenv(envRootfsStage); bin != "" {
		os.Exit(rootfsStage(bin)) // TestRunRootfs's child
	}
	os.Exit(sandbox.Main(m))
}
