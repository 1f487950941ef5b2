package rtnl

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"
)

// Helpers the link kinds share for the attribute shapes the kernel uses
// in IFLA_INFO_DATA: addresses as 4 or 16 raw bytes, u8 booleans, and
// big-endian ports and labels in a host-order encoder.

// putAddr writes a as the attribute typ4 (4 bytes) or typ6 (16 bytes);
// an invalid (zero) address is not sent.
func putAddr(ae *netlink.AttributeEncoder, typ4, typ6 uint16, a netip.Addr) {
	switch {
	case a.Is4():
		b := a.As4()
		ae.Bytes(typ4, b[:])
	case a.IsValid():
		b := a.As16()
		ae.Bytes(typ6, b[:])
	}
}

// attrAddr decodes the current attribute as an IPv4 (is6 false) or IPv6
// address; a payload of another length is a decoding error.
func attrAddr(ad *netlink.AttributeDecoder, is6 bool) netip.Addr {
	var a netip.Addr
	ad.Do(func(b []byte) error {
		switch {
		case !is6 && len(b) == 4:
			a = netip.AddrFrom4([4]byte(b))
		case is6 && len(b) == 16:
			a = netip.AddrFrom16([16]byte(b))
		default:
			return fmt.Errorf("address attribute %d: %d bytes", ad.Type(), len(b))
		}
		return nil
	})
	return a
}

// attrBool decodes a u8 boolean attribute as a pointer (present).
func attrBool(ad *netlink.AttributeDecoder) *bool {
	v := ad.Uint8() != 0
	return &v
}

func boolByte(v bool) uint8 {
	if v {
		return 1
	}
	return 0
}

// beUint16 swaps a big-endian u16 to host order and back (both ways).
func beUint16(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

// beUint32 swaps a big-endian u32 to host order and back (both ways).
func beUint32(v uint32) uint32 {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return binary.NativeEndian.Uint32(b[:])
}
