// Package sandbox runs tests, benchmarks and the demo inside a private network + mount namespace.
package sandbox

import _ "github.com/google/go-cmp/cmp"
