package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/golden"
	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// Kernel captures: what this kernel (6.18, amd64: control messages are in
// native byte order with a 64-bit cmsg_len) really hands a ping socket.
// `go test ./probe -run KernelCaptures -update` (as root) captures them
// again in the sandbox; otherwise they are decoded and checked.
const (
	capRawReply4 = "kernel_raw_echo_reply_v4.hex"        // a raw IPv4 socket's read: IP header + echo reply
	capTTL4      = "kernel_cmsg_ttl_v4.hex"              // its control data: IP_TTL
	capReply6    = "kernel_echo_reply_v6.hex"            // a raw ICMPv6 socket's read: the echo reply
	capHopLimit6 = "kernel_cmsg_hoplimit_v6.hex"         // its control data: IPV6_HOPLIMIT
	capErrQueue4 = "kernel_errqueue_host_unreach_v4.hex" // MSG_ERRQUEUE control data after ARP failed
	capErrQueue6 = "kernel_errqueue_addr_unreach_v6.hex" // same after neighbour discovery failed
)

func TestKernelCaptures(t *testing.T) {
	if unix.SizeofCmsghdr != 16 {
		t.Skip("the captures hold a 64-bit kernel's control messages")
	}
	if golden.Update() {
		captureKernel(t)
	}
	pkt := golden.Read(t, "testdata/"+capRawReply4)
	icmp, ttl, err := stripIPv4(pkt)
	if err != nil || ttl != 64 {
		t.Fatalf("raw IPv4 reply: ttl %d, %v", ttl, err)
	}
	var e echo
	if err := e.unmarshal(icmp); err != nil || e.Type != icmpEchoReply || e.Seq != 1 || len(icmp) != 64 || checksum(icmp) != 0 {
		t.Errorf("raw IPv4 reply: %+v, %v (checksum %#x)", e, err, checksum(icmp))
	}
	if err := e.unmarshal(golden.Read(t, "testdata/"+capReply6)); err != nil || e.Type != icmp6EchoReply || e.Seq != 1 || len(e.Data) != DefaultSize {
		t.Errorf("ICMPv6 reply: %+v, %v", e, err)
	}
	for _, name := range []string{capTTL4, capHopLimit6} {
		c, err := parseControl(golden.Read(t, "testdata/"+name))
		if err != nil || c.TTL != 64 || c.RecvEr != nil {
			t.Errorf("%s: %+v, %v; want TTL 64", name, c, err)
		}
	}
	for _, tt := range []struct {
		name   string
		origin uint8
		typ    uint8
		code   uint8
		from   string
		text   string
	}{
		{capErrQueue4, unix.SO_EE_ORIGIN_ICMP, 3, 1, addrA, "Destination Host Unreachable"},
		{capErrQueue6, unix.SO_EE_ORIGIN_ICMP6, 1, 3, addr6A, "Destination unreachable: Address unreachable"},
	} {
		c, err := parseControl(golden.Read(t, "testdata/"+tt.name))
		if err != nil || c.RecvEr == nil {
			t.Fatalf("%s: %+v, %v", tt.name, c, err)
		}
		r := c.RecvEr
		if r.Errno != unix.EHOSTUNREACH || r.Origin != tt.origin || r.Type != tt.typ || r.Code != tt.code ||
			r.Offender != netip.MustParseAddr(tt.from) || r.text() != tt.text {
			t.Errorf("%s: %+v %q", tt.name, r, r.text())
		}
	}
}

// captureKernel records the captures above from real traffic between the
// two namespaces of a newLink, over raw sockets.
func captureKernel(t *testing.T) {
	l := newLink(t)
	for _, table := range []string{"arp_cache", "ndisc_cache"} {
		sandbox.Run(t, "ip", "-n", l.nameA, "ntable", "change", "name", table, "dev", "va", "retrans", "100", "mcast_probes", "1")
	}
	const by = "captured by go test ./probe -run KernelCaptures -update (captureKernel, capture_test.go) on linux 6.18 amd64"
	reply := func(dst string) (pkt, oob []byte) {
		p, err := dialPing(l.A, netip.MustParseAddr(dst), 0)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if !p.raw {
			t.Fatal("want a raw socket for the captures")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := p.send(ctx, 1, payload(DefaultSize)); err != nil {
			t.Fatal(err)
		}
		buf, ctl := make([]byte, 1500), make([]byte, 512)
		n, oobn, _, _, err := p.c.Recvmsg(ctx, buf, ctl, 0)
		if err != nil {
			t.Fatal(err)
		}
		return buf[:n], ctl[:oobn]
	}
	errQueue := func(dst string) []byte {
		p, err := dialPing(l.A, netip.MustParseAddr(dst), 0)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if err := p.send(context.Background(), 1, payload(DefaultSize)); err != nil {
			t.Fatal(err)
		}
		rc, err := p.c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		buf, ctl := make([]byte, 1500), make([]byte, 512)
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			var oobn int
			var rerr error
			if err := rc.Control(func(fd uintptr) {
				_, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, ctl, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
			}); err != nil {
				t.Fatal(err)
			}
			if rerr == nil {
				return ctl[:oobn]
			}
		}
		t.Fatalf("no error queued for %s", dst)
		return nil
	}
	pkt, oob := reply(addrB)
	golden.Check(t, "testdata/"+capRawReply4, by+"\nping 10.9.0.2 from 10.9.0.1 over a raw socket: the IPv4 packet read", pkt)
	golden.Check(t, "testdata/"+capTTL4, by+"\nthe control data of that read: IP_TTL (IP_RECVTTL is on)", oob)
	pkt, oob = reply(addr6B)
	golden.Check(t, "testdata/"+capReply6, by+"\nping fd00:9::2 from fd00:9::1 over a raw ICMPv6 socket: the echo reply read", pkt)
	golden.Check(t, "testdata/"+capHopLimit6, by+"\nthe control data of that read: IPV6_HOPLIMIT (IPV6_RECVHOPLIMIT is on)", oob)
	golden.Check(t, "testdata/"+capErrQueue4, by+"\nping 10.9.0.99 (nobody) after ARP gave up: MSG_ERRQUEUE control data,\nIP_RECVERR sock_extended_err + offender sockaddr_in", errQueue(nobody))
	golden.Check(t, "testdata/"+capErrQueue6, by+"\nping fd00:9::99 (nobody) after ND gave up: MSG_ERRQUEUE control data,\nIPV6_RECVERR sock_extended_err + offender sockaddr_in6", errQueue("fd00:9::99"))
}
