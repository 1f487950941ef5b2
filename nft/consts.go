package nft

// Constants missing from golang.org/x/sys/unix, named after the kernel's.
const (
	nftaTableHandle = 4  // NFTA_TABLE_HANDLE, nf_tables.h
	nftaChainFlags  = 10 // NFTA_CHAIN_FLAGS
	nftaBitwiseOp   = 6  // NFTA_BITWISE_OP

	nlmFNonrec = 0x100 // NLM_F_NONREC (netlink.h): do not delete recursively

	// nftUdataRuleComment is NFTNL_UDATA_RULE_COMMENT (libnftnl udata.h):
	// the TLV type nft uses for `comment "..."` inside NFTA_RULE_USERDATA.
	nftUdataRuleComment = 0

	nfDrop   = 0 // NF_DROP, netfilter.h
	nfAccept = 1 // NF_ACCEPT

)
