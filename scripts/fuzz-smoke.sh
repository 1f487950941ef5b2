#!/bin/sh
# fuzz-smoke: every native fuzz target of the module, each for a short run
# (FUZZTIME: an exec count such as 10000x, or a duration), so CI exercises
# each decoder's property beyond its seed corpus. A target that finds a failure stops the run with go test's
# report; the failing input is written under the package's testdata/fuzz/.
# Usage: scripts/fuzz-smoke.sh [FUZZTIME]
set -eu
go=${GO:-go}
fuzztime=${1:-10000x}
n=0
for pkg in $($go list ./...); do
	dir=$($go list -f '{{.Dir}}' "$pkg")
	targets=$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$dir"/*_test.go 2>/dev/null | sort -u)
	for t in $targets; do
		$go test -run '^$' -fuzz "^$t\$" -fuzztime "$fuzztime" "$pkg" >/tmp/fuzz-smoke.$$ 2>&1 || {
			cat /tmp/fuzz-smoke.$$; rm -f /tmp/fuzz-smoke.$$
			echo "fuzz-smoke: $pkg $t failed"; exit 1
		}
		n=$((n + 1))
	done
done
rm -f /tmp/fuzz-smoke.$$
echo "fuzz-smoke: $n fuzz targets ran for $fuzztime each, no failure"
