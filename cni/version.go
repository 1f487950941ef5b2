package cni

import (
	"strconv"
	"strings"
)

// Versions are the spec versions nsnet speaks, as VERSION lists them.
// 0.1.0 and 0.2.0 (one IP per family, no interfaces in results) are not
// among them.
var Versions = []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}

// SpecVersion is the newest spec version nsnet implements.
const SpecVersion = "1.1.0"

// A version is a parsed semantic version "MAJOR.MINOR.PATCH".
type version [3]int

// parseVersion reads "X.Y.Z" as libcni's version.ParseVersion does
// (missing minor or patch are 0, e.g. "1.0"), refusing anything else.
func parseVersion(s string) (version, bool) {
	var v version
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || p[0] == '+' {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func (v version) less(w version) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

// Supported reports whether nsnet speaks spec version v.
func Supported(v string) bool {
	for _, s := range Versions {
		if s == v {
			return true
		}
	}
	return false
}

// AtLeast reports whether version v is at least least ("0.4.0" for CHECK,
// "1.1.0" for GC and STATUS). An unparsable v is not.
func AtLeast(v, least string) bool {
	a, ok := parseVersion(v)
	b, ok2 := parseVersion(least)
	return ok && ok2 && !a.less(b)
}

// Select is the spec's version selection for a configuration list: the
// highest of cniVersion and cniVersions that nsnet supports, "" if none.
func Select(cniVersion string, cniVersions []string) string {
	best, bestV := "", version{}
	for _, s := range append([]string{cniVersion}, cniVersions...) {
		v, ok := parseVersion(s)
		if !ok || !Supported(s) {
			continue
		}
		if best == "" || bestV.less(v) {
			best, bestV = s, v
		}
	}
	return best
}
