package rtnl

// Dummy is IFLA_INFO_KIND "dummy" (drivers/net/dummy.c): a link that
// drops what it is sent. It has no IFLA_INFO_DATA; any that is received
// is kept in Data, verbatim.
type Dummy struct {
	Data []byte // IFLA_INFO_DATA payload, verbatim; nil when absent
}

// Kind returns "dummy".
func (*Dummy) Kind() string { return "dummy" }

func (d *Dummy) encodeData() ([]byte, error) { return d.Data, nil }

func (d *Dummy) decodeData(b []byte) error {
	d.Data = b
	return nil
}
