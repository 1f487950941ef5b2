#!/bin/bash
# ipt_capture.sh: regenerate ipt/<name>.hex, the NFT_MSG_NEWRULE body that
# iptables-nft itself sends for each line of ipt_forms.txt, captured with
# strace (-e write=3 hex dump of the sendmsg) in a fresh `unshare -n`
# namespace. Lines "name | setup ; ... | rule" run the setup commands first
# (user chains) without capturing. Needs root, iptables-nft and strace; run
# it inside the sandbox: ./nsnet sandbox -- firewall/testdata/ipt_capture.sh
# nsnet's encoder must reproduce these bytes (TestIPTRuleBytesMatchIPTables).
set -euo pipefail
cd "$(dirname "$0")"
ver=$(iptables-nft -V)
grep -v '^#' ipt_forms.txt | grep -v '^ *$' | while IFS='|' read -r name setup rule saved; do
	name=$(echo $name)
	rule=$(echo "$rule" | sed 's/^ *//; s/ *$//')
	setup=$(echo "$setup" | sed 's/^ *//; s/ *$//')
	unshare -n sh -c "
		IFS=';'; for s in \$0; do [ -n \"\$s\" ] && eval iptables-nft \$s; done
		eval strace -f -e trace=sendmsg -e write=3 -s 0 iptables-nft \$1 2>&1 >/dev/null
	" "$setup" "$rule" |
		python3 -c '
import sys, re, struct
name, rule, ver = sys.argv[1], sys.argv[2], sys.argv[3]
buf = b""
for line in sys.stdin:
    m = re.match(r"\s*\|\s*([0-9a-f]{5})\s+(.{48})", line)
    if m:
        buf += bytes.fromhex(m.group(2).replace(" ", ""))
i = 0
found = False
while i + 16 <= len(buf):
    l, t = struct.unpack("<IH", buf[i:i+6])
    if t == (10 << 8 | 6):  # NFNL_SUBSYS_NFTABLES<<8 | NFT_MSG_NEWRULE
        body = buf[i+16:i+l]
        with open("ipt/%s.hex" % name, "w") as out:
            out.write("# NFT_MSG_NEWRULE body sent by %s (strace, testdata/ipt_capture.sh) for:\n" % ver)
            out.write("#   iptables %s\n" % rule)
            for j in range(0, len(body), 4):
                out.write(body[j:j+4].hex() + "\n")
        found = True
    i += (l + 3) & ~3
if not found:
    sys.exit("no NEWRULE captured for " + name)
' "$name" "$rule" "$ver"
done
