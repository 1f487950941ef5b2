package rtnl

// Macvtap is IFLA_INFO_KIND "macvtap" (drivers/net/macvtap.c): a macvlan
// whose frames are also read and written by a program through
// /dev/tapN. Its IFLA_INFO_DATA is macvlan's (IFLA_MACVLAN_*).
type Macvtap struct {
	Macvlan
}

// Kind returns "macvtap".
func (*Macvtap) Kind() string { return "macvtap" }
