package rtnl

// Ifb is IFLA_INFO_KIND "ifb" (drivers/net/ifb.c): the intermediate
// functional block, where traffic redirected by tc is queued. It has no
// IFLA_INFO_DATA; any that is received is kept in Data, verbatim.
type Ifb struct {
	Data []byte // IFLA_INFO_DATA payload, verbatim; nil when absent
}

// Kind returns "ifb".
func (*Ifb) Kind() string { return "ifb" }

func (d *Ifb) encodeData() ([]byte, error) { return d.Data, nil }

func (d *Ifb) decodeData(b []byte) error {
	d.Data = b
	return nil
}
