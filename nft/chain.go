package nft

import (
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Chain is an nf_tables chain (NFT_MSG_NEWCHAIN and its dump). A base
// chain has Hook set; a regular chain (a jump target) has not.
type Chain struct {
	Family Family     // nfgenmsg.nfgen_family
	Table  string     // NFTA_CHAIN_TABLE
	Name   string     // NFTA_CHAIN_NAME
	Handle uint64     // NFTA_CHAIN_HANDLE (dump only)
	Hook   *ChainHook // NFTA_CHAIN_HOOK: nil for a regular chain
	Policy *Policy    // NFTA_CHAIN_POLICY: base chains only; nil = not sent (accept)
	Type   string     // NFTA_CHAIN_TYPE: "filter", "nat", "route"
	Flags  uint32     // NFTA_CHAIN_FLAGS: NFT_CHAIN_BASE, ... (set by the kernel in dumps)
	Use    uint32     // NFTA_CHAIN_USE: references (dump only)
}

// ChainHook is NFTA_CHAIN_HOOK: where a base chain is attached.
type ChainHook struct {
	Num      Hook   // NFTA_HOOK_HOOKNUM
	Priority int32  // NFTA_HOOK_PRIORITY: -100 dstnat, 0 filter, 100 srcnat
	Dev      string // NFTA_HOOK_DEV: netdev family only
}

// IsBase reports whether the chain is attached to a hook.
func (ch *Chain) IsBase() bool { return ch.Hook != nil }

// String names the chain as nft does: "inet nsnet postrouting".
func (ch *Chain) String() string { return ch.Family.String() + " " + ch.Table + " " + ch.Name }

// MarshalBinary encodes the message body: nfgenmsg and attributes.
func (ch *Chain) MarshalBinary() ([]byte, error) {
	ae := newEncoder()
	ae.String(unix.NFTA_CHAIN_TABLE, ch.Table)
	ae.String(unix.NFTA_CHAIN_NAME, ch.Name)
	if ch.Handle != 0 {
		ae.Uint64(unix.NFTA_CHAIN_HANDLE, ch.Handle)
	}
	if ch.Type != "" {
		ae.String(unix.NFTA_CHAIN_TYPE, ch.Type)
	}
	if ch.Policy != nil {
		ae.Uint32(unix.NFTA_CHAIN_POLICY, uint32(*ch.Policy))
	}
	if ch.Hook != nil {
		ae.Nested(unix.NFTA_CHAIN_HOOK, func(nae *netlink.AttributeEncoder) error {
			nae.Uint32(unix.NFTA_HOOK_HOOKNUM, uint32(ch.Hook.Num))
			nae.Uint32(unix.NFTA_HOOK_PRIORITY, uint32(ch.Hook.Priority))
			if ch.Hook.Dev != "" {
				nae.String(unix.NFTA_HOOK_DEV, ch.Hook.Dev)
			}
			return nil
		})
	}
	if ch.Flags != 0 {
		ae.Uint32(nftaChainFlags, ch.Flags)
	}
	if ch.Use != 0 {
		ae.Uint32(unix.NFTA_CHAIN_USE, ch.Use)
	}
	b, err := ae.Encode()
	if err != nil {
		return nil, err
	}
	return append(nfgenmsg(ch.Family, 0), b...), nil
}

// UnmarshalBinary decodes a message body as the kernel dumps it.
func (ch *Chain) UnmarshalBinary(b []byte) error {
	*ch = Chain{}
	fam, attrs, err := parseNfgenmsg(b)
	if err != nil {
		return err
	}
	ch.Family = fam
	ad, err := newDecoder(attrs)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_CHAIN_TABLE:
			ch.Table = ad.String()
		case unix.NFTA_CHAIN_NAME:
			ch.Name = ad.String()
		case unix.NFTA_CHAIN_HANDLE:
			ch.Handle = ad.Uint64()
		case unix.NFTA_CHAIN_HOOK:
			h := &ChainHook{}
			ad.Nested(h.decode)
			ch.Hook = h
		case unix.NFTA_CHAIN_POLICY:
			p := Policy(ad.Uint32())
			ch.Policy = &p
		case unix.NFTA_CHAIN_TYPE:
			ch.Type = ad.String()
		case nftaChainFlags:
			ch.Flags = ad.Uint32()
		case unix.NFTA_CHAIN_USE:
			ch.Use = ad.Uint32()
		}
	}
	return ad.Err()
}

func (h *ChainHook) decode(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_HOOK_HOOKNUM:
			h.Num = Hook(ad.Uint32())
		case unix.NFTA_HOOK_PRIORITY:
			h.Priority = int32(ad.Uint32())
		case unix.NFTA_HOOK_DEV:
			h.Dev = ad.String()
		}
	}
	return nil
}
