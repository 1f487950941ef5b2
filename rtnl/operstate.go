package rtnl

import "strconv"

// OperState is IFLA_OPERSTATE (RFC 2863 operational state, IF_OPER_* in
// include/uapi/linux/if.h).
type OperState uint8

// operStateNames is iproute2's oper_states[] table (ip/ipaddress.c).
var operStateNames = [...]string{
	OperUnknown:        "UNKNOWN",
	OperNotPresent:     "NOTPRESENT",
	OperDown:           "DOWN",
	OperLowerLayerDown: "LOWERLAYERDOWN",
	OperTesting:        "TESTING",
	OperDormant:        "DORMANT",
	OperUp:             "UP",
}

// String returns the state as iproute2 prints it ("UP", "DOWN",
// "UNKNOWN", "LOWERLAYERDOWN", ...); a value iproute2 does not know is
// printed as it does, in hex ("0x7").
//
// Hand-written, not `go tool stringer` (STYLE.md R16), on purpose: stringer
// prints an unknown value as "OperState(7)" and its String cannot be wrapped
// under the same name, while `nsnet link` output must match `ip link`'s
// "state 0x7" (TestOperStateString checks it). Also, the constants' line
// comments in const.go are the kernel names (IF_OPER_UP), which
// -linecomment would print. The table above is indexed by value, not a
// switch, so there is nothing for stringer to save.
func (s OperState) String() string {
	if int(s) < len(operStateNames) {
		return operStateNames[s]
	}
	return "0x" + strconv.FormatUint(uint64(s), 16)
}
