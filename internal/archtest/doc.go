// Package archtest holds no code: its test enforces DESIGN.md's layering
// (arrows point down only: cmd -> topo -> rtnl, nft, nsutil, probe) and
// STYLE.md R16's dependency list, by asking `go list -deps`, and reads
// topo's sources to keep address parsing in its decoder.
package archtest
