package probe

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// FormatPingHeader is the line iputils ping prints before sending:
// "PING 192.168.15.2 (192.168.15.2) 56(84) bytes of data." for IPv4,
// "PING fd00::2 (fd00::2) 56 data bytes" for IPv6. size is the data size
// (PingOptions.Size, 0 for the default).
func FormatPingHeader(dst netip.Addr, size int) string {
	if size == 0 {
		size = DefaultSize
	}
	if dst.Is6() && !dst.Is4In6() {
		return fmt.Sprintf("PING %s (%s) %d data bytes", dst, dst, size)
	}
	return fmt.Sprintf("PING %s (%s) %d(%d) bytes of data.", dst, dst, size, size+icmpHeaderLen+20)
}

// FormatReply is ping's line for one reply, without a newline:
// "64 bytes from 192.168.15.2: icmp_seq=1 ttl=64 time=0.045 ms", with
// " (DUP!)" for a duplicate, or for an error
// "From 192.168.15.1 icmp_seq=1 Destination Host Unreachable".
func FormatReply(r Reply) string {
	if r.Error != "" {
		if !r.From.IsValid() {
			return fmt.Sprintf("icmp_seq=%d %s", r.Seq, r.Error)
		}
		return fmt.Sprintf("From %s icmp_seq=%d %s", r.From, r.Seq, r.Error)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d bytes from %s: icmp_seq=%d", r.Size, r.From, r.Seq)
	if r.TTL >= 0 {
		fmt.Fprintf(&b, " ttl=%d", r.TTL)
	}
	b.WriteString(" time=")
	b.WriteString(pingTime(r.RTT))
	b.WriteString(" ms")
	if r.Dup {
		b.WriteString(" (DUP!)")
	}
	return b.String()
}

// pingTime is iputils' precision rule: three decimals below 1 ms, two
// below 10 ms, one below 100 ms, none above (µs, rounded as ping rounds).
func pingTime(d time.Duration) string {
	t := int64(d / time.Microsecond)
	switch {
	case t >= 100000-50:
		return strconv.FormatInt((t+500)/1000, 10)
	case t >= 10000-5:
		return fmt.Sprintf("%d.%01d", (t+50)/1000, ((t+50)%1000)/100)
	case t >= 1000:
		return fmt.Sprintf("%d.%02d", (t+5)/1000, ((t+5)%1000)/10)
	}
	return fmt.Sprintf("%d.%03d", t/1000, t%1000)
}

// FormatPingStats is ping's summary, each line ending in a newline:
//
//	--- 192.168.15.2 ping statistics ---
//	3 packets transmitted, 3 received, 0% packet loss, time 2003ms
//	rtt min/avg/max/mdev = 0.040/0.045/0.052/0.005 ms
//
// The rtt line is there only if something was received. iputils prints an
// empty line before the summary; the caller does that.
func FormatPingStats(s Stats) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s ping statistics ---\n", s.Dst)
	fmt.Fprintf(&b, "%d packets transmitted, %d received", s.Sent, s.Received)
	if s.Duplicates > 0 {
		fmt.Fprintf(&b, ", +%d duplicates", s.Duplicates)
	}
	if s.Errors > 0 {
		fmt.Fprintf(&b, ", +%d errors", s.Errors)
	}
	if s.Sent > 0 {
		// C's "%g" of a float: 6 significant digits, trailing zeros dropped.
		fmt.Fprintf(&b, ", %s%% packet loss", strconv.FormatFloat(s.Loss, 'g', 6, 64))
		fmt.Fprintf(&b, ", time %dms", (s.Time+500*time.Microsecond)/time.Millisecond)
	}
	b.WriteString("\n")
	if s.Received > 0 {
		fmt.Fprintf(&b, "rtt min/avg/max/mdev = %s/%s/%s/%s ms\n", ms3(s.Min), ms3(s.Avg), ms3(s.Max), ms3(s.Mdev))
	}
	return b.String()
}

// ms3 is "%ld.%03ld" of a duration in whole microseconds.
func ms3(d time.Duration) string {
	us := int64(d / time.Microsecond)
	return fmt.Sprintf("%d.%03d", us/1000, us%1000)
}

// FormatArpingHeader is iputils arping's first line:
// "ARPING 192.168.15.5 from 192.168.15.2 veth-red".
func FormatArpingHeader(dst, src netip.Addr, dev string) string {
	return fmt.Sprintf("ARPING %s from %s %s", dst, src, dev)
}

// FormatARPReply is arping's line for one answer, without a newline:
// "Unicast reply from 192.168.15.5 [AA:BB:CC:DD:EE:FF]  0.123ms".
//
// iputils arping prints the RTT with a rounding slip (whole milliseconds
// rounded, then the remainder plus 0.5 ms); this prints the measured value
// in the same shape.
func FormatARPReply(r ARPReply) string {
	cast, op := "Unicast", "reply"
	if r.Broadcast {
		cast = "Broadcast"
	}
	if r.Request {
		op = "request"
	}
	us := int64((r.RTT + 500*time.Nanosecond) / time.Microsecond)
	return fmt.Sprintf("%s %s from %s [%s]  %d.%03dms", cast, op, r.IP, upperMAC(r.MAC), us/1000, us%1000)
}

// upperMAC is arping's print_hex: upper-case hex bytes joined by colons.
func upperMAC(mac net.HardwareAddr) string {
	return strings.ToUpper(mac.String())
}

// FormatArpingStats is arping's summary, each line ending in a newline:
//
//	Sent 3 probes (1 broadcast(s))
//	Received 3 response(s)
func FormatArpingStats(s ArpingStats) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Sent %d probes (%d broadcast(s))\n", s.Sent, s.Broadcasts)
	fmt.Fprintf(&b, "Received %d response(s)", s.Received)
	if s.Requests > 0 || s.BroadcastReplies > 0 {
		b.WriteString(" (")
		if s.Requests > 0 {
			fmt.Fprintf(&b, "%d request(s)", s.Requests)
		}
		if s.BroadcastReplies > 0 {
			if s.Requests > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d broadcast(s)", s.BroadcastReplies)
		}
		b.WriteString(")")
	}
	b.WriteString("\n")
	return b.String()
}
