package bench

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	gnft "github.com/google/nftables"
	gexpr "github.com/google/nftables/expr"
	mdnl "github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nsnet/nsnet/nft"
)

// The NAT benchmark loads the same ruleset with every tool, in the
// sandbox's own namespace:
//
//	table inet nb {
//		chain pre  { type nat hook prerouting priority dstnat; }
//		chain post { type nat hook postrouting priority srcnat; }
//	}
//	add rule inet nb post ip saddr 10.0.0.0/16 oifname "eth0" masquerade
//	add rule inet nb pre tcp dport 10000+i dnat ip to 10.0.x.y:80   (K times)
//
// The expressions each library sends are those `nft --debug=netlink`
// prints for these lines (listed in natExprs), so all four build the same
// kernel objects; verifyNAT checks the count with `nft -j`.
const (
	natTable    = "nb"
	natPre      = "pre"
	natPost     = "post"
	natBasePort = 10000
)

// A NATWay loads the ruleset with one tool.
type NATWay struct {
	Key  string
	Name string
	// Load installs the table, chains, the masquerade and k DNAT rules.
	Load func(k int) error
}

func natTarget(i int) netip.AddrPort {
	n := i + 2
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(n >> 8), byte(n)}), 80)
}

// natScript is the whole ruleset as nft(8) text, one command per line.
func natScript(k int) []string {
	lines := []string{
		"add table inet " + natTable,
		"add chain inet " + natTable + " " + natPre + " { type nat hook prerouting priority -100 ; }",
		"add chain inet " + natTable + " " + natPost + " { type nat hook postrouting priority 100 ; }",
		"add rule inet " + natTable + " " + natPost + ` ip saddr 10.0.0.0/16 oifname "eth0" masquerade`,
	}
	for i := range k {
		lines = append(lines, fmt.Sprintf("add rule inet %s %s tcp dport %d dnat ip to %s", natTable, natPre, natBasePort+i, natTarget(i)))
	}
	return lines
}

// NATWays returns the NAT loaders in table order. tmp is a directory for
// nft -f's file.
func NATWays(tmp string) []NATWay {
	return []NATWay{
		{Key: "nft-per-rule", Name: "`nft`, one process per command", Load: func(k int) error {
			for _, l := range natScript(k) {
				if err := runTool("", "nft", l); err != nil {
					return err
				}
			}
			return nil
		}},
		{Key: "nft-f", Name: "`nft -f` of one file", Load: func(k int) error {
			p := filepath.Join(tmp, "nat.nft")
			if err := os.WriteFile(p, []byte(strings.Join(natScript(k), "\n")+"\n"), 0o644); err != nil {
				return err
			}
			return runTool("", "nft", "-f", p)
		}},
		{Key: "gnft", Name: "google/nftables, default buffers", Load: func(k int) error { return loadGoogle(k, false) }},
		{Key: "gnft-bigbuf", Name: "google/nftables, enlarged buffers", Load: func(k int) error { return loadGoogle(k, true) }},
		{Key: "nsnet", Name: "nsnet nft package, one transaction", Load: loadNsnet},
	}
}

// ResetNAT deletes the benchmark's table, if it exists (untimed).
func ResetNAT() error {
	c, err := nft.Dial(nil)
	if err != nil {
		return err
	}
	defer c.Close()
	tx := c.Begin()
	tx.DelTable(&nft.Table{Family: nft.FamilyINet, Name: natTable})
	if err := tx.Commit(); err != nil && !errors.Is(err, unix.ENOENT) {
		return err
	}
	return nil
}

// VerifyNAT checks with `nft -j` that the table holds the masquerade and k
// DNAT rules.
func VerifyNAT(k int) error {
	out, err := exec.Command("nft", "-j", "list", "table", "inet", natTable).Output()
	if err != nil {
		return fmt.Errorf("verify: nft -j list table: %w", err)
	}
	var doc struct {
		Nftables []map[string]json.RawMessage `json:"nftables"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	rules, masq, dnat := 0, 0, 0
	for _, o := range doc.Nftables {
		if r, ok := o["rule"]; ok {
			rules++
			switch s := string(r); {
			case strings.Contains(s, `"masquerade"`):
				masq++
			case strings.Contains(s, `"dnat"`):
				dnat++
			}
		}
	}
	if rules != k+1 || masq != 1 || dnat != k {
		return fmt.Errorf("verify: want 1 masquerade + %d dnat rules, nft lists %d rules (%d masquerade, %d dnat)", k, rules, masq, dnat)
	}
	return nil
}

func ifname(s string) []byte {
	b := make([]byte, 16)
	copy(b, s)
	return b
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// loadNsnet is nsnet's nft package: one transaction, sized by the package.
func loadNsnet(k int) error {
	c, err := nft.Dial(nil)
	if err != nil {
		return err
	}
	defer c.Close()
	tx := c.Begin()
	tx.AddTable(&nft.Table{Family: nft.FamilyINet, Name: natTable})
	accept := nft.PolicyAccept
	tx.AddChain(&nft.Chain{Family: nft.FamilyINet, Table: natTable, Name: natPre, Type: "nat",
		Hook: &nft.ChainHook{Num: nft.HookPrerouting, Priority: -100}, Policy: &accept})
	tx.AddChain(&nft.Chain{Family: nft.FamilyINet, Table: natTable, Name: natPost, Type: "nat",
		Hook: &nft.ChainHook{Num: nft.HookPostrouting, Priority: 100}, Policy: &accept})
	tx.AddRule(&nft.Rule{Family: nft.FamilyINet, Table: natTable, Chain: natPost, Exprs: []nft.Expr{
		&nft.Meta{Key: unix.NFT_META_NFPROTO, Reg: unix.NFT_REG_1},
		&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: []byte{unix.NFPROTO_IPV4}},
		&nft.Payload{Base: unix.NFT_PAYLOAD_NETWORK_HEADER, Offset: 12, Len: 2, Reg: unix.NFT_REG_1},
		&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: []byte{10, 0}},
		&nft.Meta{Key: unix.NFT_META_OIFNAME, Reg: unix.NFT_REG_1},
		&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: ifname("eth0")},
		&nft.Masq{},
	}})
	for i := range k {
		to := natTarget(i)
		tx.AddRule(&nft.Rule{Family: nft.FamilyINet, Table: natTable, Chain: natPre, Exprs: []nft.Expr{
			&nft.Meta{Key: unix.NFT_META_L4PROTO, Reg: unix.NFT_REG_1},
			&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: []byte{unix.IPPROTO_TCP}},
			&nft.Payload{Base: unix.NFT_PAYLOAD_TRANSPORT_HEADER, Offset: 2, Len: 2, Reg: unix.NFT_REG_1},
			&nft.Cmp{Op: unix.NFT_CMP_EQ, Reg: unix.NFT_REG_1, Data: be16(uint16(natBasePort + i))},
			&nft.Immediate{Reg: unix.NFT_REG_1, Data: to.Addr().AsSlice()},
			&nft.Immediate{Reg: unix.NFT_REG_2, Data: be16(to.Port())},
			&nft.Nat{Type: unix.NFT_NAT_DNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: unix.NFT_REG_1,
				RegProtoMin: unix.NFT_REG_2, Flags: unix.NF_NAT_RANGE_PROTO_SPECIFIED},
		}})
	}
	return tx.Commit()
}

// bigBuf is the enlarged socket buffer given to google/nftables.
const bigBuf = 64 << 20

// forceBuffers sets SO_SNDBUFFORCE/SO_RCVBUFFORCE (CAP_NET_ADMIN), which,
// unlike netlink.Conn.SetReadBuffer, are not capped by net.core.rmem_max.
func forceBuffers(c *mdnl.Conn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		serr = errors.Join(
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, bigBuf),
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, bigBuf))
	})
	return errors.Join(err, serr)
}

// loadGoogle is github.com/google/nftables: one Flush of all messages.
func loadGoogle(k int, big bool) error {
	var opts []gnft.ConnOption
	if big {
		opts = append(opts, gnft.WithSockOptions(forceBuffers))
	}
	c, err := gnft.New(opts...)
	if err != nil {
		return err
	}
	defer c.CloseLasting()
	t := c.AddTable(&gnft.Table{Family: gnft.TableFamilyINet, Name: natTable})
	accept := gnft.ChainPolicyAccept
	pre := c.AddChain(&gnft.Chain{Table: t, Name: natPre, Type: gnft.ChainTypeNAT,
		Hooknum: gnft.ChainHookPrerouting, Priority: gnft.ChainPriorityNATDest, Policy: &accept})
	post := c.AddChain(&gnft.Chain{Table: t, Name: natPost, Type: gnft.ChainTypeNAT,
		Hooknum: gnft.ChainHookPostrouting, Priority: gnft.ChainPriorityNATSource, Policy: &accept})
	c.AddRule(&gnft.Rule{Table: t, Chain: post, Exprs: []gexpr.Any{
		&gexpr.Meta{Key: gexpr.MetaKeyNFPROTO, Register: 1},
		&gexpr.Cmp{Op: gexpr.CmpOpEq, Register: 1, Data: []byte{unix.NFPROTO_IPV4}},
		&gexpr.Payload{DestRegister: 1, Base: gexpr.PayloadBaseNetworkHeader, Offset: 12, Len: 2},
		&gexpr.Cmp{Op: gexpr.CmpOpEq, Register: 1, Data: []byte{10, 0}},
		&gexpr.Meta{Key: gexpr.MetaKeyOIFNAME, Register: 1},
		&gexpr.Cmp{Op: gexpr.CmpOpEq, Register: 1, Data: ifname("eth0")},
		&gexpr.Masq{},
	}})
	for i := range k {
		to := natTarget(i)
		c.AddRule(&gnft.Rule{Table: t, Chain: pre, Exprs: []gexpr.Any{
			&gexpr.Meta{Key: gexpr.MetaKeyL4PROTO, Register: 1},
			&gexpr.Cmp{Op: gexpr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
			&gexpr.Payload{DestRegister: 1, Base: gexpr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&gexpr.Cmp{Op: gexpr.CmpOpEq, Register: 1, Data: be16(uint16(natBasePort + i))},
			&gexpr.Immediate{Register: 1, Data: to.Addr().AsSlice()},
			&gexpr.Immediate{Register: 2, Data: be16(to.Port())},
			&gexpr.NAT{Type: gexpr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1, RegProtoMin: 2, Specified: true},
		}})
	}
	return c.Flush()
}

// NATResult is one NAT measurement.
type NATResult struct {
	Took time.Duration
	Err  error // the tool's own failure (ENOBUFS...), recorded, not fatal
}

// MeasureNAT loads the ruleset once with w, verifies it when the load
// succeeded, and removes the table again.
func MeasureNAT(w NATWay, k int) (NATResult, error) {
	if err := ResetNAT(); err != nil {
		return NATResult{}, err
	}
	t := time.Now()
	err := w.Load(k)
	r := NATResult{Took: time.Since(t), Err: err}
	if err == nil {
		if verr := VerifyNAT(k); verr != nil {
			return r, fmt.Errorf("%s K=%d: %w", w.Key, k, verr)
		}
	}
	return r, ResetNAT()
}
