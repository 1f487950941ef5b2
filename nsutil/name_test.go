package nsutil

import (
	"errors"
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"red", true},
		{"ns-1.a_b", true},
		{".hidden", true},
		{"...", true},
		{"with space", true},
		{strings.Repeat("a", 255), true},
		{"", false},
		{".", false},
		{"..", false},
		{"../x", false},
		{"a/b", false},
		{"/", false},
		{"red/", false},
		{strings.Repeat("a", 256), false},
		{"a\x00b", false},
	} {
		err := ValidName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidName(%q) = %v, does not wrap ErrInvalidName", tt.name, err)
		}
	}
}

// TestInvalidNameChangesNothing checks that every entry point refuses a
// bad name before touching the file system.
func TestInvalidNameChangesNothing(t *testing.T) {
	for _, name := range []string{"../x", "", "a/b", ".."} {
		if _, err := Create(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Create(%q) = %v, want ErrInvalidName", name, err)
		}
		if _, err := Open(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Open(%q) = %v, want ErrInvalidName", name, err)
		}
		if err := Delete(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidName", name, err)
		}
	}
}

func TestSysctlPath(t *testing.T) {
	for _, tt := range []struct{ key, want string }{
		{"net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward"},
		{"net/ipv4/conf/eth0.1/forwarding", "/proc/sys/net/ipv4/conf/eth0.1/forwarding"},
		{"net.ipv6.conf.all.disable_ipv6", "/proc/sys/net/ipv6/conf/all/disable_ipv6"},
		{"kernel.hostname", ""},
		{"net", ""},
		{"net/../kernel/hostname", ""},
		{"net..ipv4", ""},
		{"/net/ipv4/ip_forward", ""},
	} {
		got, err := sysctlPath(tt.key)
		if tt.want == "" {
			if err == nil {
				t.Errorf("sysctlPath(%q) = %q, want an error", tt.key, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("sysctlPath(%q) = %q, %v; want %q", tt.key, got, err, tt.want)
		}
	}
}

func TestEntryString(t *testing.T) {
	if got := (Entry{Name: "red", ID: 0}).String(); got != "red (id: 0)" {
		t.Errorf("got %q", got)
	}
	if got := (Entry{Name: "red", ID: -1}).String(); got != "red" {
		t.Errorf("got %q", got)
	}
}
