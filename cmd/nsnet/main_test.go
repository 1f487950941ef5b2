package main

import (
	"os"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

// TestMain re-executes the tests in a private network + mount namespace
// when run as root (internal/sandbox), so that the privileged tests never
// touch the host's network.
func TestMain(m *testing.M) { os.Exit(sandbox.Main(m)) }
