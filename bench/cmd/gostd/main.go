// Command gostd is the binary-size floor of a Go CLI with nsnet's standard
// library needs and nothing else: no nsnet code, no module outside the
// standard library. It uses the standard packages the nsnet binary imports,
// the way the binary uses them (fmt, net's HardwareAddr, a TCP listener
// and a dialer on literal addresses, net/netip, os/exec, os/signal, bufio,
// context, math/rand/v2, runtime/debug), so that the linker keeps about
// what nsnet keeps of them. Like nsnet it links neither encoding/json
// (nsnet writes and reads JSON by hand, internal/jsonlite) nor the DNS
// resolver.
// nsbench reports its static, stripped size next to nsnet's.
package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
)

type link struct {
	Name  string
	Addr  netip.Prefix
	MAC   string
	Flags []string
	Extra map[string]string
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gostd:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var in []link
	if len(args) > 0 {
		b, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			name, cidr, ok := strings.Cut(line, " ")
			if !ok {
				continue
			}
			p, err := netip.ParsePrefix(cidr)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", args[0], i+1, err)
			}
			in = append(in, link{Name: name, Addr: p})
		}
	}
	ents, err := os.ReadDir("/sys/class/net")
	if err != nil {
		return err
	}
	for _, e := range ents {
		b, _ := os.ReadFile("/sys/class/net/" + e.Name() + "/address")
		mac, _ := net.ParseMAC(strings.TrimSpace(string(b)))
		in = append(in, link{Name: e.Name(), MAC: net.HardwareAddr(mac).String(), Flags: []string{"UP"}})
	}
	slices.SortFunc(in, func(a, b link) int { return strings.Compare(a.Name, b.Name) })
	if len(args) > 1 {
		path, err := exec.LookPath(args[1])
		if err != nil {
			return err
		}
		cmd := &exec.Cmd{Path: path, Args: args[1:], Stderr: os.Stderr}
		out, err := cmd.Output()
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			in = append(in, link{Name: sc.Text(), Extra: map[string]string{"rand": strconv.Itoa(rand.IntN(100))}})
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok && len(args) > 2 {
		fmt.Println(bi.GoVersion)
	}
	if len(args) > 3 {
		ap, err := netip.ParseAddrPort(args[3])
		if err != nil {
			return err
		}
		l, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(ap))
		if err != nil {
			return err
		}
		defer l.Close()
		c, err := new(net.Dialer).DialTCP(ctx, "tcp", netip.AddrPort{}, ap)
		if err != nil {
			return err
		}
		c.Close()
	}
	for _, l := range in {
		fmt.Printf("{\"ifname\":%s,\"addr\":%q,\"address\":%q,\"flags\":%q,\"extra\":%v}\n",
			strconv.Quote(l.Name), l.Addr, l.MAC, l.Flags, l.Extra)
	}
	return nil
}
