package rtnl

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// NeighState is ndm_state: NUD_* bits of include/uapi/linux/neighbour.h.
// The kernel sets one; a dump filter may ask for several.
type NeighState uint16

// Neighbour states, NUD_* in include/uapi/linux/neighbour.h.
const (
	NeighNone       NeighState = unix.NUD_NONE       // NUD_NONE
	NeighIncomplete NeighState = unix.NUD_INCOMPLETE // NUD_INCOMPLETE: resolving
	NeighReachable  NeighState = unix.NUD_REACHABLE  // NUD_REACHABLE: confirmed recently
	NeighStale      NeighState = unix.NUD_STALE      // NUD_STALE: usable, to be confirmed
	NeighDelay      NeighState = unix.NUD_DELAY      // NUD_DELAY
	NeighProbe      NeighState = unix.NUD_PROBE      // NUD_PROBE
	NeighFailed     NeighState = unix.NUD_FAILED     // NUD_FAILED: resolution failed
	NeighNoARP      NeighState = unix.NUD_NOARP      // NUD_NOARP: no resolution needed (lo, multicast)
	NeighPermanent  NeighState = unix.NUD_PERMANENT  // NUD_PERMANENT: set by hand, never expires
)

// neighStateNames is iproute2's print_neigh_state() order (ip/ipneigh.c).
var neighStateNames = []bitName[NeighState]{
	{NeighIncomplete, "INCOMPLETE"}, {NeighReachable, "REACHABLE"}, {NeighStale, "STALE"},
	{NeighDelay, "DELAY"}, {NeighProbe, "PROBE"}, {NeighFailed, "FAILED"},
	{NeighNoARP, "NOARP"}, {NeighPermanent, "PERMANENT"},
}

// Words returns the states print_neigh_state() prints for s, in its
// order, and the bits it has no name for as one "0x.." word. NUD_NONE
// gives no word.
func (s NeighState) Words() []string {
	out, s := bitWords(nil, s, neighStateNames)
	if s != 0 {
		out = append(out, "0x"+strconv.FormatUint(uint64(s), 16))
	}
	return out
}

// String returns Words separated by spaces ("REACHABLE"), or "NONE".
func (s NeighState) String() string {
	if s == NeighNone {
		return "NONE"
	}
	return strings.Join(s.Words(), " ")
}

// NeighStates returns the single states in iproute2's order, for a
// caller that matches their names (iproute2's nud_state_a2n accepts
// abbreviations, which are the command line's business).
func NeighStates() []NeighState {
	out := make([]NeighState, len(neighStateNames))
	for i, n := range neighStateNames {
		out[i] = n.bit
	}
	return out
}

// NeighFlags is ndm_flags: NTF_* of include/uapi/linux/neighbour.h.
type NeighFlags uint8

// Neighbour flags, NTF_* in include/uapi/linux/neighbour.h.
const (
	NeighUse        NeighFlags = unix.NTF_USE         // NTF_USE
	NeighSelf       NeighFlags = unix.NTF_SELF        // NTF_SELF
	NeighMaster     NeighFlags = unix.NTF_MASTER      // NTF_MASTER
	NeighProxy      NeighFlags = unix.NTF_PROXY       // NTF_PROXY: a proxy ARP/NDP entry
	NeighExtLearned NeighFlags = unix.NTF_EXT_LEARNED // NTF_EXT_LEARNED
	NeighOffloaded  NeighFlags = unix.NTF_OFFLOADED   // NTF_OFFLOADED
	NeighSticky     NeighFlags = 0x40                 // NTF_STICKY (not in x/sys/unix)
	NeighRouter     NeighFlags = unix.NTF_ROUTER      // NTF_ROUTER: an IPv6 router
)
