// Package nettest proves connectivity with real traffic between network
// namespaces: an ICMP echo (through probe) and a TCP exchange with a tiny
// server started inside a namespace. Tests and `nsnet demo` use it; the
// addresses it talks to are always inside namespaces the caller made.
//
// A listening socket belongs to the namespace of the thread that created
// it, so Serve and Get create their sockets inside nsutil.NetNS.Do and
// then use them from any goroutine.
package nettest
