package rtnl

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Tun and tap links are not made with rtnetlink but with ioctls on
// /dev/net/tun (drivers/net/tun.c), as iproute2's ip tuntap does: the
// device is created in the network namespace of the thread that opens
// /dev/net/tun (tun_chr_open takes current's netns), so call these on a
// thread in the namespace wanted (nsutil.NetNS.Do).

// TunFlags are the IFF_* flags of struct ifreq for TUNSETIFF
// (include/uapi/linux/if_tun.h).
type TunFlags uint16

// Tun flags, IFF_* in include/uapi/linux/if_tun.h.
const (
	TunTun        TunFlags = unix.IFF_TUN         // IFF_TUN: layer 3, no Ethernet header
	TunTap        TunFlags = unix.IFF_TAP         // IFF_TAP: layer 2
	TunNoPI       TunFlags = unix.IFF_NO_PI       // IFF_NO_PI: no packet information header ("pi" clears it); also IFF_NOFILTER
	TunOneQueue   TunFlags = unix.IFF_ONE_QUEUE   // IFF_ONE_QUEUE (obsolete, kept by the kernel)
	TunMultiQueue TunFlags = unix.IFF_MULTI_QUEUE // IFF_MULTI_QUEUE
	TunVnetHdr    TunFlags = unix.IFF_VNET_HDR    // IFF_VNET_HDR
	TunPersist    TunFlags = unix.IFF_PERSIST     // IFF_PERSIST: reported in tun_flags only
	tunExcl       TunFlags = unix.IFF_TUN_EXCL    // IFF_TUN_EXCL: fail if it exists (iproute2 sets it on add)
)

// Words returns iproute2's print_flags words for a tun_flags value: tun
// or tap, pi, one_queue, multi_queue, vnet_hdr, persist, filter (when
// IFF_NOFILTER, the same bit as IFF_NO_PI, is clear), then the other bits
// in hex.
func (f TunFlags) Words() []string {
	var out []string
	for _, w := range []struct {
		on   bool
		word string
	}{
		{f&TunTun != 0, "tun"}, {f&TunTap != 0, "tap"}, {f&TunNoPI == 0, "pi"},
		{f&TunOneQueue != 0, "one_queue"}, {f&TunMultiQueue != 0, "multi_queue"},
		{f&TunVnetHdr != 0, "vnet_hdr"}, {f&TunPersist != 0, "persist"}, {f&TunNoPI == 0, "filter"},
	} {
		if w.on {
			out = append(out, w.word)
		}
	}
	if rest := f &^ (TunTun | TunTap | TunNoPI | TunOneQueue | TunMultiQueue | TunVnetHdr | TunPersist); rest != 0 {
		out = append(out, fmt.Sprintf("%#x", uint16(rest)))
	}
	return out
}

// TunTapAdd makes a persistent tun or tap device named name with flags
// (TunTun or TunTap, and options), owned by uid and gid when they are not
// -1, as ip tuntap add: TUNSETIFF with IFF_TUN_EXCL (EBUSY if the name
// is taken), TUNSETOWNER, TUNSETGROUP, TUNSETPERSIST 1. On a failure
// after TUNSETIFF, closing the file removes the new, not yet persistent,
// device.
func TunTapAdd(name string, flags TunFlags, uid, gid int) error {
	return tunIoctls(name, flags|tunExcl, func(fd int) error {
		if uid != -1 {
			if err := unix.IoctlSetInt(fd, unix.TUNSETOWNER, uid); err != nil {
				return &os.SyscallError{Syscall: "ioctl(TUNSETOWNER)", Err: err}
			}
		}
		if gid != -1 {
			if err := unix.IoctlSetInt(fd, unix.TUNSETGROUP, gid); err != nil {
				return &os.SyscallError{Syscall: "ioctl(TUNSETGROUP)", Err: err}
			}
		}
		return persist(fd, 1)
	})
}

// TunTapDel removes the persistent device name, as ip tuntap del:
// TUNSETIFF with the device's flags (EINVAL if they differ, e.g. a
// multi_queue device without TunMultiQueue), TUNSETPERSIST 0, close.
// Like iproute2's, a name that does not exist is made and removed again.
func TunTapDel(name string, flags TunFlags) error {
	return tunIoctls(name, flags, func(fd int) error { return persist(fd, 0) })
}

func persist(fd, on int) error {
	if err := unix.IoctlSetInt(fd, unix.TUNSETPERSIST, on); err != nil {
		return &os.SyscallError{Syscall: "ioctl(TUNSETPERSIST)", Err: err}
	}
	return nil
}

func tunIoctls(name string, flags TunFlags, then func(fd int) error) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("tun name %q: %w", name, err)
	}
	ifr.SetUint16(uint16(flags))
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.SyscallError{Syscall: "open", Err: err}
	}
	defer unix.Close(fd)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		return &os.SyscallError{Syscall: "ioctl(TUNSETIFF)", Err: err}
	}
	return then(fd)
}
