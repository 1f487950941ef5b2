package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// ICMP message types this package sends or reads (RFC 792, RFC 4443).
const (
	icmpEchoReply       = 0   // ICMP_ECHOREPLY, include/uapi/linux/icmp.h
	icmpDestUnreach     = 3   // ICMP_DEST_UNREACH
	icmpSourceQuench    = 4   // ICMP_SOURCE_QUENCH
	icmpRedirect        = 5   // ICMP_REDIRECT
	icmpEchoRequest     = 8   // ICMP_ECHO
	icmpTimeExceeded    = 11  // ICMP_TIME_EXCEEDED
	icmpParameterProb   = 12  // ICMP_PARAMETERPROB
	icmp6DestUnreach    = 1   // ICMPV6_DEST_UNREACH, include/uapi/linux/icmpv6.h
	icmp6PacketTooBig   = 2   // ICMPV6_PKT_TOOBIG
	icmp6TimeExceed     = 3   // ICMPV6_TIME_EXCEED
	icmp6ParamProb      = 4   // ICMPV6_PARAMPROB
	icmp6EchoRequest    = 128 // ICMPV6_ECHO_REQUEST
	icmp6EchoReply      = 129 // ICMPV6_ECHO_REPLY
	icmpHeaderLen       = 8   // type, code, checksum, identifier, sequence
	sizeofSockExtendErr = 16  // struct sock_extended_err, include/uapi/linux/errqueue.h
)

var (
	errShortICMP = errors.New("probe: ICMP message shorter than its 8-byte header")
	errShortIPv4 = errors.New("probe: truncated IPv4 header")
)

// echo is an ICMP (RFC 792) or ICMPv6 (RFC 4443 §4.1) echo message. The
// checksum is kept as read, so that decoding then encoding gives back the
// same bytes.
type echo struct {
	Type     uint8
	Code     uint8
	Checksum uint16 // as on the wire; setChecksum computes it for ICMPv4
	ID       uint16 // identifier; a ping socket (SOCK_DGRAM) overwrites it with its port
	Seq      uint16 // sequence number, ping's icmp_seq
	Data     []byte
}

// marshal encodes e, checksum as stored.
func (e *echo) marshal() []byte {
	b := make([]byte, icmpHeaderLen+len(e.Data))
	b[0] = e.Type
	b[1] = e.Code
	binary.BigEndian.PutUint16(b[2:4], e.Checksum)
	binary.BigEndian.PutUint16(b[4:6], e.ID)
	binary.BigEndian.PutUint16(b[6:8], e.Seq)
	copy(b[icmpHeaderLen:], e.Data)
	return b
}

// unmarshal decodes an ICMP message that starts at b[0] (no IP header).
// Data is a copy: b may be reused.
func (e *echo) unmarshal(b []byte) error {
	if len(b) < icmpHeaderLen {
		return errShortICMP
	}
	*e = echo{
		Type:     b[0],
		Code:     b[1],
		Checksum: binary.BigEndian.Uint16(b[2:4]),
		ID:       binary.BigEndian.Uint16(b[4:6]),
		Seq:      binary.BigEndian.Uint16(b[6:8]),
		Data:     append([]byte(nil), b[icmpHeaderLen:]...),
	}
	return nil
}

// checksum is the Internet checksum (RFC 1071) of b.
func checksum(b []byte) uint16 {
	var sum uint32
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// encodeRequest builds an echo request. ICMPv4 needs its checksum from us on
// a raw socket (a ping socket recomputes it, so it does no harm there);
// for ICMPv6 the kernel always computes it over the pseudo-header (RFC
// 3542 §3.1), so it is left zero.
func encodeRequest(v6 bool, id, seq uint16, data []byte) []byte {
	e := echo{Type: icmpEchoRequest, ID: id, Seq: seq, Data: data}
	if v6 {
		e.Type = icmp6EchoRequest
		return e.marshal()
	}
	b := e.marshal()
	binary.BigEndian.PutUint16(b[2:4], checksum(b))
	return b
}

// stripIPv4 returns the payload of the IPv4 packet b and its TTL. A raw
// IPv4 socket reads whole packets; a ping socket and IPv6 sockets read
// from the ICMP header on.
func stripIPv4(b []byte) (payload []byte, ttl int, err error) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return nil, 0, errShortIPv4
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || len(b) < ihl {
		return nil, 0, errShortIPv4
	}
	return b[ihl:], int(b[8]), nil
}

// recvErr is one entry of a socket's error queue: struct sock_extended_err
// and the address of the node that reported it (SO_EE_OFFENDER), read with
// MSG_ERRQUEUE after IP_RECVERR/IPV6_RECVERR (ip(7), ipv6(7)).
type recvErr struct {
	Errno    unix.Errno // ee_errno
	Origin   uint8      // ee_origin: SO_EE_ORIGIN_LOCAL, _ICMP, _ICMP6
	Type     uint8      // ee_type: the ICMP type
	Code     uint8      // ee_code: the ICMP code
	Info     uint32     // ee_info: e.g. the MTU for "fragmentation needed"
	Data     uint32     // ee_data
	Offender netip.Addr // SO_EE_OFFENDER; invalid when the kernel gave none (AF_UNSPEC)
}

// control is what the ancillary data of one recvmsg carries for ping.
type control struct {
	TTL    int      // IP_TTL or IPV6_HOPLIMIT; -1 when absent
	RecvEr *recvErr // IP_RECVERR or IPV6_RECVERR entry, nil when absent
}

// parseControl decodes the ancillary data of a recvmsg on a ping socket.
// Messages it does not know are skipped; malformed known ones are errors.
func parseControl(oob []byte) (control, error) {
	c := control{TTL: -1}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return c, fmt.Errorf("probe: control messages: %w", err)
	}
	for _, m := range msgs {
		switch {
		case m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_TTL,
			m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_HOPLIMIT:
			if len(m.Data) < 4 {
				return c, errors.New("probe: short TTL control message")
			}
			ttl := int32(binary.NativeEndian.Uint32(m.Data))
			if ttl < 0 || ttl > 255 {
				return c, fmt.Errorf("probe: TTL control message out of range: %d", ttl)
			}
			c.TTL = int(ttl)
		case m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_RECVERR,
			m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_RECVERR:
			e, err := parseRecvErr(m.Data)
			if err != nil {
				return c, err
			}
			c.RecvEr = &e
		}
	}
	return c, nil
}

// parseRecvErr decodes struct sock_extended_err and the sockaddr_in or
// sockaddr_in6 that follows it.
func parseRecvErr(b []byte) (recvErr, error) {
	if len(b) < sizeofSockExtendErr {
		return recvErr{}, errors.New("probe: short sock_extended_err")
	}
	e := recvErr{
		Errno:  unix.Errno(binary.NativeEndian.Uint32(b[0:4])),
		Origin: b[4],
		Type:   b[5],
		Code:   b[6],
		Info:   binary.NativeEndian.Uint32(b[8:12]),
		Data:   binary.NativeEndian.Uint32(b[12:16]),
	}
	sa := b[sizeofSockExtendErr:]
	if len(sa) < 2 {
		return e, nil
	}
	switch binary.NativeEndian.Uint16(sa[0:2]) {
	case unix.AF_INET:
		if len(sa) < unix.SizeofSockaddrInet4 {
			return e, errors.New("probe: short offender sockaddr_in")
		}
		e.Offender = netip.AddrFrom4([4]byte(sa[4:8]))
	case unix.AF_INET6:
		if len(sa) < unix.SizeofSockaddrInet6 {
			return e, errors.New("probe: short offender sockaddr_in6")
		}
		e.Offender = netip.AddrFrom16([16]byte(sa[8:24]))
	}
	return e, nil
}

// text says what e means, in the words iputils ping prints after
// "From ADDR icmp_seq=N ".
func (e *recvErr) text() string {
	switch e.Origin {
	case unix.SO_EE_ORIGIN_ICMP:
		return icmp4Text(e.Type, e.Code, e.Info)
	case unix.SO_EE_ORIGIN_ICMP6:
		return icmp6Text(e.Type, e.Code, e.Info)
	}
	if e.Errno == unix.EMSGSIZE {
		return fmt.Sprintf("local error: message too long, mtu=%d", e.Info)
	}
	return "local error: " + e.Errno.Error()
}

// icmp4Unreach are iputils' words for ICMP_DEST_UNREACH codes 0 to 15.
var icmp4Unreach = [...]string{
	"Destination Net Unreachable",
	"Destination Host Unreachable",
	"Destination Protocol Unreachable",
	"Destination Port Unreachable",
	"Frag needed and DF set",
	"Source Route Failed",
	"Destination Net Unknown",
	"Destination Host Unknown",
	"Source Host Isolated",
	"Destination Net Prohibited",
	"Destination Host Prohibited",
	"Destination Net Unreachable for Type of Service",
	"Destination Host Unreachable for Type of Service",
	"Packet filtered",
	"Precedence Violation",
	"Precedence Cutoff",
}

// icmp4Text is iputils' pr_icmph for the types an echo request can provoke.
func icmp4Text(typ, code uint8, info uint32) string {
	switch typ {
	case icmpDestUnreach:
		switch {
		case code == 4:
			return fmt.Sprintf("Frag needed and DF set (mtu = %d)", info)
		case int(code) < len(icmp4Unreach):
			return icmp4Unreach[code]
		}
		return fmt.Sprintf("Dest Unreachable, Bad Code: %d", code)
	case icmpTimeExceeded:
		switch code {
		case 0:
			return "Time to live exceeded"
		case 1:
			return "Frag reassembly time exceeded"
		}
		return fmt.Sprintf("Time exceeded, Bad Code: %d", code)
	case icmpSourceQuench:
		return "Source Quench"
	case icmpRedirect:
		return "Redirect"
	case icmpParameterProb:
		return fmt.Sprintf("Parameter problem: pointer = %d", info)
	}
	return fmt.Sprintf("Bad ICMP type: %d", typ)
}

// icmp6Unreach are iputils' words for ICMPV6_DEST_UNREACH codes 0 to 4.
var icmp6Unreach = [...]string{
	"No route",
	"Administratively prohibited",
	"Beyond scope of source address",
	"Address unreachable",
	"Port unreachable",
}

// icmp6Text is iputils' print_icmp (ping6_common.c) for error types.
func icmp6Text(typ, code uint8, info uint32) string {
	switch typ {
	case icmp6DestUnreach:
		if int(code) < len(icmp6Unreach) {
			return "Destination unreachable: " + icmp6Unreach[code]
		}
		return fmt.Sprintf("Destination unreachable: Unknown code %d", code)
	case icmp6PacketTooBig:
		return fmt.Sprintf("Packet too big: mtu=%d", info)
	case icmp6TimeExceed:
		switch code {
		case 0:
			return "Time exceeded: Hop limit"
		case 1:
			return "Time exceeded: Defragmentation failure"
		}
		return fmt.Sprintf("Time exceeded: code %d", code)
	case icmp6ParamProb:
		return fmt.Sprintf("Parameter problem: code %d at %d", code, info)
	}
	return fmt.Sprintf("Unknown ICMPv6 type %d, code %d", typ, code)
}
