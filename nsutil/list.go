package nsutil

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Entry is one line of `ip netns list`.
type Entry struct {
	Name string
	// ID is the nsid the calling process's namespace has assigned to this
	// one (RTM_GETNSID), or -1 (NETNSA_NSID_NOT_ASSIGNED) if none. The
	// kernel assigns one when, e.g., a veth peer lives there.
	ID int32
}

// String renders the entry as `ip netns list` prints it: "red (id: 0)",
// or "red" without an nsid.
func (e Entry) String() string {
	if e.ID < 0 {
		return e.Name
	}
	return e.Name + " (id: " + strconv.Itoa(int(e.ID)) + ")"
}

// List returns the named namespaces in the order `ip netns list` prints
// them (directory order of RunDir, not sorted). A missing RunDir is an
// empty list, as for ip.
func List() ([]Entry, error) {
	d, err := os.Open(RunDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &OpError{Op: "netns list", Err: err}
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, &OpError{Op: "netns list", Err: err}
	}
	if len(names) == 0 {
		return nil, nil
	}
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		return nil, &OpError{Op: "netns list", Err: fmt.Errorf("dial rtnetlink: %w", err)}
	}
	defer c.Close()
	out := make([]Entry, 0, len(names))
	for _, name := range names {
		// As ip: a file that cannot be opened, or that the kernel does
		// not take for a namespace, is listed without an id.
		out = append(out, Entry{Name: name, ID: nsid(c, filepath.Join(RunDir, name))})
	}
	return out, nil
}

// nsid asks the kernel (RTM_GETNSID with NETNSA_FD, as iproute2's
// get_netnsid_from_name) for the id of the namespace at path, or -1.
// Unlike ip, it does not follow a symbolic link to another entry.
func nsid(c *netlink.Conn, path string) int32 {
	f, err := openEntry(path) // a link or a leftover has no id
	if err != nil {
		return -1
	}
	defer f.Close()
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(unix.NETNSA_FD, uint32(f.Fd()))
	attrs, err := ae.Encode()
	if err != nil {
		return -1
	}
	// struct rtgenmsg (rtgen_family AF_UNSPEC), padded to NLMSG_ALIGNTO.
	body := append([]byte{unix.AF_UNSPEC, 0, 0, 0}, attrs...)
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETNSID, Flags: netlink.Request},
		Data:   body,
	})
	runtime.KeepAlive(f)
	if err != nil || len(msgs) != 1 || len(msgs[0].Data) < 4 {
		return -1
	}
	ad, err := netlink.NewAttributeDecoder(msgs[0].Data[4:])
	if err != nil {
		return -1
	}
	id := int32(-1)
	for ad.Next() {
		if ad.Type() == unix.NETNSA_NSID && len(ad.Bytes()) == 4 {
			id = int32(binary.NativeEndian.Uint32(ad.Bytes()))
		}
	}
	if ad.Err() != nil {
		return -1
	}
	return id
}
