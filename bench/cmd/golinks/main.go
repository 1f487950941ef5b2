// Command golinks is the cold-start floor of a Go `link show`: a static
// Go program that dumps the links with raw system calls (one blocking
// netlink socket, one RTM_GETLINK dump, no runtime poller, no
// mdlayher/netlink, no fmt) and prints "INDEX: NAME" per link. Anything
// a Go CLI does to show links costs at least this; nsbench times it next
// to `ip link show` and `nsnet link show`.
package main

import (
	"encoding/binary"
	"os"
	"strconv"
	"syscall"
)

func main() {
	if err := run(); err != nil {
		os.Stderr.WriteString("golinks: " + err.Error() + "\n")
		os.Exit(1)
	}
}

func run() error {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	// nlmsghdr (16) + ifinfomsg (16): RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP.
	req := make([]byte, 32)
	binary.NativeEndian.PutUint32(req[0:], 32)
	binary.NativeEndian.PutUint16(req[4:], syscall.RTM_GETLINK)
	binary.NativeEndian.PutUint16(req[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:], 1)
	if err := syscall.Sendto(fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return err
	}
	buf := make([]byte, 32<<10)
	var out []byte
	for {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			return err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case syscall.NLMSG_DONE:
				_, err := os.Stdout.Write(out)
				return err
			case syscall.NLMSG_ERROR:
				return syscall.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
			case syscall.RTM_NEWLINK:
				if len(m.Data) < syscall.SizeofIfInfomsg {
					continue
				}
				index := int32(binary.NativeEndian.Uint32(m.Data[4:]))
				attrs, err := syscall.ParseNetlinkRouteAttr(&m)
				if err != nil {
					return err
				}
				for _, a := range attrs {
					if a.Attr.Type == syscall.IFLA_IFNAME {
						out = strconv.AppendInt(out, int64(index), 10)
						out = append(out, ": "...)
						out = append(out, a.Value[:len(a.Value)-1]...)
						out = append(out, '\n')
					}
				}
			}
		}
	}
}
