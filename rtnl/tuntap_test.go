package rtnl

import (
	"strings"
	"testing"
)

// TestTunFlagsWords: iproute2 6.1 print_flags, e.g. for what
// `ip tuntap add mode tun pi vnet_hdr one_queue` leaves in tun_flags.
func TestTunFlagsWords(t *testing.T) {
	for _, tt := range []struct {
		f    TunFlags
		want string
	}{
		{TunTap | TunNoPI | TunMultiQueue | TunPersist, "tap multi_queue persist"},
		{TunTun | TunVnetHdr | TunOneQueue | TunPersist, "tun pi one_queue vnet_hdr persist filter"},
		{TunTap | TunNoPI | 0x10, "tap 0x10"},
	} {
		if got := strings.Join(tt.f.Words(), " "); got != tt.want {
			t.Errorf("%#x: %q, want %q", uint16(tt.f), got, tt.want)
		}
	}
}
