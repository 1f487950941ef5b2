package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// NDTA_* attributes of RTM_NEWNEIGHTBL, include/uapi/linux/neighbour.h.
const (
	ndtaName       = 1 // NDTA_NAME
	ndtaThresh1    = 2 // NDTA_THRESH1
	ndtaThresh2    = 3 // NDTA_THRESH2
	ndtaThresh3    = 4 // NDTA_THRESH3
	ndtaConfig     = 5 // NDTA_CONFIG: struct ndt_config
	ndtaStats      = 7 // NDTA_STATS: struct ndt_stats
	ndtaGCInterval = 8 // NDTA_GC_INTERVAL: u64 milliseconds

	sizeofNdtmsg    = 4  // struct ndtmsg
	sizeofNdtConfig = 32 // struct ndt_config
	sizeofNdtStats  = 88 // struct ndt_stats: 11 u64 counters
)

// A NeighTable is one of the kernel's neighbour tables (arp_cache for
// IPv4, ndisc_cache for IPv6) as RTM_NEWNEIGHTBL reports it: struct ndtmsg
// followed by NDTA_* attributes. A zero field is not sent.
//
// A table is global: every network namespace shares its entries and its
// limits (net/core/neighbour.c keeps one struct neigh_table per family),
// so the thresholds and counts are the whole machine's, whichever
// namespace asks. Only the initial namespace can change the thresholds
// (neightbl_set refuses others with ENOENT), and only there does
// /proc/sys/net/ipv4/neigh/default/gc_thresh3 exist; this dump is how
// any other namespace learns them.
type NeighTable struct {
	Family     uint8             // ndtm_family: AF_INET or AF_INET6
	Name       string            // NDTA_NAME: "arp_cache", "ndisc_cache"
	Thresh1    uint32            // NDTA_THRESH1: gc_thresh1, below which GC leaves entries alone
	Thresh2    uint32            // NDTA_THRESH2: gc_thresh2, the soft maximum
	Thresh3    uint32            // NDTA_THRESH3: gc_thresh3, the hard maximum: beyond it no entry can be created
	GCInterval uint64            // NDTA_GC_INTERVAL, milliseconds
	Config     *NeighTableConfig // NDTA_CONFIG; nil in the per-device parameter messages of a dump
	Stats      *NeighTableStats  // NDTA_STATS
	Unknown    []RawAttr         // attributes not decoded (NDTA_PARMS, NDTA_PAD...), verbatim
}

// NeighTableConfig is struct ndt_config.
type NeighTableConfig struct {
	KeyLen      uint16 // ndtc_key_len
	EntrySize   uint16 // ndtc_entry_size
	Entries     uint32 // ndtc_entries: entries now, in all namespaces, permanent ones included
	LastFlush   uint32 // ndtc_last_flush: milliseconds since
	LastRand    uint32 // ndtc_last_rand: milliseconds since
	HashRnd     uint32 // ndtc_hash_rnd
	HashMask    uint32 // ndtc_hash_mask
	HashChainGC uint32 // ndtc_hash_chain_gc
	ProxyQlen   uint32 // ndtc_proxy_qlen
}

// NeighTableStats is struct ndt_stats, summed over the CPUs.
type NeighTableStats struct {
	Allocs         uint64 // ndts_allocs
	Destroys       uint64 // ndts_destroys
	HashGrows      uint64 // ndts_hash_grows
	ResFailed      uint64 // ndts_res_failed
	Lookups        uint64 // ndts_lookups
	Hits           uint64 // ndts_hits
	RcvProbesMcast uint64 // ndts_rcv_probes_mcast
	RcvProbesUcast uint64 // ndts_rcv_probes_ucast
	PeriodicGCRuns uint64 // ndts_periodic_gc_runs
	ForcedGCRuns   uint64 // ndts_forced_gc_runs
	TableFulls     uint64 // ndts_table_fulls: times an entry could not be created (neigh_alloc: "neighbor table overflow!")
}

var errShortNdtmsg = errors.New("rtnl: message shorter than struct ndtmsg")

// MarshalBinary encodes the table as struct ndtmsg followed by its
// attributes; with only Family set it is the body of an RTM_GETNEIGHTBL
// dump request.
func (t *NeighTable) MarshalBinary() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	if t.Name != "" {
		ae.String(ndtaName, t.Name)
	}
	for _, a := range []struct {
		typ uint16
		v   uint32
	}{{ndtaThresh1, t.Thresh1}, {ndtaThresh2, t.Thresh2}, {ndtaThresh3, t.Thresh3}} {
		if a.v != 0 {
			ae.Uint32(a.typ, a.v)
		}
	}
	if t.Config != nil {
		ae.Bytes(ndtaConfig, t.Config.marshal())
	}
	if t.Stats != nil {
		ae.Bytes(ndtaStats, t.Stats.marshal())
	}
	if t.GCInterval != 0 {
		ae.Uint64(ndtaGCInterval, t.GCInterval)
	}
	for _, u := range t.Unknown {
		ae.Bytes(u.Type, u.Data)
	}
	attrs, err := ae.Encode()
	if err != nil {
		return nil, fmt.Errorf("rtnl: encode neighbour table %s: %w", t.Name, err)
	}
	b := make([]byte, sizeofNdtmsg, sizeofNdtmsg+len(attrs))
	b[0] = t.Family
	return append(b, attrs...), nil
}

// UnmarshalBinary decodes the body of an RTM_NEWNEIGHTBL message.
func (t *NeighTable) UnmarshalBinary(b []byte) error {
	if len(b) < sizeofNdtmsg {
		return errShortNdtmsg
	}
	*t = NeighTable{Family: b[0]}
	ad, err := netlink.NewAttributeDecoder(b[sizeofNdtmsg:])
	if err != nil {
		return fmt.Errorf("rtnl: decode neighbour table: %w", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case ndtaName:
			t.Name = ad.String()
		case ndtaThresh1:
			t.Thresh1 = ad.Uint32()
		case ndtaThresh2:
			t.Thresh2 = ad.Uint32()
		case ndtaThresh3:
			t.Thresh3 = ad.Uint32()
		case ndtaGCInterval:
			t.GCInterval = ad.Uint64()
		case ndtaConfig:
			ad.Do(func(b []byte) error {
				if len(b) < sizeofNdtConfig {
					return errors.New("short NDTA_CONFIG")
				}
				t.Config = unmarshalNdtConfig(b)
				return nil
			})
		case ndtaStats:
			ad.Do(func(b []byte) error {
				if len(b) < sizeofNdtStats {
					return errors.New("short NDTA_STATS")
				}
				t.Stats = unmarshalNdtStats(b)
				return nil
			})
		default:
			t.Unknown = append(t.Unknown, rawAttr(ad))
		}
	}
	if err := ad.Err(); err != nil {
		return fmt.Errorf("rtnl: decode neighbour table: %w", err)
	}
	return nil
}

func (c *NeighTableConfig) marshal() []byte {
	b := make([]byte, sizeofNdtConfig)
	ne := binary.NativeEndian
	ne.PutUint16(b[0:], c.KeyLen)
	ne.PutUint16(b[2:], c.EntrySize)
	for i, v := range []uint32{c.Entries, c.LastFlush, c.LastRand, c.HashRnd, c.HashMask, c.HashChainGC, c.ProxyQlen} {
		ne.PutUint32(b[4+4*i:], v)
	}
	return b
}

func unmarshalNdtConfig(b []byte) *NeighTableConfig {
	ne := binary.NativeEndian
	u := func(i int) uint32 { return ne.Uint32(b[4+4*i:]) }
	return &NeighTableConfig{
		KeyLen: ne.Uint16(b[0:]), EntrySize: ne.Uint16(b[2:]),
		Entries: u(0), LastFlush: u(1), LastRand: u(2), HashRnd: u(3), HashMask: u(4), HashChainGC: u(5), ProxyQlen: u(6),
	}
}

func (s *NeighTableStats) fields() []*uint64 {
	return []*uint64{&s.Allocs, &s.Destroys, &s.HashGrows, &s.ResFailed, &s.Lookups, &s.Hits,
		&s.RcvProbesMcast, &s.RcvProbesUcast, &s.PeriodicGCRuns, &s.ForcedGCRuns, &s.TableFulls}
}

func (s *NeighTableStats) marshal() []byte {
	b := make([]byte, 0, sizeofNdtStats)
	for _, p := range s.fields() {
		b = binary.NativeEndian.AppendUint64(b, *p)
	}
	return b
}

func unmarshalNdtStats(b []byte) *NeighTableStats {
	s := &NeighTableStats{}
	for i, p := range s.fields() {
		*p = binary.NativeEndian.Uint64(b[8*i:])
	}
	return s
}

// NeighTables returns the kernel's neighbour tables of family (AF_INET,
// AF_INET6, or 0 for both): an RTM_GETNEIGHTBL dump, as `ip -s ntable
// show` makes it, without the per-device parameter messages the dump also
// carries. Any namespace may ask; the answer is the machine's (see
// NeighTable).
func (c *Conn) NeighTables(family uint8) ([]NeighTable, error) {
	return dumpOf(c, "ntable dump", unix.RTM_GETNEIGHTBL, unix.RTM_NEWNEIGHTBL, &NeighTable{Family: family}, func(t *NeighTable) bool {
		return t.Config != nil
	})
}

// NeighGet returns the neighbour entry for ip on the link with index
// (RTM_GETNEIGH for one entry, as `ip neigh get IP dev DEV` asks). No such
// entry is an *OpError wrapping unix.ENOENT.
func (c *Conn) NeighGet(index int32, ip netip.Addr) (*Neigh, error) {
	q := Neigh{Family: ipFamily(ip), Index: index, IP: ip}
	m, err := c.get("neigh get", ip.String(), unix.RTM_GETNEIGH, &q)
	if err != nil {
		return nil, err
	}
	var n Neigh
	if err := n.UnmarshalBinary(m.Data); err != nil {
		return nil, &OpError{Op: "neigh get", Obj: ip.String(), Err: err}
	}
	return &n, nil
}
