package probe

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

func BenchmarkEncodeRequest(b *testing.B) {
	data := payload(DefaultSize)
	b.ReportAllocs()
	for b.Loop() {
		encodeRequest(false, 0x1234, 1, data)
	}
}

func BenchmarkDecodeReply(b *testing.B) {
	oob := buildControl(control{TTL: 64}, false)
	msg := encodeRequest(false, 0x1234, 1, payload(DefaultSize))
	msg[0] = icmpEchoReply
	p := &pingConn{id: 0x1234}
	from := &unix.SockaddrInet4{Addr: netip.MustParseAddr("10.9.0.2").As4()}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.decode(msg, oob, from); !ok {
			b.Fatal("reply refused")
		}
	}
}
