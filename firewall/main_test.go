package firewall

import (
	"os"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

func TestMain(m *testing.M) { os.Exit(sandbox.Main(m)) }
