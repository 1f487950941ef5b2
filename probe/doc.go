// Package probe sends ICMP echo and ARP probes from inside a network namespace.
package probe

import (
	_ "github.com/mdlayher/arp"
	_ "github.com/mdlayher/packet"
)
