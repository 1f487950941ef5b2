package rtnl

import "github.com/mdlayher/netlink"

// fakeKernel is a test transport that answers as nltest.Func does: the
// messages of each write are passed to fn, and its answer, if any, is the
// next datagram; a read with nothing queued calls fn(nil). The messages
// fn sees are parsed from the bytes the Conn wrote, headers included.
type fakeKernel struct {
	fn      func(reqs []netlink.Message) ([]netlink.Message, error)
	pending [][]byte
}

// fakeConn returns a Conn whose kernel is fn.
func fakeConn(fn func(reqs []netlink.Message) ([]netlink.Message, error)) *Conn {
	return newConn(&fakeKernel{fn: fn}, 4242)
}

func (k *fakeKernel) send(b []byte) error {
	reqs, err := parseMessages(b)
	if err != nil {
		return err
	}
	replies, err := k.fn(reqs)
	if err != nil {
		return err
	}
	if len(replies) > 0 {
		k.pending = append(k.pending, datagram(replies))
	}
	return nil
}

func (k *fakeKernel) receive() ([]byte, error) {
	if len(k.pending) > 0 {
		d := k.pending[0]
		k.pending = k.pending[1:]
		return d, nil
	}
	replies, err := k.fn(nil)
	if err != nil {
		return nil, err
	}
	return datagram(replies), nil
}

func (k *fakeKernel) Close() error { return nil }

// datagram encodes msgs as the kernel writes them into one datagram
// (each header's Length is set from its payload).
func datagram(msgs []netlink.Message) []byte {
	var b []byte
	for _, m := range msgs {
		b = appendMessage(b, m)
	}
	return b
}
