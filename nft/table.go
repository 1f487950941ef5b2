package nft

import "golang.org/x/sys/unix"

// A Table is an nf_tables table (NFT_MSG_NEWTABLE and its dump).
type Table struct {
	Family Family // nfgenmsg.nfgen_family
	Name   string // NFTA_TABLE_NAME
	Flags  uint32 // NFTA_TABLE_FLAGS: NFT_TABLE_F_DORMANT, _OWNER, ...
	Use    uint32 // NFTA_TABLE_USE: number of chains (dump only)
	Handle uint64 // NFTA_TABLE_HANDLE (dump only)
}

// String names the table as nft does: "inet nsnet".
func (t *Table) String() string { return t.Family.String() + " " + t.Name }

// MarshalBinary encodes the message body: nfgenmsg and attributes.
func (t *Table) MarshalBinary() ([]byte, error) {
	ae := newEncoder()
	ae.String(unix.NFTA_TABLE_NAME, t.Name)
	ae.Uint32(unix.NFTA_TABLE_FLAGS, t.Flags) // nft always sends it
	if t.Use != 0 {
		ae.Uint32(unix.NFTA_TABLE_USE, t.Use)
	}
	if t.Handle != 0 {
		ae.Uint64(nftaTableHandle, t.Handle)
	}
	b, err := ae.Encode()
	if err != nil {
		return nil, err
	}
	return append(nfgenmsg(t.Family, 0), b...), nil
}

// UnmarshalBinary decodes a message body as the kernel dumps it.
func (t *Table) UnmarshalBinary(b []byte) error {
	*t = Table{}
	fam, attrs, err := parseNfgenmsg(b)
	if err != nil {
		return err
	}
	t.Family = fam
	ad, err := newDecoder(attrs)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_TABLE_NAME:
			t.Name = ad.String()
		case unix.NFTA_TABLE_FLAGS:
			t.Flags = ad.Uint32()
		case unix.NFTA_TABLE_USE:
			t.Use = ad.Uint32()
		case nftaTableHandle:
			t.Handle = ad.Uint64()
		}
	}
	return ad.Err()
}
