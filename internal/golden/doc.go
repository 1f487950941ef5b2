// Package golden reads, checks and rewrites the golden hex files of the
// unit tests of rtnl, nft and probe (STYLE.md R10). Only _test.go files
// import it.
//
// # The format
//
// A golden file is hex text, 4 bytes per line; '#' starts a comment that
// runs to the end of the line, and spacing inside a line does not matter
// (both "0a 00 01 00" and "0a000100" read as the same 4 bytes). The first
// line is a comment that says what produced the bytes: nsnet's own encoder
// (and which test), or a capture from ip, nft or the kernel (and how).
//
// # Updating
//
// The test flag -update (defined here, once for every package that uses
// golden) makes Check rewrite the files instead of comparing them:
//
//	go test ./rtnl -run Golden -update
//
// Review the result with git diff. Check leaves a file alone when its bytes
// and its comment are already what it would write, so an update touches
// only files whose content changed, never just their spacing.
//
// # Fuzzing
//
// FuzzRoundTrip is the round-trip property of every message decoder,
// seeded from the goldens: whatever decodes must encode, and decode again
// to the same value.
//
// # What it must not know
//
// Nothing of netlink, namespaces or any nsnet package: it is bytes and
// text. It holds no state besides the -update flag, which the flag package
// needs as a package-level variable.
package golden
