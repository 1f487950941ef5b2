#!/usr/bin/env python3
"""strace2hex.py STRACE_OUT PREFIX KIND

Reads the output of `strace -f -e trace=sendmsg|recvmsg -e write=all|read=all`,
splits every buffer into netlink messages and writes each message body
(the bytes after struct nlmsghdr) whose nlmsg_type is KIND (a number) to
PREFIX_N.hex in the golden format of rtnl: 4 bytes per line, '#' comments,
first line saying what produced the file.
"""
import re, struct, sys

src, prefix, kind = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
cmd = sys.argv[4] if len(sys.argv) > 4 else "?"
bufs, cur = [], None
for line in open(src):
    if re.match(r"^\d+\s+(sendmsg|recvmsg)\(", line):
        cur = bytearray()
        bufs.append(cur)
        continue
    if re.match(r"^ \| [0-9a-f]{5}  ", line) and cur is not None:
        # offset column, then 16 hex bytes in two groups, then ASCII
        cur += bytes.fromhex("".join(re.findall(r"[0-9a-f]{2}", line[10:59])))
n = 0
for b in bufs:
    i = 0
    while i + 16 <= len(b):
        ln, typ, flags, seq, pid = struct.unpack_from("<IHHII", b, i)
        if ln < 16 or i + ln > len(b):
            break
        body = b[i + 16:i + ln]
        if typ == kind:
            with open("%s_%d.hex" % (prefix, n), "w") as f:
                f.write("# %s: nlmsg_type %d flags %#x, body captured with strace -e read/write=all (rtnl/testdata/capture)\n" % (cmd, typ, flags))
                for j in range(0, len(body), 4):
                    f.write(" ".join("%02x" % x for x in body[j:j + 4]) + "\n")
            n += 1
        i += (ln + 3) & ~3
print(prefix, n, file=sys.stderr)
