// Package tools pins the developer tools that CI runs (golangci-lint), in
// a module of its own so that their dependencies never enter the product's
// go.mod: `go tool -modfile=tools/go.mod golangci-lint run ./...` from the
// repository root (make lint).
package tools
