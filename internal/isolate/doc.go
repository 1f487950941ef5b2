// Package isolate runs a program in a fresh network + mount namespace that
// proves it is not in its parent's (DESIGN.md, Tests): the parent passes
// the inodes of its own network and mount namespaces on, and the child
// refuses to run unless both differ. The test sandbox (internal/sandbox),
// `nsnet demo`, `nsnet sandbox -- CMD` and the benchmarks are built on it.
// It does not import package testing, so the nsnet binary can use it.
package isolate
