package probe

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"reflect"
	"testing"

	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

func TestChecksum(t *testing.T) {
	// RFC 1071 §3's worked example: the sum is ddf2, the checksum its complement.
	if got := checksum([]byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}); got != ^uint16(0xddf2) {
		t.Errorf("checksum = %#04x, want %#04x", got, ^uint16(0xddf2))
	}
	// Odd length: the last byte is padded with a zero.
	if got, want := checksum([]byte{0x01, 0x02, 0x03}), ^uint16(0x0102+0x0300); got != want {
		t.Errorf("odd checksum = %#04x, want %#04x", got, want)
	}
}

func TestEchoRequestGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		v6   bool
	}{{"echo_request_v4.hex", false}, {"echo_request_v6.hex", true}} {
		t.Run(tt.name, func(t *testing.T) {
			b := encodeRequest(tt.v6, 0x1234, 1, payload(DefaultSize))
			golden.Check(t, "testdata/"+tt.name, "probe encodeRequest(v6="+map[bool]string{false: "false", true: "true"}[tt.v6]+
				", id 0x1234, seq 1, 56 data bytes 00 01 02 ... as iputils fills them, before the timestamp)\n"+
				"layout: type code checksum(ICMPv4 only; the kernel fills ICMPv6's) id seq data", b)
			if !tt.v6 && checksum(b) != 0 {
				t.Errorf("an ICMPv4 message with its checksum must sum to zero, got %#04x", checksum(b))
			}
			var e echo
			if err := e.unmarshal(b); err != nil {
				t.Fatal(err)
			}
			if e.ID != 0x1234 || e.Seq != 1 || len(e.Data) != DefaultSize || !bytes.Equal(e.marshal(), b) {
				t.Errorf("decoded %+v", e)
			}
		})
	}
}

func TestStripIPv4(t *testing.T) {
	icmp := encodeRequest(false, 7, 9, []byte("hi"))
	hdr := []byte{0x46, 0, 0, 0, 0, 0, 0, 0, 63, 1, 0, 0, 10, 9, 0, 2, 10, 9, 0, 1, 1, 0, 0, 0} // IHL 6: one option word
	got, ttl, err := stripIPv4(append(hdr, icmp...))
	if err != nil || ttl != 63 || !bytes.Equal(got, icmp) {
		t.Errorf("stripIPv4 = %x, %d, %v; want %x, 63", got, ttl, err, icmp)
	}
	for _, bad := range [][]byte{nil, hdr[:19], {0x45}, append([]byte{0x44}, hdr[1:]...), append([]byte{0x65}, hdr[1:]...), append([]byte{0x4f}, hdr[1:]...)} {
		if _, _, err := stripIPv4(bad); err == nil {
			t.Errorf("stripIPv4(%x) accepted", bad)
		}
	}
}

// buildControl encodes what parseControl decodes, as the kernel lays it
// out: an IP_TTL/IPV6_HOPLIMIT int and an IP_RECVERR/IPV6_RECVERR
// sock_extended_err followed by the offender's sockaddr.
func buildControl(c control, v6 bool) []byte {
	var oob []byte
	add := func(level, typ int, data []byte) {
		b := make([]byte, unix.CmsgSpace(len(data)))
		h := (*unix.Cmsghdr)(unsafePointer(b))
		h.Level, h.Type = int32(level), int32(typ)
		h.SetLen(unix.CmsgLen(len(data)))
		copy(b[unix.CmsgLen(0):], data)
		oob = append(oob, b...)
	}
	if c.TTL >= 0 {
		var d [4]byte
		binary.NativeEndian.PutUint32(d[:], uint32(c.TTL))
		if v6 {
			add(unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, d[:])
		} else {
			add(unix.IPPROTO_IP, unix.IP_TTL, d[:])
		}
	}
	if e := c.RecvEr; e != nil {
		d := make([]byte, sizeofSockExtendErr)
		binary.NativeEndian.PutUint32(d[0:4], uint32(e.Errno))
		d[4], d[5], d[6] = e.Origin, e.Type, e.Code
		binary.NativeEndian.PutUint32(d[8:12], e.Info)
		binary.NativeEndian.PutUint32(d[12:16], e.Data)
		switch {
		case e.Offender.Is4():
			sa := make([]byte, unix.SizeofSockaddrInet4)
			binary.NativeEndian.PutUint16(sa[0:2], unix.AF_INET)
			a := e.Offender.As4()
			copy(sa[4:8], a[:])
			d = append(d, sa...)
		case e.Offender.Is6():
			sa := make([]byte, unix.SizeofSockaddrInet6)
			binary.NativeEndian.PutUint16(sa[0:2], unix.AF_INET6)
			a := e.Offender.As16()
			copy(sa[8:24], a[:])
			d = append(d, sa...)
		default:
			d = append(d, make([]byte, unix.SizeofSockaddrInet4)...) // AF_UNSPEC
		}
		if v6 {
			add(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, d)
		} else {
			add(unix.IPPROTO_IP, unix.IP_RECVERR, d)
		}
	}
	return oob
}

func TestParseControl(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    control
		v6   bool
		text string
	}{
		{"ttl only", control{TTL: 64}, false, ""},
		{"host unreachable", control{TTL: -1, RecvEr: &recvErr{Errno: unix.EHOSTUNREACH, Origin: unix.SO_EE_ORIGIN_ICMP, Type: 3, Code: 1, Offender: netip.MustParseAddr("10.9.0.1")}}, false, "Destination Host Unreachable"},
		{"frag needed", control{TTL: -1, RecvEr: &recvErr{Errno: unix.EMSGSIZE, Origin: unix.SO_EE_ORIGIN_ICMP, Type: 3, Code: 4, Info: 1400, Offender: netip.MustParseAddr("10.9.0.254")}}, false, "Frag needed and DF set (mtu = 1400)"},
		{"ttl exceeded", control{TTL: -1, RecvEr: &recvErr{Errno: unix.EHOSTUNREACH, Origin: unix.SO_EE_ORIGIN_ICMP, Type: 11, Offender: netip.MustParseAddr("10.9.0.254")}}, false, "Time to live exceeded"},
		{"v6 address unreachable", control{TTL: 255, RecvEr: &recvErr{Errno: unix.EHOSTUNREACH, Origin: unix.SO_EE_ORIGIN_ICMP6, Type: 1, Code: 3, Offender: netip.MustParseAddr("fd00:9::1")}}, true, "Destination unreachable: Address unreachable"},
		{"v6 too big", control{TTL: -1, RecvEr: &recvErr{Errno: unix.EMSGSIZE, Origin: unix.SO_EE_ORIGIN_ICMP6, Type: 2, Info: 1280, Offender: netip.MustParseAddr("fd00:9::1")}}, true, "Packet too big: mtu=1280"},
		{"local", control{TTL: -1, RecvEr: &recvErr{Errno: unix.EMSGSIZE, Origin: unix.SO_EE_ORIGIN_LOCAL, Info: 1500}}, false, "local error: message too long, mtu=1500"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseControl(buildControl(tt.c, tt.v6))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.c) {
				t.Fatalf("parseControl = %+v (%+v), want %+v (%+v)", got, got.RecvEr, tt.c, tt.c.RecvEr)
			}
			if got.RecvEr != nil {
				if txt := got.RecvEr.text(); txt != tt.text {
					t.Errorf("text %q, want %q", txt, tt.text)
				}
			}
		})
	}
	if _, err := parseControl(buildControl(control{TTL: -1, RecvEr: &recvErr{}}, false)[:unix.CmsgLen(8)]); err == nil {
		t.Error("truncated sock_extended_err accepted")
	}
}

func TestICMPText(t *testing.T) {
	for _, tt := range []struct {
		typ, code uint8
		v6        bool
		want      string
	}{
		{3, 0, false, "Destination Net Unreachable"},
		{3, 3, false, "Destination Port Unreachable"},
		{3, 13, false, "Packet filtered"},
		{3, 99, false, "Dest Unreachable, Bad Code: 99"},
		{11, 1, false, "Frag reassembly time exceeded"},
		{42, 0, false, "Bad ICMP type: 42"},
		{1, 0, true, "Destination unreachable: No route"},
		{1, 1, true, "Destination unreachable: Administratively prohibited"},
		{1, 9, true, "Destination unreachable: Unknown code 9"},
		{3, 0, true, "Time exceeded: Hop limit"},
	} {
		var got string
		if tt.v6 {
			got = icmp6Text(tt.typ, tt.code, 0)
		} else {
			got = icmp4Text(tt.typ, tt.code, 0)
		}
		if got != tt.want {
			t.Errorf("type %d code %d (v6 %v): %q, want %q", tt.typ, tt.code, tt.v6, got, tt.want)
		}
	}
}
