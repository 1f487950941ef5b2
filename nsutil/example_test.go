package nsutil_test

import (
	"fmt"
	"log"
	"os"
	"os/exec"

	"github.com/nsnet/nsnet/nsutil"
)

// Create makes a namespace that `ip netns list` shows and `ip netns exec`
// can enter; Start runs a program in it as `ip netns exec red ip link`
// would.
func ExampleCreate() {
	red, err := nsutil.Create("red")
	if err != nil {
		log.Fatal(err) // e.g. "netns add red: create /run/netns/red: file exists"
	}
	defer red.Close()

	cmd := exec.Command("ip", "link")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := red.Start(cmd); err != nil {
		log.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		log.Fatal(err)
	}
	if err := nsutil.Delete("red"); err != nil {
		log.Fatal(err)
	}
}

// SysctlSet opens /proc/sys/net/... on a thread inside the namespace.
func ExampleNetNS_SysctlSet() {
	red, err := nsutil.Open("red")
	if err != nil {
		log.Fatal(err)
	}
	defer red.Close()
	if err := red.SysctlSet("net.ipv4.ip_forward", "1"); err != nil {
		log.Fatal(err)
	}
}

func ExampleList() {
	entries, err := nsutil.List()
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e) // "red (id: 0)", as ip netns list prints it
	}
}
