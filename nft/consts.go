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
	// nftUdataRuleOwner is nsnet's own TLV type in NFTA_RULE_USERDATA
	// (Rule.Owner): far above libnftnl's (comment 0, ebtables policy 1,
	// iptables' compat extension 2); nft's and iptables-nft's udata
	// parsers skip types they do not know.
	nftUdataRuleOwner = 0xf0
	// nftUserdataMaxlen is NFT_USERDATA_MAXLEN (nf_tables.h): the most
	// NFTA_RULE_USERDATA bytes the kernel takes.
	nftUserdataMaxlen = 256

	nfDrop   = 0 // NF_DROP, netfilter.h
	nfAccept = 1 // NF_ACCEPT

)
