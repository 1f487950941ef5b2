package rtnl

import (
	"strings"

	"golang.org/x/sys/unix"
)

// AddrFlags is an address's ifa_flags, widened to 32 bits by IFA_FLAGS:
// the IFA_F_* bits of include/uapi/linux/if_addr.h.
type AddrFlags uint32

// Address flags, IFA_F_* in include/uapi/linux/if_addr.h.
const (
	AddrSecondary     AddrFlags = unix.IFA_F_SECONDARY      // IFA_F_SECONDARY (IFA_F_TEMPORARY for IPv6)
	AddrNoDAD         AddrFlags = unix.IFA_F_NODAD          // IFA_F_NODAD: no duplicate address detection
	AddrOptimistic    AddrFlags = unix.IFA_F_OPTIMISTIC     // IFA_F_OPTIMISTIC
	AddrDADFailed     AddrFlags = unix.IFA_F_DADFAILED      // IFA_F_DADFAILED
	AddrHome          AddrFlags = unix.IFA_F_HOMEADDRESS    // IFA_F_HOMEADDRESS (Mobile IPv6)
	AddrDeprecated    AddrFlags = unix.IFA_F_DEPRECATED     // IFA_F_DEPRECATED: preferred lifetime over
	AddrTentative     AddrFlags = unix.IFA_F_TENTATIVE      // IFA_F_TENTATIVE: DAD still running
	AddrPermanent     AddrFlags = unix.IFA_F_PERMANENT      // IFA_F_PERMANENT: not from autoconfiguration or with a lifetime
	AddrMngTmpAddr    AddrFlags = unix.IFA_F_MANAGETEMPADDR // IFA_F_MANAGETEMPADDR: make privacy addresses from this prefix
	AddrNoPrefixRoute AddrFlags = unix.IFA_F_NOPREFIXROUTE  // IFA_F_NOPREFIXROUTE: no route for the prefix
	AddrMcAutoJoin    AddrFlags = unix.IFA_F_MCAUTOJOIN     // IFA_F_MCAUTOJOIN
	AddrStablePrivacy AddrFlags = unix.IFA_F_STABLE_PRIVACY // IFA_F_STABLE_PRIVACY
)

// addrFlagNames is iproute2's ifa_flag_names[] (ip/ipaddress.c), in its
// order, which is the order of the bits.
var addrFlagNames = []bitName[AddrFlags]{
	{AddrSecondary, "secondary"}, {AddrNoDAD, "nodad"}, {AddrOptimistic, "optimistic"},
	{AddrDADFailed, "dadfailed"}, {AddrHome, "home"}, {AddrDeprecated, "deprecated"},
	{AddrTentative, "tentative"}, {AddrPermanent, "permanent"}, {AddrMngTmpAddr, "mngtmpaddr"},
	{AddrNoPrefixRoute, "noprefixroute"}, {AddrMcAutoJoin, "autojoin"}, {AddrStablePrivacy, "stable-privacy"},
}

// Words returns the flag words iproute2's print_ifa_flags() prints for
// an address of family fam with these flags, in its order: "dynamic" for
// one without IFA_F_PERMANENT (and never "permanent"), "temporary" for
// an IPv6 IFA_F_SECONDARY, the others by name. Bits iproute2 has no name
// for are not included.
func (f AddrFlags) Words(fam Family) []string {
	var out []string
	for _, n := range addrFlagNames {
		switch {
		case n.bit == AddrPermanent:
			if f&n.bit == 0 {
				out = append(out, "dynamic")
			}
		case f&n.bit == 0:
		case n.bit == AddrSecondary && fam == FamilyInet6:
			out = append(out, "temporary")
		default:
			out = append(out, n.name)
		}
	}
	return out
}

// String returns the names of the set bits, in iproute2's words and
// order, separated by spaces ("nodad permanent"): unlike Words, the
// kernel's flags as they are, with no "dynamic" for a missing one.
func (f AddrFlags) String() string {
	out, _ := bitWords(nil, f, addrFlagNames)
	return strings.Join(out, " ")
}

// ParseAddrFlag returns the flag iproute2 calls name in ifa_flag_names[]
// ("nodad", "home", "mngtmpaddr", ...; "temporary" is "secondary").
func ParseAddrFlag(name string) (AddrFlags, bool) {
	if name == "temporary" {
		return AddrSecondary, true
	}
	for _, n := range addrFlagNames {
		if n.name == name {
			return n.bit, true
		}
	}
	return 0, false
}

// Forever is an address lifetime (ValidLft, PreferredLft) that never
// runs out: INFINITY_LIFE_TIME of include/net/addrconf.h.
const Forever = 0xFFFFFFFF
