package nsutil

import (
	"os"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

func TestMain(m *testing.M) {
	// Run's helper is this test binary re-executed (/proc/self/exe), as
	// it is the nsnet binary in production.
	if IsHelper(os.Args[0]) {
		os.Exit(RunHelper(os.Args[1:]))
	}
	os.Exit(sandbox.Main(m))
}
