package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Link is one network interface as rtnetlink describes it: the fixed
// ifinfomsg header plus its IFLA_* attributes. The same value describes a
// link read from the kernel and a request to create or change one; in a
// request, zero fields are not sent.
type Link struct {
	Family Family       // ifinfomsg.ifi_family (AF_UNSPEC)
	Type   HardwareType // ifinfomsg.ifi_type (ARPHRD_*), set by the kernel
	Index  int32        // ifinfomsg.ifi_index
	Flags  LinkFlags    // ifinfomsg.ifi_flags (IFF_UP, ...)
	Change LinkFlags    // ifinfomsg.ifi_change: which Flags bits a request changes

	Name           string           // IFLA_IFNAME
	MTU            uint32           // IFLA_MTU
	TxQLen         uint32           // IFLA_TXQLEN
	NumTxQueues    uint32           // IFLA_NUM_TX_QUEUES: only at creation (a veth defaults to one per possible CPU)
	NumRxQueues    uint32           // IFLA_NUM_RX_QUEUES: only at creation
	Address        net.HardwareAddr // IFLA_ADDRESS
	Broadcast      net.HardwareAddr // IFLA_BROADCAST
	OperState      OperState        // IFLA_OPERSTATE
	Master         uint32           // IFLA_MASTER: index of the bridge this link is enslaved to
	NoMaster       bool             // IFLA_MASTER 0: in a request, release the link from its bridge
	ParentIndex    int32            // IFLA_LINK: for a veth, the peer's index (in LinkNetNSID's namespace)
	LinkNetNSID    int32            // IFLA_LINK_NETNSID; valid when HasLinkNetNSID
	HasLinkNetNSID bool             // IFLA_LINK_NETNSID is present (0 is a valid nsid)
	Alias          string           // IFLA_IFALIAS
	Qdisc          string           // IFLA_QDISC: the root qdisc's kind ("noqueue", "noop"), reported by the kernel
	Group          uint32           // IFLA_GROUP (0 is "default"); valid when HasGroup
	HasGroup       bool             // IFLA_GROUP is present (the AF_INET6 link dump has none)
	LinkMode       LinkMode         // IFLA_LINKMODE; valid when HasLinkMode
	HasLinkMode    bool             // IFLA_LINKMODE is present

	// NetNS, in a request, moves the link to (or creates it in) the
	// network namespace that this file refers to: IFLA_NET_NS_FD. The
	// file must stay open until the request has been sent. A decoded
	// IFLA_NET_NS_FD (only requests carry it) is kept in Unknown, since
	// an fd number means nothing outside the process that sent it.
	NetNS *os.File

	// AddrGenModeNone sets IFLA_AF_SPEC → AF_INET6 →
	// IFLA_INET6_ADDR_GEN_MODE = IN6_ADDR_GEN_MODE_NONE, as `ip link set
	// DEV addrgenmode none` does: the kernel then gives the link no IPv6
	// link-local address, so no DAD and no MLD reports are sent when it
	// comes up. IPv6 still works on the link if addresses are added
	// explicitly. The kernel refuses it in a request that creates a link
	// (EAFNOSUPPORT) and applies it after IFF_UP in one that changes a
	// link, so LinkAdd and LinkSet send it in a message of its own, before
	// the one that brings the link up (link_request.go); MarshalBinary
	// encodes it as it is. In a decoded link it is true only when IFLA_AF_SPEC
	// holds exactly that one setting (a kernel dump carries a full
	// IFLA_AF_SPEC, which is kept verbatim in Unknown).
	AddrGenModeNone bool

	// Info is IFLA_LINKINFO: the kind and its IFLA_INFO_DATA.
	// *Veth, *Bridge, *Vxlan, *Macvlan, *Macvtap, *Dummy, *Ifb, *Vrf,
	// *Vlan, or *UnknownInfo for any other kind (kept verbatim).
	Info LinkInfo

	SlaveKind string // IFLA_LINKINFO → IFLA_INFO_SLAVE_KIND: "bridge" for a bridge port
	SlaveData []byte // IFLA_LINKINFO → IFLA_INFO_SLAVE_DATA, verbatim

	// InfoUnknown keeps attributes of IFLA_LINKINFO that are not decoded.
	InfoUnknown []RawAttr

	// Unknown keeps attributes this package does not decode, verbatim,
	// so that a decode/encode round trip loses nothing. They are sent
	// back as they are when the Link is used in a request.
	Unknown []RawAttr
}

// LinkInfo is the kind-specific part of a link (IFLA_LINKINFO). Only this
// package implements it, one file per kind (link_KIND.go), and
// *UnknownInfo for the kinds it does not decode.
type LinkInfo interface {
	// Kind is IFLA_INFO_KIND: "veth", "bridge", ...
	Kind() string
	// encodeData returns the payload of IFLA_INFO_DATA, or nil when
	// there is nothing to send (no empty IFLA_INFO_DATA is written).
	encodeData() ([]byte, error)
	// decodeData reads the payload of IFLA_INFO_DATA.
	decodeData(b []byte) error
}

// newLinkInfo returns the empty LinkInfo for an IFLA_INFO_KIND. It is the
// only place that lists the kinds.
func newLinkInfo(kind string) LinkInfo {
	switch kind {
	case "veth":
		return &Veth{}
	case "bridge":
		return &Bridge{}
	case "vxlan":
		return &Vxlan{}
	case "macvlan":
		return &Macvlan{}
	case "macvtap":
		return &Macvtap{}
	case "dummy":
		return &Dummy{}
	case "ifb":
		return &Ifb{}
	case "vrf":
		return &Vrf{}
	case "vlan":
		return &Vlan{}
	}
	return &UnknownInfo{KindName: kind}
}

// A RawAttr is a netlink attribute kept as bytes. Type includes the
// NLA_F_NESTED and NLA_F_NET_BYTEORDER bits as they were received.
type RawAttr struct {
	Type uint16
	Data []byte
}

var errShortIfinfomsg = errors.New("rtnl: message shorter than struct ifinfomsg")

// Kind returns the IFLA_INFO_KIND of the link ("veth", "bridge", ...), or
// "" when the link has none (lo, physical devices).
func (l *Link) Kind() string {
	if l.Info == nil {
		return ""
	}
	return l.Info.Kind()
}

// Up reports whether the link is administratively up (IFF_UP).
func (l *Link) Up() bool { return l.Flags&LinkUp != 0 }

// MarshalBinary encodes the link as struct ifinfomsg followed by its
// attributes, the body of an RTM_NEWLINK, RTM_SETLINK, RTM_DELLINK or
// RTM_GETLINK message.
func (l *Link) MarshalBinary() ([]byte, error) {
	ae := netlink.NewAttributeEncoder() // rtnetlink: host byte order
	if l.Name != "" {
		ae.String(unix.IFLA_IFNAME, l.Name)
	}
	if l.MTU != 0 {
		ae.Uint32(unix.IFLA_MTU, l.MTU)
	}
	if l.TxQLen != 0 {
		ae.Uint32(unix.IFLA_TXQLEN, l.TxQLen)
	}
	if l.NumTxQueues != 0 {
		ae.Uint32(unix.IFLA_NUM_TX_QUEUES, l.NumTxQueues)
	}
	if l.NumRxQueues != 0 {
		ae.Uint32(unix.IFLA_NUM_RX_QUEUES, l.NumRxQueues)
	}
	if len(l.Address) != 0 {
		ae.Bytes(unix.IFLA_ADDRESS, l.Address)
	}
	if len(l.Broadcast) != 0 {
		ae.Bytes(unix.IFLA_BROADCAST, l.Broadcast)
	}
	if l.OperState != 0 {
		ae.Uint8(unix.IFLA_OPERSTATE, uint8(l.OperState))
	}
	switch {
	case l.NoMaster:
		ae.Uint32(unix.IFLA_MASTER, 0)
	case l.Master != 0:
		ae.Uint32(unix.IFLA_MASTER, l.Master)
	}
	if l.ParentIndex != 0 {
		ae.Int32(unix.IFLA_LINK, l.ParentIndex)
	}
	if l.HasLinkNetNSID {
		ae.Int32(unix.IFLA_LINK_NETNSID, l.LinkNetNSID)
	}
	if l.Alias != "" {
		ae.String(unix.IFLA_IFALIAS, l.Alias)
	}
	if l.Qdisc != "" {
		ae.String(unix.IFLA_QDISC, l.Qdisc)
	}
	if l.HasGroup {
		ae.Uint32(unix.IFLA_GROUP, l.Group)
	}
	if l.HasLinkMode {
		ae.Uint8(unix.IFLA_LINKMODE, uint8(l.LinkMode))
	}
	if l.NetNS != nil {
		ae.Uint32(unix.IFLA_NET_NS_FD, uint32(l.NetNS.Fd()))
	}
	if l.AddrGenModeNone {
		ae.Nested(unix.IFLA_AF_SPEC, func(af *netlink.AttributeEncoder) error {
			af.Nested(unix.AF_INET6, func(in6 *netlink.AttributeEncoder) error {
				in6.Uint8(unix.IFLA_INET6_ADDR_GEN_MODE, in6AddrGenModeNone)
				return nil
			})
			return nil
		})
	}
	if l.Info != nil || l.SlaveKind != "" || l.SlaveData != nil || l.InfoUnknown != nil {
		ae.Nested(unix.IFLA_LINKINFO, l.encodeInfo)
	}
	for _, a := range l.Unknown {
		ae.Bytes(a.Type, a.Data)
	}
	attrs, err := ae.Encode() // sticky: the first error from any call above
	runtime.KeepAlive(l.NetNS)
	if err != nil {
		return nil, fmt.Errorf("rtnl: encode link %q: %w", l.Name, err)
	}
	b := make([]byte, unix.SizeofIfInfomsg, unix.SizeofIfInfomsg+len(attrs))
	b[0] = uint8(l.Family)
	binary.NativeEndian.PutUint16(b[2:4], uint16(l.Type))
	binary.NativeEndian.PutUint32(b[4:8], uint32(l.Index))
	binary.NativeEndian.PutUint32(b[8:12], uint32(l.Flags))
	binary.NativeEndian.PutUint32(b[12:16], uint32(l.Change))
	return append(b, attrs...), nil
}

func (l *Link) encodeInfo(ae *netlink.AttributeEncoder) error {
	if l.Info != nil {
		ae.String(unix.IFLA_INFO_KIND, l.Info.Kind())
		data, err := l.Info.encodeData()
		if err != nil {
			return err
		}
		if data != nil {
			ae.Bytes(unix.IFLA_INFO_DATA, data)
		}
	}
	if l.SlaveKind != "" {
		ae.String(unix.IFLA_INFO_SLAVE_KIND, l.SlaveKind)
	}
	if l.SlaveData != nil {
		ae.Bytes(unix.IFLA_INFO_SLAVE_DATA, l.SlaveData)
	}
	for _, a := range l.InfoUnknown {
		ae.Bytes(a.Type, a.Data)
	}
	return nil
}

// UnmarshalBinary decodes the body of an RTM_NEWLINK message (a kernel
// reply or a request). Attributes it does not know are kept in Unknown.
func (l *Link) UnmarshalBinary(b []byte) error {
	if len(b) < unix.SizeofIfInfomsg {
		return errShortIfinfomsg
	}
	*l = Link{
		Family: Family(b[0]),
		Type:   HardwareType(binary.NativeEndian.Uint16(b[2:4])),
		Index:  int32(binary.NativeEndian.Uint32(b[4:8])),
		Flags:  LinkFlags(binary.NativeEndian.Uint32(b[8:12])),
		Change: LinkFlags(binary.NativeEndian.Uint32(b[12:16])),
	}
	ad, err := netlink.NewAttributeDecoder(b[unix.SizeofIfInfomsg:])
	if err != nil {
		return fmt.Errorf("rtnl: decode link: %w", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_IFNAME:
			l.Name = ad.String()
		case unix.IFLA_MTU:
			l.MTU = ad.Uint32()
		case unix.IFLA_TXQLEN:
			l.TxQLen = ad.Uint32()
		case unix.IFLA_NUM_TX_QUEUES:
			l.NumTxQueues = ad.Uint32()
		case unix.IFLA_NUM_RX_QUEUES:
			l.NumRxQueues = ad.Uint32()
		case unix.IFLA_ADDRESS:
			l.Address = bytesOrNil(ad.Bytes())
		case unix.IFLA_BROADCAST:
			l.Broadcast = bytesOrNil(ad.Bytes())
		case unix.IFLA_OPERSTATE:
			l.OperState = OperState(ad.Uint8())
		case unix.IFLA_MASTER:
			l.Master = ad.Uint32()
			l.NoMaster = l.Master == 0
		case unix.IFLA_LINK:
			l.ParentIndex = ad.Int32()
		case unix.IFLA_LINK_NETNSID:
			l.LinkNetNSID = ad.Int32()
			l.HasLinkNetNSID = true
		case unix.IFLA_IFALIAS:
			l.Alias = ad.String()
		case unix.IFLA_QDISC:
			l.Qdisc = ad.String()
		case unix.IFLA_GROUP:
			l.Group, l.HasGroup = ad.Uint32(), true
		case unix.IFLA_LINKMODE:
			l.LinkMode, l.HasLinkMode = LinkMode(ad.Uint8()), true
		case unix.IFLA_LINKINFO:
			ad.Nested(l.decodeInfo)
		case unix.IFLA_AF_SPEC:
			if isAddrGenModeNone(ad.Bytes()) {
				l.AddrGenModeNone = true
				break
			}
			l.Unknown = append(l.Unknown, rawAttr(ad))
		default:
			l.Unknown = append(l.Unknown, rawAttr(ad))
		}
	}
	if err := ad.Err(); err != nil {
		return fmt.Errorf("rtnl: decode link: %w", err)
	}
	return nil
}

func (l *Link) decodeInfo(ad *netlink.AttributeDecoder) error {
	var kind string
	var data []byte
	hasKind, hasData := false, false
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_INFO_KIND:
			kind, hasKind = ad.String(), true
		case unix.IFLA_INFO_DATA:
			data, hasData = ad.Bytes(), true
		case unix.IFLA_INFO_SLAVE_KIND:
			l.SlaveKind = ad.String()
		case unix.IFLA_INFO_SLAVE_DATA:
			l.SlaveData = ad.Bytes()
		default:
			l.InfoUnknown = append(l.InfoUnknown, rawAttr(ad))
		}
	}
	if err := ad.Err(); err != nil {
		return err
	}
	switch {
	case hasKind && kind != "":
		l.Info = newLinkInfo(kind)
	case hasData:
		// IFLA_INFO_DATA without a kind cannot be interpreted: keep it.
		l.InfoUnknown = append(l.InfoUnknown, RawAttr{Type: unix.IFLA_INFO_DATA, Data: data})
		return nil
	default:
		return nil
	}
	if !hasData {
		return nil
	}
	if err := l.Info.decodeData(data); err != nil {
		return fmt.Errorf("IFLA_INFO_DATA of kind %q: %w", kind, err)
	}
	return nil
}

// isAddrGenModeNone reports whether an IFLA_AF_SPEC payload holds only
// AF_INET6 → IFLA_INET6_ADDR_GEN_MODE = IN6_ADDR_GEN_MODE_NONE, with or
// without NLA_F_NESTED (iproute2 sends it without, MarshalBinary with).
func isAddrGenModeNone(b []byte) bool {
	a, ok := onlyAttr(b)
	if !ok || a.Type&nlaTypeMask != unix.AF_INET6 {
		return false
	}
	m, ok := onlyAttr(a.Data)
	return ok && m.Type&nlaTypeMask == unix.IFLA_INET6_ADDR_GEN_MODE &&
		len(m.Data) == 1 && m.Data[0] == in6AddrGenModeNone
}

// onlyAttr returns the attribute in b if b holds exactly one.
func onlyAttr(b []byte) (RawAttr, bool) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil || !ad.Next() {
		return RawAttr{}, false
	}
	a := rawAttr(ad)
	if ad.Next() || ad.Err() != nil || len(a.Data) != int(binary.NativeEndian.Uint16(b))-4 {
		return RawAttr{}, false
	}
	return a, true
}

// rawAttr copies the decoder's current attribute, flags included.
func rawAttr(ad *netlink.AttributeDecoder) RawAttr {
	return RawAttr{Type: ad.Type() | ad.TypeFlags(), Data: bytesOrNil(ad.Bytes())}
}

// bytesOrNil maps an empty attribute payload to nil, so that a decoded
// value and its re-encoding compare equal.
func bytesOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// extMaskSkipStats is IFLA_EXT_MASK = RTEXT_FILTER_SKIP_STATS: links are
// answered without their ~300 bytes of counters, which nothing here reads.
func extMaskSkipStats() RawAttr {
	return RawAttr{Type: unix.IFLA_EXT_MASK, Data: binary.NativeEndian.AppendUint32(nil, rtextFilterSkipStats)}
}

// Links returns every link of the namespace (RTM_GETLINK dump).
func (c *Conn) Links() ([]Link, error) {
	req := &Link{Unknown: []RawAttr{extMaskSkipStats()}}
	return dumpOf[Link](c, "link dump", unix.RTM_GETLINK, unix.RTM_NEWLINK, req, nil)
}

// LinkByName returns the link called name, asked for by name
// (RTM_GETLINK with IFLA_IFNAME), without a dump. A missing link is
// unix.ENODEV.
func (c *Conn) LinkByName(name string) (*Link, error) {
	return c.getLink("link show", name, &Link{Name: name, Unknown: []RawAttr{extMaskSkipStats()}})
}

// LinkByIndex returns the link with ifindex i. A missing link is
// unix.ENODEV.
func (c *Conn) LinkByIndex(i int32) (*Link, error) {
	return c.getLink("link show", "index "+strconv.Itoa(int(i)), &Link{Index: i, Unknown: []RawAttr{extMaskSkipStats()}})
}

func (c *Conn) getLink(op, obj string, req *Link) (*Link, error) {
	m, err := c.get(op, obj, unix.RTM_GETLINK, req)
	if err != nil {
		return nil, err
	}
	l := new(Link)
	if err := l.UnmarshalBinary(m.Data); err != nil {
		return nil, &OpError{Op: op, Obj: obj, Err: err}
	}
	return l, nil
}

// LinkAdd creates a link (RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL), as
// `ip link add` does. A veth whose Peer has NetNS set is created with its
// peer already in that namespace, and l.Flags/Change IFF_UP and l.Master
// bring the host end up and enslave it, all in one message. (The peer
// itself cannot be created up: ENOTCONN.)
//
// AddrGenModeNone (on l, or on a peer created in this namespace) is
// refused by the kernel at creation, so it is set by name in a second
// write, sent only if the creation succeeded (never on a link of that name
// that was already there), and IFF_UP after it; see link_request.go.
func (c *Conn) LinkAdd(l *Link) error {
	b := c.Batch()
	b.LinkAdd(l)
	return single(b.Flush())
}

// LinkCreate is LinkAdd that also returns the new link as the kernel
// reports it (its index; for a veth, ParentIndex is the peer's index in
// the peer's namespace), without another request: the creation carries
// NLM_F_ECHO, and the kernel (Linux 6.1 and later) sends its RTM_NEWLINK
// notification back to this socket before the ACK. On an older kernel,
// which ignores the flag, the link is looked up by name once created.
// The report is the link as registered, before the kernel applies
// l.Master (so its Master is 0) and before the follow-ups that
// AddrGenModeNone brings (so, with those, still down): use it for
// indexes, not for state.
func (c *Conn) LinkCreate(l *Link) (*Link, error) {
	var got Link
	b := c.Batch()
	b.LinkCreate(l, &got)
	if err := single(b.Flush()); err != nil {
		return nil, err
	}
	if got.Index == 0 {
		return c.LinkByName(l.Name)
	}
	return &got, nil
}

// LinkSet changes an existing link (RTM_NEWLINK without NLM_F_CREATE, as
// `ip link set` sends it), found by l.Index, or by l.Name when Index is
// 0. Every non-zero field is applied in one message: Flags under the
// Change mask (IFF_UP), MTU, Master or NoMaster, Address, NetNS, and a
// new Name (which needs Index). AddrGenModeNone together with IFF_UP is
// sent as two messages in one write, the mode first, because the kernel
// applies flags before IFLA_AF_SPEC.
func (c *Conn) LinkSet(l *Link) error {
	b := c.Batch()
	b.LinkSet(l)
	return single(b.Flush())
}

// single returns the only error of a one-request Batch.Flush as itself
// (an *OpError) rather than inside errors.Join.
func single(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		if errs := j.Unwrap(); len(errs) == 1 {
			return errs[0]
		}
	}
	return err
}

// LinkDel deletes the link with ifindex index (RTM_DELLINK). Deleting one
// end of a veth deletes both.
func (c *Conn) LinkDel(index int32) error {
	return c.request("link del", "index "+strconv.Itoa(int(index)), unix.RTM_DELLINK, 0, &Link{Index: index})
}

func linkObj(l *Link) string {
	if l.Name != "" {
		return l.Name
	}
	return "index " + strconv.Itoa(int(l.Index))
}
