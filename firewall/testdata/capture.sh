#!/bin/bash
# capture.sh: regenerate nft_<name>.hex, the NFT_MSG_NEWRULE bodies nft
# itself sends for each line of forms.txt (with the nsnet words as the
# comment), captured with strace inside `unshare -n`. Needs root, nft and
# strace. nsnet's encoder must reproduce these bytes (TestRuleBytesMatchNFT).
set -euo pipefail
cd "$(dirname "$0")"
grep -v '^#' forms.txt | while IFS='|' read -r name words chain rule; do
	name=$(echo $name); words=$(echo $words); chain=$(echo $chain); rule=$(echo "$rule" | sed 's/^ *//; s/ *$//')
	f=$(mktemp)
	cat > "$f" <<NFT
table inet nsnet {
	chain prerouting { type nat hook prerouting priority dstnat; policy accept; }
	chain output { type nat hook output priority -100; policy accept; }
	chain postrouting { type nat hook postrouting priority srcnat; policy accept; }
}
add rule inet nsnet $chain $rule comment "$words"
NFT
	unshare -n strace -e trace=sendmsg -e write=3 -s 0 nft -f "$f" 2>&1 >/dev/null |
		python3 -c '
import sys, re, struct
name, rule = sys.argv[1], sys.argv[2]
buf = b""
for line in sys.stdin:
    m = re.match(r"\s*\|\s*([0-9a-f]{5})\s+(.{48})", line)
    if m:
        buf += bytes.fromhex(m.group(2).replace(" ", ""))
i = 0
while i + 16 <= len(buf):
    l, t = struct.unpack("<IH", buf[i:i+6])
    if t == (10 << 8 | 6):  # NFNL_SUBSYS_NFTABLES<<8 | NFT_MSG_NEWRULE
        body = buf[i+16:i+l]
        with open("nft_%s.hex" % name, "w") as out:
            out.write("# NFT_MSG_NEWRULE body sent by nft 1.0.6 (strace, testdata/capture.sh) for:\n")
            out.write("#   add rule inet nsnet %s\n" % rule)
            for j in range(0, len(body), 4):
                out.write(body[j:j+4].hex() + "\n")
    i += (l + 3) & ~3
' "$name" "$chain $rule comment \"$words\""
	rm -f "$f"
done
