package probe_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"
	"os"
	"os/signal"
	"time"

	"github.com/nsnet/nsnet/probe"
)

// ExamplePing is `ping -c 3 192.168.15.2` run inside the namespace "red"
// (needs root). Ctrl-C stops it early and still prints the summary.
func ExamplePing() {
	ns, err := os.Open("/run/netns/red")
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	dst := netip.MustParseAddr("192.168.15.2")
	fmt.Println(probe.FormatPingHeader(dst, 0))
	st, err := probe.Ping(ctx, ns, dst, probe.PingOptions{Count: 3, Timeout: 2 * time.Second}, func(r probe.Reply) {
		fmt.Println(probe.FormatReply(r))
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print("\n" + probe.FormatPingStats(st))
	if st.Received == 0 {
		os.Exit(1) // as ping does
	}
}

// ExampleDialARP is `arping -c 3 -I veth-red 192.168.15.5` inside "red".
func ExampleDialARP() {
	ns, err := os.Open("/run/netns/red")
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close()
	a, err := probe.DialARP(ns, "veth-red")
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	dst := netip.MustParseAddr("192.168.15.5")
	fmt.Println(probe.FormatArpingHeader(dst, a.Addr(), "veth-red"))
	st, err := a.Arping(context.Background(), dst, probe.ArpingOptions{Count: 3}, func(r probe.ARPReply) {
		fmt.Println(probe.FormatARPReply(r))
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(probe.FormatArpingStats(st))
}

// ExampleResolve checks that the gateway answers ARP, as the doctor does.
func ExampleResolve() {
	ns, err := os.Open("/run/netns/red")
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	mac, err := probe.Resolve(ctx, ns, "veth-red", netip.MustParseAddr("192.168.15.5"))
	if err != nil {
		fmt.Println("gateway does not answer ARP:", err)
		return
	}
	fmt.Println("gateway is at", mac)
}
