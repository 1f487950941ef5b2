package firewall

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/nsnet/nsnet/internal/sandbox"
)

func TestNATAddAllDelAll(t *testing.T) {
	sandbox.Require(t)
	c := dialIn(t, newNS(t))
	keep := Masquerade{Src: netip.MustParsePrefix("10.9.0.0/16")}
	if _, err := c.Add(keep); err != nil {
		t.Fatal(err)
	}
	rs := []NATRule{
		Masquerade{Src: netip.MustParsePrefix("10.1.0.5/32")},
		Forward{Proto: "tcp", Port: 8080, To: netip.MustParseAddrPort("10.1.0.5:80"), Localhost: true},
		keep, // already there
		Masquerade{Src: netip.MustParsePrefix("10.1.0.5/32")}, // twice
	}
	added, err := c.AddAll(rs)
	if err != nil || !reflect.DeepEqual(added, []bool{true, true, false, false}) {
		t.Fatalf("AddAll = %v, %v", added, err)
	}
	list, err := c.List()
	if err != nil || len(list) != 3 {
		t.Fatalf("List = %v, %v", list, err)
	}
	if added, err := c.AddAll(rs); err != nil || !reflect.DeepEqual(added, []bool{false, false, false, false}) {
		t.Fatalf("AddAll again = %v, %v", added, err)
	}
	if err := c.DelAll(rs[:2]); err != nil {
		t.Fatal(err)
	}
	if err := c.DelAll(rs[:2]); err != nil { // nothing left of them: not an error
		t.Fatal(err)
	}
	list, err = c.List()
	if err != nil || len(list) != 1 || list[0].Comment != keep.String() {
		t.Fatalf("after DelAll: %v, %v", list, err)
	}
	if err := c.DelAll([]NATRule{keep}); err != nil {
		t.Fatal(err)
	}
	if list, _ := c.List(); len(list) != 0 {
		t.Fatalf("table left: %v", list)
	}
}

// TestNATAppend: Append writes without reading; a rule appended twice is
// there twice, and DelAll removes both copies.
func TestNATAppend(t *testing.T) {
	sandbox.Require(t)
	c := dialIn(t, newNS(t))
	rs := []NATRule{
		Masquerade{Src: netip.MustParsePrefix("10.1.0.6/32")},
		Forward{Proto: "udp", Port: 5353, To: netip.MustParseAddrPort("10.1.0.6:53"), Localhost: true},
	}
	if err := c.Append(rs); err != nil {
		t.Fatal(err)
	}
	if err := c.Append(rs[:1]); err != nil {
		t.Fatal(err)
	}
	list, err := c.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if added, err := c.AddAll(rs); err != nil || added[1] {
		t.Fatalf("AddAll after Append = %v, %v (the forward is there exactly)", added, err)
	}
	if err := c.DelAll(rs); err != nil {
		t.Fatal(err)
	}
	if list, _ := c.List(); len(list) != 0 {
		t.Fatalf("left: %+v", list)
	}
}

// TestNATOwners: a rule two owners ask for is a copy each, listed as one
// entry with both owners; one owner's DelAllFor leaves the other's copy,
// the table goes with the last; Del (`nat del`) removes every copy.
func TestNATOwners(t *testing.T) {
	sandbox.Require(t)
	c := dialIn(t, newNS(t))
	m := Masquerade{Src: netip.MustParsePrefix("10.50.0.0/16")}
	f := Forward{Proto: "tcp", Port: 8080, To: netip.MustParseAddrPort("10.50.0.5:80")}
	for _, owner := range []string{"topology /a.json", "topology /b.json", "topology /a.json"} {
		if _, err := c.AddAllFor(owner, []NATRule{m, f}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := c.List()
	if err != nil || len(list) != 2 || !reflect.DeepEqual(list[0].Owners, []string{"topology /a.json", "topology /b.json"}) ||
		len(list[1].Chains) != 6 {
		t.Fatalf("List = %+v, %v; want 2 entries with 2 owners, the forward's 3 kernel rules twice", list, err)
	}
	if added, err := c.AddAllFor("topology /b.json", []NATRule{m}); err != nil || added[0] {
		t.Fatalf("AddAllFor of b's copy again = %v, %v; want already there", added, err)
	}
	if n, err := c.DelAllFor("topology /b.json", []NATRule{m, f}); err != nil || n != 4 {
		t.Fatalf("DelAllFor(b) = %d, %v; want b's 4 kernel rules", n, err)
	}
	list, err = c.List()
	if err != nil || len(list) != 2 || !reflect.DeepEqual(list[0].Owners, []string{"topology /a.json"}) {
		t.Fatalf("after DelAllFor(b): %+v, %v; want a's copies", list, err)
	}
	long := string(make([]byte, 300))
	first, again := OwnerTag(long), OwnerTag(long) // the shortened tag must be the same every time
	if first != again || len(first) > ownerMax {
		t.Errorf("OwnerTag of a long owner: %q, then %q", first, again)
	}
	if _, err := c.AddAllFor(long, []NATRule{f}); err != nil {
		t.Fatal(err)
	}
	if err := c.Del(f); err != nil {
		t.Fatal(err)
	}
	if n, err := c.DelAllFor("topology /a.json", []NATRule{m, f}); err != nil || n != 1 {
		t.Fatalf("DelAllFor(a) after Del(f) = %d, %v; want a's masquerade only", n, err)
	}
	if list, _ := c.List(); len(list) != 0 {
		t.Fatalf("table left: %v", list)
	}
}
