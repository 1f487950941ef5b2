package netops_test

import (
	"log"
	"net/netip"

	"github.com/nsnet/nsnet/netops"
	"github.com/nsnet/nsnet/nsutil"
)

// A CNI ADD: the bridge (made if missing; a concurrent ADD making it too
// is not an error), the gateway address on it, the container's veth born
// in the netns path the runtime gave, its address and default route; on
// any failure, exactly what this ADD made is undone.
func ExampleAttach() {
	host, err := netops.OpenCurrent()
	if err != nil {
		log.Fatal(err)
	}
	defer host.Close()
	nsf, err := nsutil.OpenPath("/var/run/netns/cni-1234")
	if err != nil {
		log.Fatal(err)
	}
	ctr, err := netops.Open(nsf, "/var/run/netns/cni-1234")
	if err != nil {
		log.Fatal(err)
	}
	defer ctr.Close()

	j := &netops.Journal{}
	err = func() error {
		br, _, err := netops.EnsureBridge(j, host, netops.Bridge{Name: "cni0", NoIPv6: true})
		if err != nil {
			return err
		}
		b := netops.NewBatch(j, host)
		b.AddrAdd(netops.Addr{Index: br, Dev: "cni0", Prefix: netip.MustParsePrefix("10.22.0.1/16"), OnBridge: true})
		if err := b.Flush(); err != nil {
			return err
		}
		_, err = netops.Attach(j, host, ctr, netops.Attachment{
			Bridge: br, BridgeName: "cni0", HostIf: "veth1234", IfName: "eth0",
			Addrs:  []netip.Prefix{netip.MustParsePrefix("10.22.0.5/16")},
			Routes: []netops.Route{{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr("10.22.0.1")}},
			NoIPv6: true, Hairpin: true,
		})
		return err
	}()
	if err != nil {
		if uerr := j.Undo(); uerr != nil {
			log.Print(uerr)
		}
		log.Fatal(err)
	}
}
