// Package firewall is nsnet's rule policy over nf_tables: what nsnet's own
// table "inet nsnet" holds (the NAT rules of `nsnet nat` and of topology
// files: Masquerade, Forward, ParseNAT, and NAT's Add, Del, List, Flush),
// and, for the `iptables` name, the layout iptables-nft gives tables "ip
// nat" and "ip filter". It builds its rules from package nft's pieces and
// sends them through an nft.Conn; the byte formats are nft's.
//
// It knows nothing of rtnl, of namespace names or of the CLI's grammar
// beyond the rule words it parses (ParseNAT's, the canonical text that is
// also the rules' comment).
//
// Isolation: NAT reads and writes table inet nsnet only, and in it only
// what nsnet made: Del and Flush delete nsnet's rules, then its chains and
// the table when nothing foreign is left in them (a foreign chain, rule,
// set is kept and named). Other tables are never changed.
//
// Owners: a rule several owners ask for (NAT.AddAllFor: two topology
// files sharing a masquerade) is one copy of its kernel rules per owner,
// with the same comment and the owner's mark in the rule's user data
// (nft.Rule.Owner); DelAllFor removes one owner's copy, Del every copy.
//
// Concurrency: a NAT is safe for concurrent use; writers in other
// processes are detected by the ruleset generation and the change retried.
package firewall
