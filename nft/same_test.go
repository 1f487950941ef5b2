package nft

import "testing"

func TestSameExprs(t *testing.T) {
	dir := uint8(1)
	rule := func() []Expr {
		return []Expr{
			&Meta{Key: MetaL4proto, Reg: 1},
			&Cmp{Op: CmpEq, Reg: 1, Data: []byte{6}},
			&Ct{Key: 3, Reg: 1, Direction: &dir},
			&Counter{},
			&Immediate{Verdict: &Verdict{Code: -1}},
		}
	}
	if !SameExprs(rule(), rule()) {
		t.Errorf("a rule is not the same as its copy")
	}
	if !SameExprs(nil, []Expr{}) {
		t.Errorf("no expressions differ from no expressions")
	}
	for name, change := range map[string]func([]Expr) []Expr{
		"cmp data":      func(e []Expr) []Expr { e[1] = &Cmp{Op: CmpEq, Reg: 1, Data: []byte{17}}; return e },
		"cmp op":        func(e []Expr) []Expr { e[1] = &Cmp{Op: CmpNeq, Reg: 1, Data: []byte{6}}; return e },
		"ct direction":  func(e []Expr) []Expr { e[2] = &Ct{Key: 3, Reg: 1}; return e },
		"counter value": func(e []Expr) []Expr { e[3] = &Counter{Packets: 1}; return e },
		"verdict":       func(e []Expr) []Expr { e[4] = &Immediate{Verdict: &Verdict{Code: 0}}; return e },
		"kind":          func(e []Expr) []Expr { e[3] = &Unknown{Name: "limit"}; return e },
		"one fewer":     func(e []Expr) []Expr { return e[:4] },
		"order":         func(e []Expr) []Expr { e[0], e[1] = e[1], e[0]; return e },
	} {
		if SameExprs(rule(), change(rule())) {
			t.Errorf("%s: two different rules read as the same", name)
		}
	}
}
