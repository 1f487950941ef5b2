package nft

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/nsnet/nsnet/internal/golden"
	"golang.org/x/sys/unix"
)

func policy(p Policy) *Policy { return &p }

func TestTableGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		t    Table
	}{
		{"nsnet", Table{Family: FamilyINet, Name: "nsnet"}},
		{"dump", Table{Family: FamilyIPv4, Name: "filter", Flags: 0, Use: 3, Handle: 9}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.t.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/table_"+tt.name+".hex", "NFT_MSG_NEWTABLE body "+tt.t.String()+", nsnet's encoder (nft sends the same for `add table inet nsnet`)", b)
			var back Table
			if err := back.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(tt.t, back) {
				t.Errorf("round trip: %v\n%s", err, cmp.Diff(tt.t, back))
			}
		})
	}
}

func TestChainGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		ch   Chain
	}{
		{"postrouting", Chain{Family: FamilyINet, Table: "nsnet", Name: "postrouting", Type: "nat",
			Hook: &ChainHook{Num: HookPostrouting, Priority: 100}, Policy: policy(PolicyAccept)}},
		{"forward_drop", Chain{Family: FamilyIPv4, Table: "filter", Name: "FORWARD", Type: "filter", Handle: 4, Use: 1, Flags: 1,
			Hook: &ChainHook{Num: HookForward, Priority: 0}, Policy: policy(PolicyDrop)}},
		{"regular", Chain{Family: FamilyINet, Table: "t", Name: "jumps"}},
		{"netdev", Chain{Family: FamilyNetdev, Table: "t", Name: "in", Type: "filter",
			Hook: &ChainHook{Num: 0, Priority: -500, Dev: "eth0"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.ch.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/chain_"+tt.name+".hex", "NFT_MSG_NEWCHAIN body "+tt.ch.String()+", nsnet's encoder; attribute order as nft sends it", b)
			var back Chain
			if err := back.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(tt.ch, back) {
				t.Errorf("round trip: %v\n%s", err, cmp.Diff(tt.ch, back))
			}
		})
	}
}

func TestRuleGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    Rule
	}{
		{"del", Rule{Family: FamilyINet, Table: "nsnet", Chain: "postrouting", Handle: 42}},
		{"masquerade", testMasq("192.168.15.0/24")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.r.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/rule_"+tt.name+".hex", "NFT_MSG_NEWRULE/DELRULE body ("+tt.name+"), nsnet's encoder", b)
			var back Rule
			if err := back.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(tt.r, back) {
				t.Errorf("round trip: %v\n%s", err, cmp.Diff(tt.r, back))
			}
		})
	}
}

// TestBatchGolden freezes the framing of a transaction: BATCH_BEGIN (with
// the generation), the messages with their flags, only the last one
// asking for an ACK, BATCH_END. Sequence numbers are left at zero here
// (the Conn assigns them when sending).
func TestBatchGolden(t *testing.T) {
	tx := (&Conn{}).Begin()
	tx.RequireGen(7)
	testSkeleton(tx)
	tx.DelRule(&Rule{Family: FamilyINet, Table: testTable, Chain: testPost, Handle: 3})
	r := testMasq("10.0.0.0/8")
	tx.AddRule(&r)
	msgs, err := tx.messages()
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	for _, m := range msgs {
		m.Header.Length = uint32(16 + len(m.Data))
		mb, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, mb...)
	}
	golden.Check(t, "testdata/batch_natadd.hex", "a NATAdd transaction framed by Tx.messages (seq 0): begin+genid, table, 3 chains, delrule, newrule|ack, end", b)
	wantFlags := []netlink.HeaderFlags{
		netlink.Request,
		netlink.Request | netlink.Create,
		netlink.Request | netlink.Create, netlink.Request | netlink.Create, netlink.Request | netlink.Create,
		netlink.Request,
		netlink.Request | netlink.Create | netlink.Append | netlink.Acknowledge,
		netlink.Request,
	}
	for i, m := range msgs {
		if m.Header.Flags != wantFlags[i] {
			t.Errorf("message %d (type %#x): flags %v, want %v", i, m.Header.Type, m.Header.Flags, wantFlags[i])
		}
	}
}

// TestOwnerUdata: Rule.Owner is a TLV of nsnet's type after the comment's,
// and a rule with both decodes to the same comment and owner.
func TestOwnerUdata(t *testing.T) {
	b, err := marshalUserdata("x", "ab")
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0, 2, 'x', 0, nftUdataRuleOwner, 2, 'a', 'b'}; !reflect.DeepEqual(b, want) {
		t.Errorf("marshalUserdata(x, ab) = %x, want %x", b, want)
	}
	r := Rule{Family: FamilyINet, Table: "t", Chain: "c", Comment: "masquerade 10.0.0.0/8", Owner: "topology /k.json"}
	enc, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Rule
	if err := got.UnmarshalBinary(enc); err != nil || got.Comment != r.Comment || got.Owner != r.Owner {
		t.Errorf("round trip: %q %q (%v), want %q %q", got.Comment, got.Owner, err, r.Comment, r.Owner)
	}
	if _, err := marshalUserdata(strings.Repeat("c", 200), strings.Repeat("o", 60)); err == nil {
		t.Error("user data over NFT_USERDATA_MAXLEN (256) accepted")
	}
}

func TestCommentUdata(t *testing.T) {
	b, err := marshalComment("x")
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0, 2, 'x', 0}; !reflect.DeepEqual(b, want) {
		t.Errorf("marshalComment(x) = %x, want %x (what nft sends for comment \"x\")", b, want)
	}
	// Other TLVs (nft's NFTNL_UDATA_RULE_EBTABLES_POLICY = 1) are skipped.
	c, err := unmarshalComment([]byte{1, 4, 0, 0, 0, 1, 0, 3, 'h', 'i', 0})
	if err != nil || c != "hi" {
		t.Errorf("unmarshalComment = %q, %v; want hi", c, err)
	}
	for _, bad := range [][]byte{{0}, {0, 5, 'a'}, {0, 2, 'a', 'b'}} {
		if _, err := unmarshalComment(bad); !errors.Is(err, errBadComment) {
			t.Errorf("unmarshalComment(%x) = %v, want errBadComment", bad, err)
		}
	}
	if _, err := marshalComment("a\x00b"); err == nil {
		t.Error("a comment with a NUL was accepted")
	}
}

func TestShortMessages(t *testing.T) {
	for _, m := range []interface{ UnmarshalBinary([]byte) error }{&Table{}, &Chain{}, &Rule{}} {
		if err := m.UnmarshalBinary([]byte{1, 0}); !errors.Is(err, errShortNfgenmsg) {
			t.Errorf("%T.UnmarshalBinary(short) = %v", m, err)
		}
	}
	_ = unix.NFPROTO_INET
}
