package probe

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

func TestPingTime(t *testing.T) {
	for _, tt := range []struct {
		us   int64
		want string
	}{
		{0, "0.000"},
		{45, "0.045"},
		{999, "0.999"},
		{1000, "1.00"},
		{1234, "1.23"},
		{1235, "1.24"}, // (t+5)/10: ping rounds half up
		{9994, "9.99"},
		{9995, "10.0"}, // the switch to one decimal comes 5µs early, as in ping
		{12345, "12.3"},
		{99949, "99.9"},
		{99950, "100"},
		{123456, "123"},
		{1500000, "1500"},
	} {
		if got := pingTime(time.Duration(tt.us) * time.Microsecond); got != tt.want {
			t.Errorf("pingTime(%dµs) = %q, want %q", tt.us, got, tt.want)
		}
	}
}

func TestFormatReply(t *testing.T) {
	a := netip.MustParseAddr("192.168.15.2")
	for _, tt := range []struct {
		r    Reply
		want string
	}{
		{Reply{Seq: 1, From: a, TTL: 64, RTT: 45 * time.Microsecond, Size: 64}, "64 bytes from 192.168.15.2: icmp_seq=1 ttl=64 time=0.045 ms"},
		{Reply{Seq: 2, From: a, TTL: 63, RTT: 12345 * time.Microsecond, Size: 64, Dup: true}, "64 bytes from 192.168.15.2: icmp_seq=2 ttl=63 time=12.3 ms (DUP!)"},
		{Reply{Seq: 3, From: a, TTL: -1, RTT: time.Millisecond, Size: 108}, "108 bytes from 192.168.15.2: icmp_seq=3 time=1.00 ms"},
		{Reply{Seq: 4, From: netip.MustParseAddr("192.168.15.1"), TTL: -1, Error: "Destination Host Unreachable"}, "From 192.168.15.1 icmp_seq=4 Destination Host Unreachable"},
		{Reply{Seq: 5, TTL: -1, Error: "sendto: no buffer space available"}, "icmp_seq=5 sendto: no buffer space available"},
	} {
		if got := FormatReply(tt.r); got != tt.want {
			t.Errorf("FormatReply(%+v)\n got %q\nwant %q", tt.r, got, tt.want)
		}
	}
}

func TestFormatPingHeader(t *testing.T) {
	if got := FormatPingHeader(netip.MustParseAddr("192.168.15.2"), 0); got != "PING 192.168.15.2 (192.168.15.2) 56(84) bytes of data." {
		t.Errorf("IPv4 header %q", got)
	}
	if got := FormatPingHeader(netip.MustParseAddr("fd00::2"), 100); got != "PING fd00::2 (fd00::2) 100 data bytes" {
		t.Errorf("IPv6 header %q", got)
	}
}

// TestPingStats feeds RTTs through the same bookkeeping Ping uses and
// checks the summary against values worked out by hand with iputils'
// integer formulas (finish() in ping_common.c).
func TestPingStats(t *testing.T) {
	dst := netip.MustParseAddr("192.168.15.2")
	st := Stats{Dst: dst}
	r := pingRun{st: &st, sent: map[uint16]time.Time{}, seen: map[uint16]bool{}}
	t0 := time.Unix(1000, 0)
	r.first = t0
	r.last = t0.Add(2003 * time.Millisecond)
	for i, us := range []int64{40, 45, 52} {
		seq := uint16(i + 1)
		r.sent[seq] = t0.Add(time.Duration(i) * time.Second)
		r.handle(event{Seq: seq, At: r.sent[seq].Add(time.Duration(us) * time.Microsecond), TTL: 64, Size: 64, From: dst})
	}
	st.Sent = 4
	// A duplicate of seq 2 and an error about seq 4.
	r.handle(event{Seq: 2, At: r.sent[2].Add(60 * time.Microsecond), TTL: 64, Size: 64, From: dst})
	r.sent[4] = t0.Add(3 * time.Second)
	r.handle(event{Seq: 4, Err: &recvErr{Origin: 2, Type: 3, Code: 1}, From: netip.MustParseAddr("192.168.15.1")})
	r.handle(event{Seq: 99, At: t0}) // never sent: ignored
	got := r.finish()
	// RTTs 40 45 52 60: tsum 197, tsum2 9929, avg 197/4 = 49,
	// variance (9929 - 197*197/4)/4 = (9929-9702)/4 = 56, mdev isqrt(56) = 7.
	want := "--- 192.168.15.2 ping statistics ---\n" +
		"4 packets transmitted, 3 received, +1 duplicates, +1 errors, 25% packet loss, time 2003ms\n" +
		"rtt min/avg/max/mdev = 0.040/0.049/0.060/0.007 ms\n"
	if s := FormatPingStats(got); s != want {
		t.Errorf("summary\n%s\nwant\n%s", s, want)
	}
	if got.Received != 3 || got.Duplicates != 1 || got.Errors != 1 || got.Loss != 25 || got.Mdev != 7*time.Microsecond {
		t.Errorf("stats %+v", got)
	}
}

func TestFormatPingStatsLoss(t *testing.T) {
	dst := netip.MustParseAddr("10.0.0.1")
	for _, tt := range []struct {
		sent, recv int
		want       string
	}{
		{3, 2, "--- 10.0.0.1 ping statistics ---\n3 packets transmitted, 2 received, 33.3333% packet loss, time 2001ms\nrtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms\n"},
		{3, 1, "--- 10.0.0.1 ping statistics ---\n3 packets transmitted, 1 received, 66.6667% packet loss, time 2001ms\nrtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms\n"},
		{2, 0, "--- 10.0.0.1 ping statistics ---\n2 packets transmitted, 0 received, 100% packet loss, time 2001ms\n"},
		{0, 0, "--- 10.0.0.1 ping statistics ---\n0 packets transmitted, 0 received\n"},
	} {
		st := Stats{Dst: dst}
		r := pingRun{st: &st, sent: map[uint16]time.Time{}, seen: map[uint16]bool{}}
		t0 := time.Unix(0, 0)
		r.first, r.last = t0, t0.Add(2001*time.Millisecond-400*time.Microsecond) // rounds to 2001
		for i := range tt.recv {
			r.sent[uint16(i+1)] = t0
			r.handle(event{Seq: uint16(i + 1), At: t0.Add(time.Millisecond)})
		}
		st.Sent = tt.sent
		if got := FormatPingStats(r.finish()); got != tt.want {
			t.Errorf("%d/%d:\n got %q\nwant %q", tt.recv, tt.sent, got, tt.want)
		}
	}
}

func TestIsqrt(t *testing.T) {
	for a := int64(-3); a < 100000; a += 7 {
		x := isqrt(a)
		if a <= 0 {
			if x != 0 {
				t.Fatalf("isqrt(%d) = %d", a, x)
			}
			continue
		}
		if x*x > a || (x+1)*(x+1) <= a {
			t.Fatalf("isqrt(%d) = %d", a, x)
		}
	}
}

func TestFormatArping(t *testing.T) {
	mac := net.HardwareAddr{0xaa, 0xbb, 0xcc, 0x0d, 0xee, 0xff}
	ip := netip.MustParseAddr("192.168.15.5")
	for _, tt := range []struct {
		r    ARPReply
		want string
	}{
		{ARPReply{IP: ip, MAC: mac, RTT: 123 * time.Microsecond}, "Unicast reply from 192.168.15.5 [AA:BB:CC:0D:EE:FF]  0.123ms"},
		{ARPReply{IP: ip, MAC: mac, RTT: 1234567 * time.Nanosecond, Broadcast: true}, "Broadcast reply from 192.168.15.5 [AA:BB:CC:0D:EE:FF]  1.235ms"},
		{ARPReply{IP: ip, MAC: mac, RTT: 2 * time.Second, Request: true}, "Unicast request from 192.168.15.5 [AA:BB:CC:0D:EE:FF]  2000.000ms"},
	} {
		if got := FormatARPReply(tt.r); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	for _, tt := range []struct {
		s    ArpingStats
		want string
	}{
		{ArpingStats{Sent: 3, Broadcasts: 1, Received: 3}, "Sent 3 probes (1 broadcast(s))\nReceived 3 response(s)\n"},
		{ArpingStats{Sent: 2, Broadcasts: 2}, "Sent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n"},
		{ArpingStats{Sent: 2, Broadcasts: 2, Received: 2, Requests: 1, BroadcastReplies: 1}, "Sent 2 probes (2 broadcast(s))\nReceived 2 response(s) (1 request(s), 1 broadcast(s))\n"},
		{ArpingStats{Sent: 1, Broadcasts: 1, Received: 1, BroadcastReplies: 1}, "Sent 1 probes (1 broadcast(s))\nReceived 1 response(s) (1 broadcast(s))\n"},
	} {
		if got := FormatArpingStats(tt.s); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
