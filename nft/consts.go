package nft

// Constants missing from golang.org/x/sys/unix, named after the kernel's.
const (
	nftaTableHandle    = 4  // NFTA_TABLE_HANDLE, nf_tables.h
	nftaChainFlags     = 10 // NFTA_CHAIN_FLAGS
	nfNatRangeMapIPs   = 1  // NF_NAT_RANGE_MAP_IPS, nf_nat.h
	nfNatRangeProtoSpc = 2  // NF_NAT_RANGE_PROTO_SPECIFIED

	// nftUdataRuleComment is NFTNL_UDATA_RULE_COMMENT (libnftnl udata.h):
	// the TLV type nft uses for `comment "..."` inside NFTA_RULE_USERDATA.
	nftUdataRuleComment = 0

	nfDrop   = 0 // NF_DROP, netfilter.h
	nfAccept = 1 // NF_ACCEPT

	ipsCTDstNat = 0x20 // IPS_DST_NAT, nf_conntrack_common.h
	rtnLocal    = 2    // RTN_LOCAL, rtnetlink.h
)
