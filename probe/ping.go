package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"sync"
	"time"
)

// Defaults of PingOptions, those of iputils ping.
const (
	DefaultInterval = time.Second      // ping -i
	DefaultTimeout  = 10 * time.Second // ping -W; iputils' MAXWAIT linger after the last request
	DefaultSize     = 56               // ping -s
	maxPayload4     = 65535 - 20 - icmpHeaderLen
	maxPayload6     = 65535 - icmpHeaderLen
)

// PingOptions are ping's options. Zero fields take iputils' defaults.
type PingOptions struct {
	Count    int           // -c: requests to send; 0 sends until ctx is done or Deadline
	Interval time.Duration // -i: between requests; 0 = DefaultInterval
	Timeout  time.Duration // -W: after the last request, how long to wait for its reply; 0 = DefaultTimeout
	Deadline time.Duration // -w: stop after this long whatever else happens; 0 = no limit
	Size     int           // -s: data bytes after the 8-byte ICMP header; 0 = DefaultSize
	TTL      int           // -t: IP TTL / IPv6 unicast hop limit of requests; 0 = the namespace's default
}

// A Reply is one answer to an echo request: an echo reply, or an ICMP
// error (Error non-empty) about the request with that sequence number.
type Reply struct {
	Seq   int           // icmp_seq of the request answered
	From  netip.Addr    // who answered; for an error, who reported it
	TTL   int           // IPv4 TTL or IPv6 hop limit of the reply; -1 when unknown
	RTT   time.Duration // from sending the request to reading the reply
	Size  int           // ICMP bytes read, header included (ping's "64 bytes from")
	Dup   bool          // not the first reply to Seq (ping's "(DUP!)")
	Error string        // e.g. "Destination Host Unreachable"; then TTL, RTT and Size are zero
}

// Stats sums up one Ping, with the fields of ping's summary.
type Stats struct {
	Dst        netip.Addr
	Sent       int           // requests transmitted
	Received   int           // distinct replies
	Duplicates int           // further replies to an answered request
	Errors     int           // ICMP errors and failed sends
	Loss       float64       // percent of requests without a reply
	Time       time.Duration // from the first request to the last one
	// RTT statistics over all replies, duplicates included, in whole
	// microseconds as ping computes them; zero when Received == 0.
	Min, Avg, Max, Mdev time.Duration
}

// Ping sends ICMP echo requests to dst from inside the network namespace
// ns (nil: the calling thread's) and calls onReply (if not nil) for each
// reply or ICMP error, from Ping's goroutine. It returns when Count
// requests have been answered (replies plus errors) or the reply to the
// last one has been waited for Timeout, when Deadline has passed, or when
// ctx is done. Cancelling ctx is the normal way to stop an endless ping
// (SIGINT): the Stats are complete and the error is nil.
//
// The socket is an unprivileged ping socket (SOCK_DGRAM, permitted by
// net.ipv4.ping_group_range, which a new namespace sets to nobody) and
// otherwise a raw ICMP socket, which needs CAP_NET_RAW.
//
// The error is non-nil if nothing could be sent (no socket, bad options,
// or the first request refused, e.g. ENETUNREACH: no route), or if the
// socket failed while reading; the Stats so far are returned with it. A
// later refused request counts as sent and as an error, as in iputils.
func Ping(ctx context.Context, ns *os.File, dst netip.Addr, opts PingOptions, onReply func(Reply)) (Stats, error) {
	st := Stats{Dst: dst}
	o, err := opts.withDefaults(dst)
	if err != nil {
		return st, err
	}
	pc, err := dialPing(ns, dst, o.TTL)
	if err != nil {
		return st, err
	}
	defer pc.Close()

	if o.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Deadline)
		defer cancel()
	}
	readCtx, stopReader := context.WithCancel(ctx)
	events := make(chan event)
	var wg sync.WaitGroup
	wg.Go(func() { pc.readLoop(readCtx, events) })
	defer wg.Wait() // before pc.Close: runs after stopReader below
	defer stopReader()

	r := pingRun{st: &st, sent: make(map[uint16]time.Time), seen: make(map[uint16]bool), onReply: onReply}
	data := payload(o.Size)
	sendTimer := time.NewTimer(0)
	defer sendTimer.Stop()
	var lingerC <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return r.finish(), nil
		case <-lingerC:
			return r.finish(), nil
		case <-sendTimer.C:
			seq := uint16(st.Sent + 1)
			now := time.Now()
			stamp(data, now)
			err := pc.send(ctx, seq, data)
			switch {
			case err != nil && ctx.Err() != nil:
				return r.finish(), nil
			case err != nil && st.Sent == 0:
				return st, fmt.Errorf("probe: ping %s: %w", dst, err)
			case err != nil: // iputils: a hard local error counts as sent, and as an error
				st.Errors++
				r.emit(Reply{Seq: int(seq), TTL: -1, Error: errText(err)})
			default:
				r.sent[seq] = now
			}
			if st.Sent == 0 {
				r.first = now
			}
			r.last = now
			st.Sent++
			if o.Count > 0 && st.Sent >= o.Count {
				lingerC = time.After(o.Timeout)
			} else {
				sendTimer.Reset(o.Interval)
			}
			if r.done(o.Count) {
				return r.finish(), nil
			}
		case ev := <-events:
			if ev.Fail != nil {
				return r.finish(), fmt.Errorf("probe: ping %s: read: %w", dst, ev.Fail)
			}
			r.handle(ev)
			if r.done(o.Count) {
				return r.finish(), nil
			}
		}
	}
}

// withDefaults validates o and fills in the defaults.
func (o PingOptions) withDefaults(dst netip.Addr) (PingOptions, error) {
	if !dst.IsValid() {
		return o, errors.New("probe: ping: no destination address")
	}
	if o.Count < 0 || o.Interval < 0 || o.Timeout < 0 || o.Deadline < 0 || o.Size < 0 || o.TTL < 0 || o.TTL > 255 {
		return o, fmt.Errorf("probe: ping: invalid options %+v", o)
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Size == 0 {
		o.Size = DefaultSize
	}
	maxSize := maxPayload4
	if dst.Is6() && !dst.Is4In6() {
		maxSize = maxPayload6
	}
	if o.Size > maxSize {
		return o, fmt.Errorf("probe: ping: size %d is more than %d", o.Size, maxSize)
	}
	return o, nil
}

// payload is ping's data: byte i is i, and the first 16 bytes will hold
// the send time as a struct timeval, as iputils does.
func payload(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// stamp writes t into the first 16 bytes of data (struct timeval, native
// byte order). Replies are timed by the sequence number, not by this.
func stamp(data []byte, t time.Time) {
	if len(data) >= 16 {
		binary.NativeEndian.PutUint64(data[0:8], uint64(t.Unix()))
		binary.NativeEndian.PutUint64(data[8:16], uint64(t.Nanosecond()/1000))
	}
}

// pingRun is the bookkeeping of one Ping.
type pingRun struct {
	st          *Stats
	sent        map[uint16]time.Time
	seen        map[uint16]bool
	first, last time.Time
	onReply     func(Reply)
	// tsum and tsum2 are iputils' sums of RTTs and of their squares, in µs.
	tsum, tsum2, tmin, tmax int64
	timed                   int64
}

func (r *pingRun) emit(rep Reply) {
	if r.onReply != nil {
		r.onReply(rep)
	}
}

func (r *pingRun) handle(ev event) {
	sentAt, ok := r.sent[ev.Seq]
	if !ok {
		return // not one of ours (or from before a 16-bit wrap)
	}
	if ev.Err != nil {
		r.st.Errors++
		r.emit(Reply{Seq: int(ev.Seq), From: ev.From, TTL: -1, Error: ev.Err.text()})
		return
	}
	rtt := max(ev.At.Sub(sentAt), 0)
	us := int64(rtt / time.Microsecond)
	if r.timed == 0 || us < r.tmin {
		r.tmin = us
	}
	if us > r.tmax {
		r.tmax = us
	}
	r.tsum += us
	r.tsum2 += us * us
	r.timed++
	dup := r.seen[ev.Seq]
	if dup {
		r.st.Duplicates++
	} else {
		r.seen[ev.Seq] = true
		r.st.Received++
	}
	r.emit(Reply{Seq: int(ev.Seq), From: ev.From, TTL: ev.TTL, RTT: rtt, Size: ev.Size, Dup: dup})
}

// done is iputils' "nreceived + nerrors >= npackets".
func (r *pingRun) done(count int) bool {
	return count > 0 && r.st.Received+r.st.Errors >= count
}

// finish computes the summary as iputils' finish() does.
func (r *pingRun) finish() Stats {
	st := *r.st
	if st.Sent > 0 {
		st.Time = r.last.Sub(r.first)
		st.Loss = float64(float32(float64(st.Sent-st.Received) * 100 / float64(st.Sent)))
	}
	if r.timed > 0 {
		avg := r.tsum / r.timed
		var variance int64
		if r.tsum < math.MaxInt32 {
			variance = (r.tsum2 - r.tsum*r.tsum/r.timed) / r.timed
		} else {
			variance = r.tsum2/r.timed - avg*avg
		}
		st.Min = time.Duration(r.tmin) * time.Microsecond
		st.Avg = time.Duration(avg) * time.Microsecond
		st.Max = time.Duration(r.tmax) * time.Microsecond
		st.Mdev = time.Duration(isqrt(variance)) * time.Microsecond
	}
	return st
}

// isqrt is iputils' llsqrt: Newton's method on integers, 0 for a <= 0.
func isqrt(a int64) int64 {
	if a <= 0 {
		return 0
	}
	prev, x := int64(math.MaxInt64), a
	for x < prev {
		prev = x
		x = (x + a/x) / 2
	}
	return x
}

// errText is an error's errno in words ("network is unreachable"), or
// the whole error if it carries none.
func errText(err error) string {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Syscall + ": " + se.Err.Error()
	}
	return err.Error()
}
