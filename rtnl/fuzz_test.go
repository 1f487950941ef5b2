package rtnl

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

// codec is what every rtnetlink message type of this package is: a
// value with MarshalBinary and UnmarshalBinary on its pointer.
type codec[T any] interface {
	*T
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
}

// fuzzRoundTrip is the property of every message decoder (STYLE R11),
// seeded from the golden files matching patterns: whatever decodes must
// encode, and decode again to the same value.
func fuzzRoundTrip[T any, P codec[T]](f *testing.F, patterns ...string) {
	for _, g := range golden.Glob(f, patterns...) {
		f.Add(g.Bytes)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v1, v2 T
		if P(&v1).UnmarshalBinary(b) != nil {
			return
		}
		b2, err := P(&v1).MarshalBinary()
		if err != nil {
			t.Fatalf("decoded %T does not encode: %v\n%+v", v1, err, v1)
		}
		if err := P(&v2).UnmarshalBinary(b2); err != nil || !reflect.DeepEqual(v1, v2) {
			t.Fatalf("round trip changed the %T: %v\n%+v\n%+v", v1, err, v1, v2)
		}
	})
}

// FuzzParseMessages: a datagram that parseMessages accepts is exactly its
// messages, each at the 4-byte aligned offset after the one before, plus
// fewer than NLMSG_HDRLEN trailing bytes; no byte is lost, repeated or
// given to the wrong message.
func FuzzParseMessages(f *testing.F) {
	var datagram []byte
	for i, g := range golden.Glob(f, "testdata/kernel_link_*.hex", "testdata/kernel_addr_*.hex") {
		m := netlink.Message{Header: netlink.Header{Length: uint32(unix.NLMSG_HDRLEN + len(g.Bytes)), Type: unix.RTM_NEWLINK, Flags: netlink.Multi, Sequence: uint32(i)}, Data: g.Bytes}
		m.Header.Length = (m.Header.Length + 3) &^ 3
		b, err := m.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		datagram = append(datagram, b...)
	}
	f.Add(datagram)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := parseMessages(b)
		if err != nil {
			return
		}
		off := 0
		for i, m := range msgs {
			l := int(m.Header.Length)
			if l != unix.NLMSG_HDRLEN+len(m.Data) || off+l > len(b) {
				t.Fatalf("message %d: length %d, %d data bytes, at offset %d of %d", i, l, len(m.Data), off, len(b))
			}
			h := b[off : off+unix.NLMSG_HDRLEN]
			if binary.NativeEndian.Uint32(h[0:]) != m.Header.Length ||
				binary.NativeEndian.Uint16(h[4:]) != uint16(m.Header.Type) ||
				binary.NativeEndian.Uint16(h[6:]) != uint16(m.Header.Flags) ||
				binary.NativeEndian.Uint32(h[8:]) != m.Header.Sequence ||
				binary.NativeEndian.Uint32(h[12:]) != m.Header.PID ||
				!bytes.Equal(b[off+unix.NLMSG_HDRLEN:off+l], m.Data) {
				t.Fatalf("message %d is not the bytes at offset %d: %+v", i, off, m.Header)
			}
			off = min((off+l+3)&^3, len(b))
		}
		if len(b)-off >= unix.NLMSG_HDRLEN {
			t.Fatalf("%d bytes after the last of %d messages were not parsed", len(b)-off, len(msgs))
		}
	})
}
