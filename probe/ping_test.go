package probe

import (
	"context"
	"errors"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// replyLine is a reply as ping prints it; the RTT has 3, 2, 1 or no
// decimals as it grows (pingTime), and a loaded host reaches 1 ms.
var replyLine = regexp.MustCompile(`^64 bytes from (\S+): icmp_seq=(\d+) ttl=64 time=\d+(\.\d{1,3})? ms$`)

func TestPingIPv4(t *testing.T) {
	l := newLink(t)
	var replies []Reply
	st, err := Ping(context.Background(), l.A, netip.MustParseAddr(addrB),
		PingOptions{Count: 3, Interval: 20 * time.Millisecond, Timeout: 2 * time.Second},
		func(r Reply) { replies = append(replies, r) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 3 || st.Received != 3 || st.Loss != 0 || st.Errors != 0 || st.Duplicates != 0 {
		t.Fatalf("stats %+v, want 3 sent, 3 received", st)
	}
	if st.Min <= 0 || st.Min > st.Avg || st.Avg > st.Max {
		t.Errorf("rtt min/avg/max %v/%v/%v out of order", st.Min, st.Avg, st.Max)
	}
	if len(replies) != 3 {
		t.Fatalf("%d replies, want 3", len(replies))
	}
	for i, r := range replies {
		line := FormatReply(r)
		m := replyLine.FindStringSubmatch(line)
		if m == nil || m[1] != addrB || m[2] != []string{"1", "2", "3"}[i] {
			t.Errorf("reply %d: %q, want 64 bytes from %s icmp_seq=%d ttl=64", i, line, addrB, i+1)
		}
	}
	sum := FormatPingStats(st)
	if !strings.HasPrefix(sum, "--- "+addrB+" ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time ") ||
		!strings.Contains(sum, "\nrtt min/avg/max/mdev = ") {
		t.Errorf("summary:\n%s", sum)
	}
}

// TestPingSockets checks both socket kinds: the raw fallback (a new
// namespace allows ping sockets to nobody) and the ping socket once
// net.ipv4.ping_group_range lets root's group in.
func TestPingSockets(t *testing.T) {
	l := newLink(t)
	dst := netip.MustParseAddr(addrB)
	p, err := dialPing(l.A, dst, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !p.raw {
		t.Error("ping socket allowed with ping_group_range \"1 0\"; want the raw fallback")
	}
	p.Close()

	allowPingSockets(t, l.nameA)
	for _, d := range []netip.Addr{dst, netip.MustParseAddr(addr6B)} {
		p, err := dialPing(l.A, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		raw := p.raw
		p.Close()
		if raw {
			t.Errorf("%s: raw socket, want a ping socket once ping_group_range allows it", d)
		}
		st, err := Ping(context.Background(), l.A, d, PingOptions{Count: 2, Interval: 20 * time.Millisecond, Timeout: 2 * time.Second}, nil)
		if err != nil || st.Received != 2 {
			t.Errorf("ping %s over a ping socket: %+v, %v", d, st, err)
		}
	}
}

func TestPingIPv6(t *testing.T) {
	l := newLink(t)
	var got []string
	st, err := Ping(context.Background(), l.A, netip.MustParseAddr(addr6B),
		PingOptions{Count: 2, Interval: 20 * time.Millisecond, Timeout: 2 * time.Second, Size: 100},
		func(r Reply) { got = append(got, FormatReply(r)) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 2 || st.Received != 2 {
		t.Fatalf("stats %+v, want 2/2", st)
	}
	re := regexp.MustCompile(`^108 bytes from fd00:9::2: icmp_seq=[12] ttl=64 time=\d+(\.\d{1,3})? ms$`)
	for _, line := range got {
		if !re.MatchString(line) {
			t.Errorf("reply line %q", line)
		}
	}
}

func TestPingNobodyTimesOut(t *testing.T) {
	l := newLink(t)
	start := time.Now()
	st, err := Ping(context.Background(), l.A, netip.MustParseAddr(nobody),
		PingOptions{Count: 2, Interval: 50 * time.Millisecond, Timeout: 300 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 2 || st.Received != 0 || st.Loss != 100 {
		t.Fatalf("stats %+v, want 2 sent, 0 received, 100%% loss", st)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 3*time.Second {
		t.Errorf("took %v, want the 50ms interval plus the 300ms timeout", d)
	}
	sum := FormatPingStats(st)
	if !strings.Contains(sum, "2 packets transmitted, 0 received, 100% packet loss, time ") || strings.Contains(sum, "rtt") {
		t.Errorf("summary:\n%s", sum)
	}
}

// TestPingHostUnreachable makes neighbour resolution give up after one
// 100ms probe, so the kernel reports the ICMP error that ping prints as
// "From 10.9.0.1 icmp_seq=1 Destination Host Unreachable", through the
// error queue of a raw socket and of a ping socket, for IPv4 and IPv6.
func TestPingHostUnreachable(t *testing.T) {
	for _, tt := range []struct {
		name, dst, table, line string
		pingSocket             bool
	}{
		{"raw4", nobody, "arp_cache", "From " + addrA + " icmp_seq=1 Destination Host Unreachable", false},
		{"dgram4", nobody, "arp_cache", "From " + addrA + " icmp_seq=1 Destination Host Unreachable", true},
		{"raw6", "fd00:9::99", "ndisc_cache", "From " + addr6A + " icmp_seq=1 Destination unreachable: Address unreachable", false},
		{"dgram6", "fd00:9::99", "ndisc_cache", "From " + addr6A + " icmp_seq=1 Destination unreachable: Address unreachable", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLink(t)
			sandbox.Run(t, "ip", "-n", l.nameA, "ntable", "change", "name", tt.table, "dev", "va", "retrans", "100", "mcast_probes", "1")
			if tt.pingSocket {
				allowPingSockets(t, l.nameA)
			}
			var got []Reply
			st, err := Ping(context.Background(), l.A, netip.MustParseAddr(tt.dst),
				PingOptions{Count: 1, Timeout: 5 * time.Second}, func(r Reply) { got = append(got, r) })
			if err != nil {
				t.Fatal(err)
			}
			if st.Errors != 1 || st.Received != 0 || len(got) != 1 {
				t.Fatalf("stats %+v, replies %+v: want one error", st, got)
			}
			if line := FormatReply(got[0]); line != tt.line {
				t.Errorf("error line %q, want %q", line, tt.line)
			}
			if !strings.Contains(FormatPingStats(st), "1 packets transmitted, 0 received, +1 errors, 100% packet loss") {
				t.Errorf("summary:\n%s", FormatPingStats(st))
			}
		})
	}
}

// TestPingTTL checks that PingOptions.TTL reaches the socket.
func TestPingTTL(t *testing.T) {
	l := newLink(t)
	for _, tt := range []struct {
		dst         string
		level, name int
	}{{addrB, unix.IPPROTO_IP, unix.IP_TTL}, {addr6B, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS}} {
		p, err := dialPing(l.A, netip.MustParseAddr(tt.dst), 5)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.c.GetsockoptInt(tt.level, tt.name)
		p.Close()
		if err != nil || got != 5 {
			t.Errorf("%s: TTL %d, %v; want 5", tt.dst, got, err)
		}
	}
}

func TestPingCancel(t *testing.T) {
	l := newLink(t)
	ctx, cancel := context.WithCancel(context.Background())
	var n int
	st, err := Ping(ctx, l.A, netip.MustParseAddr(addrB), PingOptions{Interval: 20 * time.Millisecond}, func(r Reply) {
		if n++; n == 3 {
			cancel() // as SIGINT does in the CLI
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Received != 3 || st.Sent < 3 || st.Sent > 4 {
		t.Errorf("stats %+v, want 3 received out of 3 or 4", st)
	}
	if !strings.HasPrefix(FormatPingStats(st), "--- "+addrB+" ping statistics ---\n") {
		t.Errorf("summary:\n%s", FormatPingStats(st))
	}
}

func TestPingDeadline(t *testing.T) {
	l := newLink(t)
	start := time.Now()
	st, err := Ping(context.Background(), l.A, netip.MustParseAddr(addrB), PingOptions{Interval: 100 * time.Millisecond, Deadline: 350 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 350*time.Millisecond || d > 2*time.Second {
		t.Errorf("took %v with a 350ms deadline", d)
	}
	if st.Sent < 3 || st.Sent > 5 || st.Received < st.Sent-1 {
		t.Errorf("stats %+v, want about 4 sent and answered", st)
	}
}

func TestPingErrors(t *testing.T) {
	l := newLink(t)
	// No route: the first request is refused, so Ping fails.
	_, err := Ping(context.Background(), l.A, netip.MustParseAddr("192.0.2.1"), PingOptions{Count: 1}, nil)
	if !errors.Is(err, unix.ENETUNREACH) {
		t.Errorf("ping without a route: %v, want ENETUNREACH", err)
	}
	for _, o := range []PingOptions{{Count: -1}, {Size: 70000}, {TTL: 256}} {
		if _, err := Ping(context.Background(), l.A, netip.MustParseAddr(addrB), o, nil); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	if _, err := Ping(context.Background(), l.A, netip.Addr{}, PingOptions{}, nil); err == nil {
		t.Error("no destination accepted")
	}
}

// TestPingZonesAndLoopback: a link-local destination needs its zone, which
// is an interface name inside the namespace; and a namespace can ping
// itself (a raw IPv4 socket then also sees its own requests, which the
// ICMP filter drops).
func TestPingZonesAndLoopback(t *testing.T) {
	l := newLink(t)
	for _, dst := range []string{"fe80::2%va", "127.0.0.1", "::1", addrA} {
		st, err := Ping(context.Background(), l.A, netip.MustParseAddr(dst), PingOptions{Count: 2, Interval: 20 * time.Millisecond, Timeout: 2 * time.Second}, nil)
		if err != nil || st.Sent != 2 || st.Received != 2 || st.Duplicates != 0 {
			t.Errorf("ping %s: %+v, %v", dst, st, err)
		}
	}
	if _, err := Ping(context.Background(), l.A, netip.MustParseAddr("fe80::2%nosuch0"), PingOptions{Count: 1}, nil); !errors.Is(err, unix.ENODEV) {
		t.Errorf("unknown zone: %v, want ENODEV", err)
	}
}

// allowPingSockets lets every group use ping sockets in namespace ns
// (net.ipv4.ping_group_range is per namespace; /proc/sys/net shows the
// namespace of the process that opens it).
func allowPingSockets(t *testing.T, ns string) {
	t.Helper()
	sandbox.Run(t, "ip", "netns", "exec", ns, "sh", "-c", "echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range")
}
