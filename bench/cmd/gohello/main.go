// Command gohello is the cold-start floor of any Go program: a static,
// stripped binary that writes one line and exits. nsbench times it next to
// `ip link show` and `nsnet link show` to show how much of nsnet's start is
// the Go runtime's own.
package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
