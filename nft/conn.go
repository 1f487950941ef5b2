package nft

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Conn is an nf_tables netlink socket bound to one network namespace. It
// is safe for concurrent use: each exchange (a dump, a commit and its
// replies) holds the Conn for itself, so replies never cross. The Tx values
// it makes are not safe for concurrent use.
type Conn struct {
	nl *netlink.Conn
	mu sync.Mutex // one request/reply exchange at a time

	bufMu  sync.Mutex
	sndbuf int // socket buffer sizes already asked for (0 = kernel default)
	rcvbuf int
}

// Dial opens an nf_tables socket inside ns, or in the calling thread's
// namespace if ns is nil. The socket stays in ns, so no request made through
// the Conn ever needs setns(2).
func Dial(ns *os.File) (*Conn, error) {
	cfg := &netlink.Config{Strict: true} // extended-ACK text
	if ns != nil {
		cfg.NetNS = int(ns.Fd())
	}
	nl, err := netlink.Dial(unix.NETLINK_NETFILTER, cfg)
	runtime.KeepAlive(ns) // the fd must stay open until the socket exists
	if err != nil {
		return nil, fmt.Errorf("nft: dial: %w", err)
	}
	// NETLINK_CAP_ACK would keep error replies short, but mdlayher/netlink
	// then misreads the extended-ACK TLVs (it skips the full length of the
	// uncopied request); Commit sizes the receive buffer for full copies.
	return newConn(nl), nil
}

// newConn wraps a netlink connection; tests pass an nltest one.
func newConn(nl *netlink.Conn) *Conn { return &Conn{nl: nl} }

// Close closes the socket.
func (c *Conn) Close() error { return c.nl.Close() }

// msgType is the netlink message type of an nf_tables message.
func msgType(m uint16) netlink.HeaderType {
	return netlink.HeaderType(unix.NFNL_SUBSYS_NFTABLES<<8 | m)
}

// dump sends a GET request with NLM_F_DUMP and returns the reply bodies.
func (c *Conn) dump(op string, typ uint16, body []byte) ([][]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	msgs, err := c.nl.Execute(netlink.Message{
		Header: netlink.Header{Type: msgType(typ), Flags: netlink.Request | netlink.Dump},
		Data:   body,
	})
	if err != nil {
		return nil, opError(op, "", err)
	}
	out := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.Data)
	}
	return out, nil
}

// Tables dumps the tables of every family.
func (c *Conn) Tables() ([]Table, error) {
	bodies, err := c.dump("table list", unix.NFT_MSG_GETTABLE, nfgenmsg(0, 0))
	if err != nil {
		return nil, err
	}
	ts := make([]Table, len(bodies))
	for i, b := range bodies {
		if err := ts[i].UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("nft: decode table: %w", err)
		}
	}
	return ts, nil
}

// Chains dumps the chains of every table of every family. It only reads.
func (c *Conn) Chains() ([]Chain, error) {
	bodies, err := c.dump("chain list", unix.NFT_MSG_GETCHAIN, nfgenmsg(0, 0))
	if err != nil {
		return nil, err
	}
	cs := make([]Chain, len(bodies))
	for i, b := range bodies {
		if err := cs[i].UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("nft: decode chain: %w", err)
		}
	}
	return cs, nil
}

// BaseChains returns the base chains of every table (hook, priority, type
// and policy), read-only: the doctor uses it to find, say, a forward chain
// whose policy is drop in somebody else's table.
func (c *Conn) BaseChains() ([]Chain, error) {
	cs, err := c.Chains()
	if err != nil {
		return nil, err
	}
	base := cs[:0]
	for _, ch := range cs {
		if ch.IsBase() {
			base = append(base, ch)
		}
	}
	return base, nil
}

// Rules dumps the rules of one table, or of one chain of it if chain is not
// empty. A missing table is unix.ENOENT.
func (c *Conn) Rules(family Family, table, chain string) ([]Rule, error) {
	// The dump is filtered by the same attributes a rule message carries.
	filter, err := (&Rule{Family: family, Table: table, Chain: chain}).MarshalBinary()
	if err != nil {
		return nil, &OpError{Op: "rule list", Obj: family.String() + " " + table, Err: err}
	}
	bodies, err := c.dump("rule list", unix.NFT_MSG_GETRULE, filter)
	if err != nil {
		var oe *OpError
		if errors.As(err, &oe) {
			oe.Obj = family.String() + " " + table
		}
		return nil, err
	}
	rs := make([]Rule, len(bodies))
	for i, b := range bodies {
		if err := rs[i].UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("nft: decode rule: %w", err)
		}
	}
	return rs, nil
}

// Gen returns the ruleset generation (NFT_MSG_GETGEN). Every committed
// transaction increments it; Tx.RequireGen makes a commit fail with
// unix.ERESTART if it moved.
func (c *Conn) Gen() (uint32, error) {
	c.mu.Lock()
	msgs, err := c.nl.Execute(netlink.Message{
		Header: netlink.Header{Type: msgType(unix.NFT_MSG_GETGEN), Flags: netlink.Request},
		Data:   nfgenmsg(0, 0),
	})
	c.mu.Unlock()
	if err != nil {
		return 0, opError("gen get", "", err)
	}
	for _, m := range msgs {
		_, attrs, err := parseNfgenmsg(m.Data)
		if err != nil {
			return 0, fmt.Errorf("nft: decode gen: %w", err)
		}
		ad, err := newDecoder(attrs)
		if err != nil {
			return 0, fmt.Errorf("nft: decode gen: %w", err)
		}
		for ad.Next() {
			if ad.Type() == unix.NFTA_GEN_ID {
				id := ad.Uint32()
				if err := ad.Err(); err != nil {
					return 0, fmt.Errorf("nft: decode gen: %w", err)
				}
				return id, nil
			}
		}
	}
	return 0, fmt.Errorf("nft: gen get: no NFTA_GEN_ID in reply")
}

// opError turns a *netlink.OpError into an *OpError, keeping the errno and
// the extended-ACK text.
func opError(op, obj string, err error) error {
	var ne *netlink.OpError
	if errors.As(err, &ne) {
		return &OpError{Op: op, Obj: obj, Err: ne.Err, Hint: ne.Message}
	}
	return &OpError{Op: op, Obj: obj, Err: err}
}
