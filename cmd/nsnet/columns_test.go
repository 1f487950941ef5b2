package main

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"text/tabwriter"
)

// TestColumnsIsTabwriter: columns writes what text/tabwriter.NewWriter(w,
// 0, 8, 2, ' ', 0) writes, for the tables ps and cni list print and for
// random text of tabs, vertical tabs, newlines, form feeds, 0xff escapes
// and multi-byte runes, written in random pieces.
func TestColumnsIsTabwriter(t *testing.T) {
	cases := []string{
		"",
		"NETNS\tPID\tNSPID\tHOSTNAME\tCOMMAND\nblue\t12\t1\tblue-host\tsleep 100\nred-longer\t4567\t1\tr\tsh -c 'a\tb'\n",
		"a\tb\tc\n\naa\tbbbb\tc\nno tab here\nx\ty\n",
		"ünï\tcödé\n日本\t語\nend",
		"a\vb\tc\fd\te\n\xffx\ty\xff\tz\n\xffunclosed\t",
		"trailing cell without newline\tx",
	}
	r := rand.New(rand.NewPCG(7, 11))
	alphabet := []string{"a", "bb", "ccc", "é", "日", " ", "\t", "\t", "\t", "\n", "\n", "\v", "\f", "\xff", ""}
	for range 3000 {
		var b bytes.Buffer
		for range r.IntN(60) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, in := range cases {
		var want, got bytes.Buffer
		tw := tabwriter.NewWriter(&want, 0, 8, 2, ' ', 0)
		c := newColumns(&got)
		for rest := []byte(in); len(rest) > 0; {
			n := 1 + r.IntN(len(rest))
			if _, err := tw.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := tw.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("%q:\ncolumns   %q\ntabwriter %q", in, got.String(), want.String())
		}
	}
}
