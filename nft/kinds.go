package nft

import "golang.org/x/sys/unix"

// Typed kernel enums of the expressions (issue 10 item 4). Each constant's
// line comment is the word nft uses for it in `nft --debug=netlink`, which
// String returns; a value outside the table prints as MetaKey(99).
//go:generate go tool stringer -type=MetaKey,CmpOp,NatType -linecomment -output=kinds_string.go

// A MetaKey is NFTA_META_KEY: which packet metadata a Meta loads.
type MetaKey uint32

// Meta keys (enum nft_meta_keys, nf_tables.h).
const (
	MetaLen        MetaKey = unix.NFT_META_LEN         // len
	MetaProtocol   MetaKey = unix.NFT_META_PROTOCOL    // protocol
	MetaPriority   MetaKey = unix.NFT_META_PRIORITY    // priority
	MetaMark       MetaKey = unix.NFT_META_MARK        // mark
	MetaIif        MetaKey = unix.NFT_META_IIF         // iif
	MetaOif        MetaKey = unix.NFT_META_OIF         // oif
	MetaIifname    MetaKey = unix.NFT_META_IIFNAME     // iifname
	MetaOifname    MetaKey = unix.NFT_META_OIFNAME     // oifname
	MetaIiftype    MetaKey = unix.NFT_META_IIFTYPE     // iiftype
	MetaOiftype    MetaKey = unix.NFT_META_OIFTYPE     // oiftype
	MetaSkuid      MetaKey = unix.NFT_META_SKUID       // skuid
	MetaSkgid      MetaKey = unix.NFT_META_SKGID       // skgid
	MetaNftrace    MetaKey = unix.NFT_META_NFTRACE     // nftrace
	MetaRtclassid  MetaKey = unix.NFT_META_RTCLASSID   // rtclassid
	MetaSecmark    MetaKey = unix.NFT_META_SECMARK     // secmark
	MetaNfproto    MetaKey = unix.NFT_META_NFPROTO     // nfproto
	MetaL4proto    MetaKey = unix.NFT_META_L4PROTO     // l4proto
	MetaBriIifname MetaKey = unix.NFT_META_BRI_IIFNAME // bri_iifname
	MetaBriOifname MetaKey = unix.NFT_META_BRI_OIFNAME // bri_oifname
	MetaPkttype    MetaKey = unix.NFT_META_PKTTYPE     // pkttype
	MetaCPU        MetaKey = unix.NFT_META_CPU         // cpu
	MetaIifgroup   MetaKey = unix.NFT_META_IIFGROUP    // iifgroup
	MetaOifgroup   MetaKey = unix.NFT_META_OIFGROUP    // oifgroup
	MetaCgroup     MetaKey = unix.NFT_META_CGROUP      // cgroup
	MetaPrandom    MetaKey = unix.NFT_META_PRANDOM     // prandom
)

// A CmpOp is NFTA_CMP_OP: how a Cmp compares.
type CmpOp uint32

// Compare operators (enum nft_cmp_ops).
const (
	CmpEq  CmpOp = unix.NFT_CMP_EQ  // eq
	CmpNeq CmpOp = unix.NFT_CMP_NEQ // neq
	CmpLt  CmpOp = unix.NFT_CMP_LT  // lt
	CmpLte CmpOp = unix.NFT_CMP_LTE // lte
	CmpGt  CmpOp = unix.NFT_CMP_GT  // gt
	CmpGte CmpOp = unix.NFT_CMP_GTE // gte
)

// A NatType is NFTA_NAT_TYPE: which address a Nat rewrites.
type NatType uint32

// NAT types (enum nft_nat_types).
const (
	NatSNAT NatType = unix.NFT_NAT_SNAT // snat
	NatDNAT NatType = unix.NFT_NAT_DNAT // dnat
)
