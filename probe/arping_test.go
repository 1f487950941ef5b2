package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nsnet/nsnet/internal/sandbox"
	"golang.org/x/sys/unix"
)

// macOf asks ip(8), the oracle, for dev's MAC address in namespace ns.
func macOf(t *testing.T, ns, dev string) net.HardwareAddr {
	t.Helper()
	links := sandbox.IPJSON(t, "-n", ns, "link", "show", "dev", dev)
	if len(links) != 1 {
		t.Fatalf("ip -j -n %s link show dev %s: %v", ns, dev, links)
	}
	mac, err := net.ParseMAC(links[0]["address"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return mac
}

func TestArping(t *testing.T) {
	l := newLink(t)
	want := macOf(t, l.nameB, "vb")
	a, err := DialARP(l.A, "va")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got := a.Addr(); got != netip.MustParseAddr(addrA) {
		t.Errorf("source address %v, want %s", got, addrA)
	}
	if got, own := a.HardwareAddr(), macOf(t, l.nameA, "va"); got.String() != own.String() {
		t.Errorf("own MAC %v, want %v", got, own)
	}
	var lines []string
	st, err := a.Arping(context.Background(), netip.MustParseAddr(addrB), ArpingOptions{Count: 3, Interval: 20 * time.Millisecond}, func(r ARPReply) {
		if r.MAC.String() != want.String() {
			t.Errorf("reply from %v, want %v", r.MAC, want)
		}
		lines = append(lines, FormatARPReply(r))
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 3 || st.Received != 3 || st.Broadcasts != 1 {
		t.Errorf("stats %+v, want 3 sent (1 broadcast, then unicast), 3 received", st)
	}
	re := regexp.MustCompile(`^Unicast reply from ` + regexp.QuoteMeta(addrB) + ` \[` + strings.ToUpper(want.String()) + `\]  \d+\.\d{3}ms$`)
	for _, line := range lines {
		if !re.MatchString(line) {
			t.Errorf("reply line %q", line)
		}
	}
	if got := FormatArpingStats(st); got != "Sent 3 probes (1 broadcast(s))\nReceived 3 response(s)\n" {
		t.Errorf("summary %q", got)
	}
	if got := FormatArpingHeader(st.Dst, st.Src, st.Dev); got != "ARPING 10.9.0.2 from 10.9.0.1 va" {
		t.Errorf("header %q", got)
	}
}

func TestResolve(t *testing.T) {
	l := newLink(t)
	mac, err := Resolve(context.Background(), l.B, "vb", netip.MustParseAddr(addrA))
	if err != nil {
		t.Fatal(err)
	}
	if want := macOf(t, l.nameA, "va"); mac.String() != want.String() {
		t.Errorf("Resolve: %v, want %v", mac, want)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Resolve(ctx, l.A, "va", netip.MustParseAddr(nobody))
	if !errors.Is(err, ErrNoReply) {
		t.Errorf("Resolve of an address nobody has: %v, want ErrNoReply", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Resolve ignored its context: %v", d)
	}
}

func TestArpingNobody(t *testing.T) {
	l := newLink(t)
	st, err := Arping(context.Background(), l.A, "va", netip.MustParseAddr(nobody), ArpingOptions{Count: 2, Interval: 50 * time.Millisecond}, func(r ARPReply) {
		t.Errorf("unexpected reply %+v", r)
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 2 || st.Broadcasts != 2 || st.Received != 0 {
		t.Errorf("stats %+v, want 2 broadcasts, nothing received", st)
	}
}

func TestArpingErrors(t *testing.T) {
	l := newLink(t)
	if _, err := DialARP(l.A, "nosuch0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("missing interface: %v, want ENODEV", err)
	}
	if _, err := DialARP(l.A, "lo"); err == nil || !strings.Contains(err.Error(), "ARP") {
		t.Errorf("loopback: %v, want an error saying it does not do ARP", err)
	}
	sandbox.Run(t, "ip", "-n", l.nameA, "link", "set", "va", "down")
	if _, err := DialARP(l.A, "va"); err == nil || !strings.Contains(err.Error(), "down") {
		t.Errorf("interface down: %v, want an error saying so", err)
	}
	// The interface names are looked up in the namespace, not in ours:
	// the sandbox itself has no va.
	if _, err := DialARP(nil, "va"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("va in the test's own namespace: %v, want ENODEV", err)
	}
	sandbox.Run(t, "ip", "-n", l.nameB, "addr", "flush", "dev", "vb")
	if _, err := Arping(context.Background(), l.B, "vb", netip.MustParseAddr(addrA), ArpingOptions{Count: 1}, nil); err == nil {
		t.Error("arping from an interface without IPv4 address and no source: no error")
	}
	if _, err := Arping(context.Background(), l.B, "vb", netip.MustParseAddr(addr6A), ArpingOptions{Count: 1, Source: netip.MustParseAddr(addrB)}, nil); err == nil {
		t.Error("arping an IPv6 address: no error")
	}
}

// TestResolveAt: a unicast probe to the right MAC is answered, at once,
// with no broadcast; one to another MAC is heard by nobody, although the
// address is there (a broadcast would have been answered).
func TestResolveAt(t *testing.T) {
	l := newLink(t)
	want := macOf(t, l.nameA, "va")
	a, err := DialARP(l.B, "vb")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	st, err := a.Arping(context.Background(), netip.MustParseAddr(addrA), ArpingOptions{Count: 1, First: true, To: want}, nil)
	if err != nil || st.Received != 1 || st.Broadcasts != 0 {
		t.Errorf("unicast arping: %+v, %v; want 1 sent, none broadcast, 1 answer", st, err)
	}
	mac, err := ResolveAt(context.Background(), l.B, "vb", netip.MustParseAddr(addrA), want)
	if err != nil || mac.String() != want.String() {
		t.Errorf("ResolveAt = %v, %v; want %v", mac, err, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if _, err := ResolveAt(ctx, l.B, "vb", netip.MustParseAddr(addrA), net.HardwareAddr{2, 0, 0, 0, 0, 0x99}); !errors.Is(err, ErrNoReply) {
		t.Errorf("ResolveAt another MAC = %v, want ErrNoReply", err)
	}
	if _, err := a.Arping(context.Background(), netip.MustParseAddr(addrA), ArpingOptions{Count: 1, To: net.HardwareAddr{1, 2}}, nil); err == nil {
		t.Error("a 2-byte To was accepted")
	}
}
