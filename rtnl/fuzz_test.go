package rtnl

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

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
