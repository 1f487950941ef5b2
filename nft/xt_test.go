package nft

import (
	"testing"

	"github.com/nsnet/nsnet/internal/golden"
)

// FuzzXTInfo: every xt info layout that parses encodes to a value that
// parses back to the same fields. Seeds are the infos of the rules
// iptables-nft 1.8.9 sent (testdata/ipt_*.hex).
func FuzzXTInfo(f *testing.F) {
	for _, g := range golden.Glob(f, "testdata/ipt_*.hex") {
		var r Rule
		if r.UnmarshalBinary(g.Bytes) != nil {
			f.Fatalf("%s does not decode", g.Path)
		}
		for _, x := range r.Exprs {
			switch e := x.(type) {
			case *Match:
				f.Add(e.Info)
			case *Target:
				f.Add(e.Info)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseCompatInfo(b); err == nil {
			if r2, err := ParseCompatInfo(r.CompatInfo()); err != nil || r2 != r {
				t.Fatalf("compat range %+v -> %+v %v", r, r2, err)
			}
		}
		if r, err := ParseRangeInfo(b); err == nil {
			if r2, err := ParseRangeInfo(r.RangeInfo()); err != nil || r2 != r {
				t.Fatalf("range %+v -> %+v %v", r, r2, err)
			}
		}
		for _, v4 := range []bool{true, false} {
			if r, err := ParseRange2Info(b, v4); err == nil {
				if r2, err := ParseRange2Info(r.Range2Info(), v4); err != nil || r2 != r {
					t.Fatalf("range2 %+v -> %+v %v", r, r2, err)
				}
			}
		}
		if w, err := ParseRejectInfo(b); err == nil {
			if w2, _ := ParseRejectInfo(RejectInfo(w)); w2 != w {
				t.Fatalf("reject %d -> %d", w, w2)
			}
		}
		if l, fl, p, err := ParseLogInfo(b); err == nil {
			if l2, fl2, p2, _ := ParseLogInfo(LogInfo(l, fl, p)); l2 != l || fl2 != fl || p2 != p {
				t.Fatalf("log %d %d %q -> %d %d %q", l, fl, p, l2, fl2, p2)
			}
		}
		if c, err := ParseCommentInfo(b); err == nil {
			if c2, _ := ParseCommentInfo(CommentInfo(c)); c2 != c {
				t.Fatalf("comment %q -> %q", c, c2)
			}
		}
		if m, i, s, ok, err := ParseConntrackInfo(b); err == nil && ok {
			if m2, i2, s2, ok2, _ := ParseConntrackInfo(ConntrackInfo(m, i, s)); m2 != m || i2 != i || s2 != s || !ok2 {
				t.Fatalf("conntrack %x %x %x -> %x %x %x", m, i, s, m2, i2, s2)
			}
		}
		if fl, ports, inv, err := ParseMultiportInfo(b); err == nil {
			if enc := MultiportInfo(fl, ports, inv); enc != nil {
				fl2, ports2, inv2, err := ParseMultiportInfo(enc)
				if err != nil || fl2 != fl || inv2 != inv || len(ports2) != len(ports) {
					t.Fatalf("multiport %d %v %v -> %d %v %v %v", fl, ports, inv, fl2, ports2, inv2, err)
				}
			}
		}
		for _, tcp := range []bool{true, false} {
			if sp, dp, inv, err := ParseTCPUDPInfo(tcp, b); err == nil {
				if sp2, dp2, inv2, _ := ParseTCPUDPInfo(tcp, TCPUDPInfo(tcp, sp, dp, inv)); sp2 != sp || dp2 != dp || inv2 != inv {
					t.Fatalf("tcp/udp %v %v %d", sp, dp, inv)
				}
			}
		}
	})
}
