package topo_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nsnet/nsnet/topo"
)

// An invalid file is refused before anything changes, with the line of
// the object and what to change.
func ExampleParse() {
	_, err := topo.Parse("two.json", []byte(`{
  "namespaces": [{"name": "a", "routes": [{"to": "default", "via": "10.0.1.1"}]}],
  "veths": [{"name": "eth0", "netns": "a", "addresses": ["10.0.0.2/24"],
             "peer": {"name": "a-host", "addresses": ["10.0.0.1/24"]}}]
}`))
	fmt.Println(err)
	// Output:
	// two.json:2: route default via 10.0.1.1 in a: gateway 10.0.1.1 is not on a subnet a is connected to (a has only 10.0.0.0/24 on eth0): use a gateway inside one of them, as the seed uses 192.168.15.5 and not the host's LAN address
}

// Plan shows what up would do; Up does it, and undoes everything it
// created if a step fails; Down removes what the file describes.
func ExampleUp() {
	t, err := topo.Parse("seed.json", topo.Seed())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	p, err := topo.Up(ctx, t, topo.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range p.Steps {
		fmt.Println(s.Action, s.Kind, s.Object)
	}
	if _, err := topo.Down(ctx, t, topo.Options{}); err != nil {
		log.Fatal(err)
	}
}
