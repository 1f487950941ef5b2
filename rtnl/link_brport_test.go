package rtnl

import "testing"

// TestBridgePortRoundTrip: SetBridgePort's slave data is what
// Link.BridgePort decodes, through a whole link message.
func TestBridgePortRoundTrip(t *testing.T) {
	for _, on := range []bool{false, true} {
		var l Link
		l.Index = 7
		l.SetBridgePort(BridgePort{Hairpin: on})
		b, err := l.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got Link
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		p, ok := got.BridgePort()
		if !ok || p.Hairpin != on {
			t.Errorf("hairpin %v: decoded %+v, %v", on, p, ok)
		}
	}
	if _, ok := (&Link{}).BridgePort(); ok {
		t.Error("a link that is not a bridge port decoded as one")
	}
}
