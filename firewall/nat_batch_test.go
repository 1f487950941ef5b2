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
