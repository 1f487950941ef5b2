package bench

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// phaseNames are the steps of the floor, timed one by one (each its own
// request and ACK) to find out which of them grows with N.
var phaseNames = [...]string{"netns create (unshare, socket, bind mount)", "veth create (peer in ns, host end up on bridge)", "addrgenmode none (host end, then peer)", "lo up", "eth0 up", "addr add", "route add"}

const nPhases = len(phaseNames)

// phaseRun sets up namespace i of the floor one request at a time and
// returns each phase's time (addrgenmode is 0 unless noIPv6).
func phaseRun(e *Env, mk *nsMaker, i int, noIPv6 bool) ([nPhases]time.Duration, error) {
	var d [nPhases]time.Duration
	t := time.Now()
	lap := func(p int) {
		now := time.Now()
		d[p] += now.Sub(t)
		t = now
	}
	ns, err := mk.create(e.NS(i))
	if err != nil {
		return d, err
	}
	defer ns.Close()
	lap(0)
	h := e.Host(i)
	if noIPv6 {
		err = e.host.send([]string{"veth add"}, vethAdd(h, e.BridgeIdx, "eth0", int(ns.f.Fd()), true, false))
		lap(1)
		if err == nil {
			err = e.host.send([]string{"host addrgenmode"}, noIPv6Msg(0, h))
		}
		if err == nil {
			err = ns.sock.send([]string{"peer addrgenmode"}, noIPv6Msg(peerIndex, ""))
		}
		lap(2)
		if err == nil {
			err = e.host.send([]string{"host up"}, linkUpByName(h))
		}
		lap(1) // the host end's up belongs to the veth phase, as when it is created up
	} else {
		err = e.host.send([]string{"veth add"}, vethAdd(h, e.BridgeIdx, "eth0", int(ns.f.Fd()), false, false))
		lap(1)
	}
	steps := []struct {
		p int
		m *msg
	}{
		{3, linkUp(1)},
		{4, linkUp(peerIndex)},
		{5, addrAdd(peerIndex, e.Addr(i))},
		{6, defaultRoute(peerIndex, e.GW.Addr())},
	}
	for _, s := range steps {
		if err != nil {
			break
		}
		err = ns.sock.send([]string{phaseNames[s.p]}, s.m)
		lap(s.p)
	}
	return d, err
}

// PhaseProfile sets up n namespaces of the floor phase by phase and
// returns, per phase, the median over the first `window` namespaces and
// over the last `window`.
func PhaseProfile(n, window int, noIPv6 bool) (first, last [nPhases]time.Duration, err error) {
	e, err := NewEnv()
	if err != nil {
		return first, last, err
	}
	defer func() { err = errors.Join(err, e.Close()) }()
	mk := newNSMaker()
	window = min(window, n)
	var head, tail [nPhases][]time.Duration
	made := 0
	defer func() {
		mk.Close() // its thread sits in the last namespace made
		for i := range made {
			err = errors.Join(err, deleteNamed(e.NS(i)))
		}
		_, serr := e.Settle(time.Minute)
		err = errors.Join(err, serr)
	}()
	for i := range n {
		d, err := phaseRun(e, mk, i, noIPv6)
		made++
		if err != nil {
			return first, last, fmt.Errorf("phase profile, namespace %d: %w", i, err)
		}
		for p := range nPhases {
			if i < window {
				head[p] = append(head[p], d[p])
			}
			if i >= n-window {
				tail[p] = append(tail[p], d[p])
			}
		}
	}
	for p := range nPhases {
		first[p], last[p] = Median(head[p]), Median(tail[p])
	}
	return first, last, nil
}

// WhereTimeGoes runs the phase profile at n, with and without IPv6 on the
// new links, and renders it as markdown.
func WhereTimeGoes(n int) (string, error) {
	const window = 20
	var b strings.Builder
	fmt.Fprintf(&b, "The floor's steps timed one by one (each its own request and ACK), median over the first %d namespaces on the bridge and over the last %d of N=%d.\n\n", window, window, n)
	for _, noIPv6 := range []bool{false, true} {
		first, last, err := PhaseProfile(n, window, noIPv6)
		if err != nil {
			return b.String(), err
		}
		title := "kernel defaults (IPv6 link-local on the new links)"
		if noIPv6 {
			title = "addr-gen-mode none on both ends (no IPv6 link-local, no DAD, no MLD)"
		}
		fmt.Fprintf(&b, "**%s**\n\n", title)
		var rows [][]string
		var sf, sl time.Duration
		for p := range nPhases {
			if !noIPv6 && p == 2 {
				continue
			}
			rows = append(rows, []string{phaseNames[p], Dur(first[p]), Dur(last[p]), Ratio(last[p], first[p])})
			sf, sl = sf+first[p], sl+last[p]
		}
		rows = append(rows, []string{"**sum**", Dur(sf), Dur(sl), Ratio(sl, sf)})
		table(&b, []string{"phase", fmt.Sprintf("first %d", window), fmt.Sprintf("last %d (N=%d)", window, n), "growth"}, rows)
	}
	return b.String(), nil
}
