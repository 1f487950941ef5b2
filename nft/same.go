package nft

import "bytes"

// SameExprs reports whether a and b are the same expressions as the
// kernel receives them: pairwise the same name and the same encoded
// attributes (what a rule add would send). It is how a rule read back
// from the kernel is matched against one built here (iptables -C and -D,
// NAT's check that the rules in place are the wanted ones), without
// reflection. An expression that cannot be encoded matches nothing.
func SameExprs(a, b []Expr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].exprName() != b[i].exprName() {
			return false
		}
		x, err := a[i].marshalData()
		if err != nil {
			return false
		}
		y, err := b[i].marshalData()
		if err != nil || !bytes.Equal(x, y) {
			return false
		}
	}
	return true
}
