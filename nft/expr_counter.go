package nft

import "golang.org/x/sys/unix"

// Counter counts the packets and bytes that reach it ("counter pkts 0
// bytes 0"). Sent with zeros it starts a fresh counter; a dump returns the
// current values.
type Counter struct {
	Bytes   uint64 // NFTA_COUNTER_BYTES
	Packets uint64 // NFTA_COUNTER_PACKETS
	// Explicit sends both attributes even when they are zero, as
	// libnftnl (iptables-nft) does; nft sends a new counter with none.
	// Decoding sets it when either attribute is there (kernel dumps).
	Explicit bool
	Unknown  []RawAttr // attributes not decoded, kept verbatim and sent after the others
}

func (e *Counter) exprName() string { return "counter" }

func (e *Counter) marshalData() ([]byte, error) {
	ae := newEncoder()
	// nft sends a new counter with no attributes; zeros are not sent.
	if e.Bytes != 0 || e.Explicit {
		ae.Uint64(unix.NFTA_COUNTER_BYTES, e.Bytes)
	}
	if e.Packets != 0 || e.Explicit {
		ae.Uint64(unix.NFTA_COUNTER_PACKETS, e.Packets)
	}
	encodeRaw(ae, e.Unknown)
	return ae.Encode()
}

func (e *Counter) unmarshalData(b []byte) error {
	*e = Counter{}
	ad, err := newDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_COUNTER_BYTES:
			e.Bytes = ad.Uint64()
			e.Explicit = true
		case unix.NFTA_COUNTER_PACKETS:
			e.Packets = ad.Uint64()
			e.Explicit = true
		default:
			e.Unknown = append(e.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}
