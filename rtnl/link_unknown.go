package rtnl

// UnknownInfo is any link kind this package does not decode ("dummy",
// "vxlan", ...). Its IFLA_INFO_DATA is kept verbatim, so that a decoded
// link encodes back to the same bytes.
type UnknownInfo struct {
	KindName string // IFLA_INFO_KIND
	Data     []byte // IFLA_INFO_DATA payload, verbatim; nil when absent
}

// Kind returns KindName.
func (u *UnknownInfo) Kind() string { return u.KindName }

func (u *UnknownInfo) encodeData() ([]byte, error) { return u.Data, nil }

func (u *UnknownInfo) decodeData(b []byte) error {
	u.Data = b
	return nil
}
