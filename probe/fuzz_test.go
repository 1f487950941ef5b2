package probe

import (
	"bytes"
	"net"
	"net/netip"
	"reflect"
	"testing"

	"github.com/mdlayher/arp"
	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

// FuzzEchoUnmarshal: whatever decodes encodes back to the same bytes.
func FuzzEchoUnmarshal(f *testing.F) {
	for _, g := range golden.Glob(f, "testdata/echo_request_*.hex") {
		f.Add(g.Bytes)
	}
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0})
	for _, g := range golden.Glob(f, "testdata/kernel_echo_reply_v6.hex") {
		f.Add(g.Bytes)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var e echo
		if e.unmarshal(b) != nil {
			if len(b) >= icmpHeaderLen {
				t.Fatalf("%d bytes refused", len(b))
			}
			return
		}
		if got := e.marshal(); !bytes.Equal(got, b) {
			t.Fatalf("round trip changed the message:\n%x\n%x", b, got)
		}
	})
}

// FuzzStripIPv4: the payload is what follows a header of IHL words, and
// the TTL is byte 8.
func FuzzStripIPv4(f *testing.F) {
	for _, g := range golden.Glob(f, "testdata/echo_request_v4.hex") {
		f.Add(append([]byte{0x45, 0, 0, 84, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 9, 0, 2, 10, 9, 0, 1}, g.Bytes...))
	}
	f.Add([]byte{0x4f})
	for _, g := range golden.Glob(f, "testdata/kernel_raw_echo_reply_v4.hex") {
		f.Add(g.Bytes)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ttl, err := stripIPv4(b)
		if err != nil {
			return
		}
		ihl := int(b[0]&0x0f) * 4
		if b[0]>>4 != 4 || ihl < 20 || ttl != int(b[8]) || !bytes.Equal(p, b[ihl:]) {
			t.Fatalf("stripIPv4(%x) = %x, %d", b, p, ttl)
		}
	})
}

// FuzzParseControl: what parseControl decodes, encoded again the way the
// kernel lays it out, decodes to the same values.
func FuzzParseControl(f *testing.F) {
	f.Add(buildControl(control{TTL: 64}, false), false)
	f.Add(buildControl(control{TTL: -1, RecvEr: &recvErr{Errno: unix.EHOSTUNREACH, Origin: unix.SO_EE_ORIGIN_ICMP, Type: 3, Code: 1, Offender: netip.MustParseAddr("10.9.0.1")}}, false), false)
	f.Add(buildControl(control{TTL: 64, RecvEr: &recvErr{Errno: unix.EHOSTUNREACH, Origin: unix.SO_EE_ORIGIN_ICMP6, Type: 1, Code: 3, Offender: netip.MustParseAddr("fd00::1")}}, true), true)
	for _, g := range golden.Glob(f, "testdata/kernel_cmsg_*.hex") {
		f.Add(g.Bytes, false)
	}
	for _, g := range golden.Glob(f, "testdata/kernel_errqueue_*.hex") {
		f.Add(g.Bytes, false)
		f.Add(g.Bytes, true)
	}
	f.Fuzz(func(t *testing.T, oob []byte, v6 bool) {
		c1, err := parseControl(oob)
		if err != nil {
			return
		}
		if c1.TTL < -1 || c1.TTL > 255 {
			t.Fatalf("TTL %d out of range", c1.TTL)
		}
		if c1.RecvEr != nil {
			_ = c1.RecvEr.text()
		}
		c2, err := parseControl(buildControl(c1, v6))
		if err != nil || !reflect.DeepEqual(c1, c2) {
			t.Fatalf("round trip: %v\n%+v %+v\n%+v %+v", err, c1, c1.RecvEr, c2, c2.RecvEr)
		}
	})
}

// FuzzParseARP: parseARP keeps only answers from dst to src at our MAC,
// and what it keeps is the packet's own sender.
func FuzzParseARP(f *testing.F) {
	me := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	him := net.HardwareAddr{2, 0, 0, 0, 0, 2}
	src, dst := netip.MustParseAddr("10.9.0.1"), netip.MustParseAddr("10.9.0.2")
	for _, op := range []arp.Operation{arp.OperationReply, arp.OperationRequest} {
		p, err := arp.NewPacket(op, him, dst, me, src)
		if err != nil {
			f.Fatal(err)
		}
		b, _ := p.MarshalBinary()
		f.Add(b, uint8(unix.PACKET_HOST))
		f.Add(append(b, make([]byte, 18)...), uint8(unix.PACKET_BROADCAST)) // Ethernet padding
	}
	f.Fuzz(func(t *testing.T, b []byte, pkttype uint8) {
		r, ok := parseARP(b, pkttype, dst, src, me)
		if !ok {
			return
		}
		var p arp.Packet
		if err := p.UnmarshalBinary(b); err != nil {
			t.Fatalf("accepted a packet arp cannot decode: %v", err)
		}
		if r.IP != dst || p.TargetIP != src || !bytes.Equal(p.TargetHardwareAddr, me) || !bytes.Equal(r.MAC, p.SenderHardwareAddr) {
			t.Fatalf("accepted %+v from packet %+v", r, p)
		}
		if r.Broadcast != (pkttype != unix.PACKET_HOST) || r.Request != (p.Operation == arp.OperationRequest) {
			t.Fatalf("flags %+v for pkttype %d op %v", r, pkttype, p.Operation)
		}
		enc, _ := p.MarshalBinary()
		if !bytes.HasPrefix(b, enc) {
			t.Fatalf("accepted bytes are not the packet they decode to:\n%x\n%x", b, enc)
		}
	})
}
