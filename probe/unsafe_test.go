package probe

import "unsafe"

// unsafePointer lets buildControl lay a Cmsghdr over a byte slice, as
// x/sys/unix itself does when it writes control messages.
func unsafePointer(b []byte) unsafe.Pointer { return unsafe.Pointer(&b[0]) }
