package topo

import (
	"bytes"
	_ "embed" // the seed topology ships inside the binary for `nsnet demo`
)

// seedJSON is the seed walkthrough's whole picture. testdata/seed.json at
// the repository root is a copy that a test keeps equal.
//
//go:embed seed.json
var seedJSON []byte

// Seed returns the seed topology file: red and blue on bridge v-net-0
// (192.168.15.0/24, host 192.168.15.5), a "lan" namespace on a second
// host segment (192.168.1.0/24, host 192.168.1.2), routes, forwarding,
// masquerade of 192.168.15.0/24 and tcp 8080 forwarded to blue:80.
func Seed() []byte { return bytes.Clone(seedJSON) }
