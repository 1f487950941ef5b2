// Package sandbox runs tests, benchmarks and the demo inside a private network + mount namespace.
package sandbox
