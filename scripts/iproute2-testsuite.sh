#!/bin/sh
# iproute2-testsuite.sh SRC NSNET: runs the ip tests of iproute2's own test
# suite (SRC/testsuite/tests/ip/**/*.t, from a checkout or tarball of the
# iproute2 sources, e.g. tag v6.1.0) twice, each test in a fresh sandbox
# (nsnet sandbox: private network and mount namespaces): once with the
# system's iproute2 ip, once with nsnet linked as ip. It does what
# testsuite/Makefile does for one test (IP=, DEV=lo, STD_OUT, STD_ERR, ERRF;
# exit 127 is SKIPPED, an ERRF file is FAILED) and prints one line per test
# and the counts. VARIANT=veth also runs each test with "type dummy"
# replaced by "type veth" (this kernel has no dummy driver). Nothing of
# iproute2 is kept in nsnet's repository; see `make iproute2-testsuite`.
set -u
src=${1:-} nsnet=$(realpath "$2")
ts=$src/testsuite
if [ -z "$src" ]; then
	echo "iproute2 testsuite: skipped (IPROUTE2_SRC is not set; make iproute2-testsuite IPROUTE2_SRC=DIR runs it)"
	exit 0
fi
if [ ! -f "$ts/lib/generic.sh" ]; then
	echo "iproute2 testsuite: $ts/lib/generic.sh not found: skipped (give IPROUTE2_SRC=DIR of the iproute2 sources)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "iproute2 testsuite: skipped (needs root: each test runs in a sandbox of its own)"
	exit 0
fi
real=$(command -v /usr/sbin/ip || command -v /sbin/ip)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" && ln -s "$nsnet" "$work/bin/ip"
cp -r "$ts" "$work/as-is"
# show_dev_wo_vf_rate.t reads a netlink dump that tools/generate_nlmsg writes
# (it needs a C compiler and iproute2's headers: without them the test fails
# for both binaries alike)
(cd "$work/as-is/tools" && make -s >/dev/null 2>&1) || true
(cd "$work/as-is" && ./tools/generate_nlmsg >/dev/null 2>&1) || true
cp -r "$work/as-is" "$work/veth"
find "$work/veth/tests" -name '*.t' -exec sed -i 's/type dummy/type veth/' {} +
variants="as-is"
[ "${VARIANT:-}" = veth ] && variants="as-is veth"
for variant in $variants; do
	for who in iproute2 nsnet; do
		ip=$real
		[ $who = nsnet ] && ip=$work/bin/ip
		pass=0 fail=0 skip=0
		for t in $(cd "$work/$variant" && find tests/ip -name '*.t' | sort); do
			errf=$work/err.$$ out=$work/out.$$
			rm -f "$errf"
			"$nsnet" sandbox -- sh -c "cd '$work/$variant' && STD_ERR='$work/se' STD_OUT='$work/so' IP='$ip' DEV=lo ERRF='$errf' sh '$t'" >"$out" 2>&1
			rc=$?
			if [ $rc = 127 ]; then r=SKIPPED skip=$((skip + 1))
			elif [ -e "$errf" ]; then r=FAILED fail=$((fail + 1))
			else r=PASS pass=$((pass + 1))
			fi
			echo "$who ($variant): $t: $r"
			if [ $r = FAILED ] && [ -n "${VERBOSE:-}" ]; then sed 's/^/    /' "$errf"; fi
		done
		echo "$who ($variant): $pass passed, $fail failed, $skip skipped"
	done
done
