package netops

import (
	"strings"

	"github.com/nsnet/nsnet/firewall"
)

// AppendNATs adds rules in one transaction without reading table inet
// nsnet first (firewall.NAT.Append), for rules whose text is new by
// construction: a CNI ADD's, which name the address its IPAM just
// reserved, so that an ADD costs the same with 1 or 500 pods. Its undo
// deletes them (every copy) in one transaction.
func AppendNATs(j *Journal, ns *NS, rules []firewall.NATRule) error {
	if len(rules) == 0 {
		return nil
	}
	obj := natsObject(ns, rules)
	if err := j.before(obj); err != nil {
		return &Error{Verb: Create, Object: obj, Err: err}
	}
	nat, err := ns.nat()
	if err != nil {
		return &Error{Verb: Create, Object: obj, Err: err}
	}
	if err := nat.Append(rules); err != nil {
		return &Error{Verb: Create, Object: obj, Err: err}
	}
	j.record(entry{verb: Create, obj: obj, ns: ns, undo: func() error {
		nat, err := ns.nat()
		if err != nil {
			return err
		}
		return nat.DelAll(rules)
	}})
	return nil
}

// DeleteNATs deletes several masquerades and port forwards of table inet
// nsnet in one transaction (teardown by value, as DeleteNAT); rules that
// are not there are skipped.
func DeleteNATs(ns *NS, rules []firewall.NATRule) error {
	if len(rules) == 0 {
		return nil
	}
	obj := natsObject(ns, rules)
	nat, err := ns.nat()
	if err != nil {
		return &Error{Verb: Delete, Object: obj, Err: err}
	}
	if err := nat.DelAll(rules); err != nil {
		return &Error{Verb: Delete, Object: obj, Err: err}
	}
	return nil
}

// natsObject names a group of rules: the first's kind, every rule's text.
func natsObject(ns *NS, rules []firewall.NATRule) Object {
	obj := natObject(ns, rules[0])
	texts := make([]string, len(rules))
	for i, r := range rules {
		texts[i] = r.String()
	}
	obj.Name = strings.Join(texts, "; ")
	return obj
}
