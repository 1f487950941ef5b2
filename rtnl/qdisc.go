package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Qdisc is a queueing discipline of a link (tc-qdisc(8)): struct tcmsg
// plus TCA_* attributes (include/uapi/linux/rtnetlink.h, pkt_sched.h), as
// RTM_NEWQDISC / RTM_DELQDISC carry them. Only what nsnet needs is
// decoded; the rest (TCA_OPTIONS, TCA_STATS...) is kept in Unknown.
type Qdisc struct {
	Family  uint8     // tcmsg.tcm_family (AF_UNSPEC)
	Index   int32     // tcm_ifindex
	Handle  uint32    // tcm_handle: major:minor, 1: is 0x00010000
	Parent  uint32    // tcm_parent: QdiscRoot for the root qdisc
	Info    uint32    // tcm_info
	Kind    string    // TCA_KIND: "pfifo", "noqueue"...
	Unknown []RawAttr // attributes not decoded, verbatim
}

// QdiscRoot is TC_H_ROOT, the parent of a link's root qdisc.
const QdiscRoot = 0xffffffff

// sizeofTcmsg is sizeof(struct tcmsg).
const sizeofTcmsg = 20

var errShortTcmsg = errors.New("rtnl: message shorter than struct tcmsg")

// MarshalBinary encodes q as struct tcmsg followed by its attributes.
func (q *Qdisc) MarshalBinary() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	if q.Kind != "" {
		ae.String(unix.TCA_KIND, q.Kind)
	}
	for _, a := range q.Unknown {
		ae.Bytes(a.Type, a.Data)
	}
	attrs, err := ae.Encode()
	if err != nil {
		return nil, fmt.Errorf("rtnl: encode qdisc %s: %w", q.Kind, err)
	}
	b := make([]byte, sizeofTcmsg, sizeofTcmsg+len(attrs))
	b[0] = q.Family
	binary.NativeEndian.PutUint32(b[4:8], uint32(q.Index))
	binary.NativeEndian.PutUint32(b[8:12], q.Handle)
	binary.NativeEndian.PutUint32(b[12:16], q.Parent)
	binary.NativeEndian.PutUint32(b[16:20], q.Info)
	return append(b, attrs...), nil
}

// UnmarshalBinary decodes the body of an RTM_NEWQDISC message.
func (q *Qdisc) UnmarshalBinary(b []byte) error {
	if len(b) < sizeofTcmsg {
		return errShortTcmsg
	}
	*q = Qdisc{
		Family: b[0],
		Index:  int32(binary.NativeEndian.Uint32(b[4:8])),
		Handle: binary.NativeEndian.Uint32(b[8:12]),
		Parent: binary.NativeEndian.Uint32(b[12:16]),
		Info:   binary.NativeEndian.Uint32(b[16:20]),
	}
	ad, err := netlink.NewAttributeDecoder(b[sizeofTcmsg:])
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.TCA_KIND:
			q.Kind = ad.String()
		default:
			q.Unknown = append(q.Unknown, rawAttr(ad))
		}
	}
	return ad.Err()
}

func qdiscObj(q *Qdisc) string {
	s := "dev index " + strconv.Itoa(int(q.Index))
	if q.Parent == QdiscRoot {
		s += " root"
	}
	if q.Kind != "" {
		s += " " + q.Kind
	}
	return s
}

// QdiscAdd adds a qdisc (RTM_NEWQDISC, NLM_F_CREATE|NLM_F_EXCL), as `tc
// qdisc add dev DEV root handle 1: pfifo` does.
func (c *Conn) QdiscAdd(q *Qdisc) error {
	return c.request("qdisc add", qdiscObj(q), unix.RTM_NEWQDISC, netlink.Create|netlink.Excl, q)
}

// QdiscDel deletes a qdisc (RTM_DELQDISC), as `tc qdisc del dev DEV root`
// does. Deleting the root qdisc of a link that is down leaves it with
// noop (qdisc_graft), the state of a link that never came up.
func (c *Conn) QdiscDel(q *Qdisc) error {
	return c.request("qdisc del", qdiscObj(q), unix.RTM_DELQDISC, 0, q)
}
