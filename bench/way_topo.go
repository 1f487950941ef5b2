package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/nsnet/nsnet/topo"
)

// Topology returns the seed's per-namespace setup for n namespaces as an
// nsnet topology file (topo's JSON): the shared bridge with its address,
// and per namespace a veth eth0 (addressed) whose peer is on the bridge,
// and a default route via the bridge's address. It declares no IPv6, so
// `up` creates every link with addrgenmode none and both veth ends with one
// TX and one RX queue.
func (e *Env) Topology(n int) ([]byte, error) { return e.topology(n, false) }

// topology is Topology, with host forwarding on when forwarding is set
// (doctor checks it: the namespaces route through the host).
func (e *Env) topology(n int, forwarding bool) ([]byte, error) {
	type route struct {
		To  string `json:"to"`
		Via string `json:"via"`
	}
	type ns struct {
		Name   string  `json:"name"`
		Routes []route `json:"routes"`
	}
	type end struct {
		Name      string   `json:"name"`
		Netns     string   `json:"netns,omitempty"`
		Bridge    string   `json:"bridge,omitempty"`
		Addresses []string `json:"addresses,omitempty"`
	}
	type veth struct {
		end
		Peer end `json:"peer"`
	}
	type bridge struct {
		Name      string   `json:"name"`
		Addresses []string `json:"addresses"`
	}
	type host struct {
		Forwarding bool `json:"forwarding,omitempty"`
	}
	t := struct {
		Host       host     `json:"host"`
		Namespaces []ns     `json:"namespaces"`
		Bridges    []bridge `json:"bridges"`
		Veths      []veth   `json:"veths"`
	}{Host: host{forwarding}, Bridges: []bridge{{e.Bridge, []string{e.GW.String()}}}}
	for i := range n {
		t.Namespaces = append(t.Namespaces, ns{e.NS(i), []route{{"default", e.GW.Addr().String()}}})
		t.Veths = append(t.Veths, veth{
			end{Name: "eth0", Netns: e.NS(i), Addresses: []string{e.Addr(i).String()}},
			end{Name: e.Host(i), Bridge: e.Bridge},
		})
	}
	return json.MarshalIndent(t, "", "  ")
}

// topoWay is nsnet's declarative path as a library: topo.Up of a generated
// topology (its worker pool, plan, per-namespace batches) and topo.Down.
// Only the total is measured.
func topoWay() Way {
	return Way{
		Key:      "nsnet-topo",
		Name:     "nsnet topo.Up / topo.Down (library, worker pool; no IPv6, 1-queue veth)",
		Teardown: "topo.Down",
		NoIPv6:   true,
		OneQueue: true,
		Start:    func(e *Env) (Instance, error) { return &topoRun{e: e}, nil },
	}
}

type topoRun struct {
	e *Env
	t *topo.Topology
}

func (r *topoRun) SetupAll(n int) error {
	b, err := r.e.Topology(n)
	if err != nil {
		return err
	}
	if r.t, err = topo.Parse("bench.json", b); err != nil {
		return err
	}
	_, err = topo.Up(context.Background(), r.t, topo.Options{})
	return err
}

func (r *topoRun) TeardownAll(n int) error {
	_, err := topo.Down(context.Background(), r.t, topo.Options{})
	return err
}

func (r *topoRun) Setup(int) error    { return errors.New("topo: bulk only") }
func (r *topoRun) Teardown(int) error { return errors.New("topo: bulk only") }
func (r *topoRun) Close() error       { return nil }

// cliWay is `nsnet up FILE` / `nsnet down FILE` of a generated topology,
// whole processes, with the static binary at bin.
func cliWay(bin string) Way {
	return Way{
		Key:      "nsnet-up",
		Name:     "`nsnet up FILE` (CLI, one process; no IPv6, 1-queue veth)",
		Teardown: "`nsnet down FILE`",
		NoIPv6:   true,
		OneQueue: true,
		Start: func(e *Env) (Instance, error) {
			if _, err := os.Stat(bin); err != nil {
				return nil, missing("nsnet binary " + bin)
			}
			dir, err := os.MkdirTemp("", "nsbench-topo")
			if err != nil {
				return nil, err
			}
			return &cliRun{e: e, bin: bin, file: filepath.Join(dir, "bench.json"), dir: dir}, nil
		},
	}
}

type cliRun struct {
	e              *Env
	bin, file, dir string
}

func (r *cliRun) SetupAll(n int) error {
	b, err := r.e.Topology(n)
	if err != nil {
		return err
	}
	if err := os.WriteFile(r.file, b, 0o644); err != nil {
		return err
	}
	return runQuiet(r.bin, "up", r.file)
}

func (r *cliRun) TeardownAll(int) error { return runQuiet(r.bin, "down", r.file) }
func (r *cliRun) Setup(int) error       { return errors.New("cli: bulk only") }
func (r *cliRun) Teardown(int) error    { return errors.New("cli: bulk only") }
func (r *cliRun) Close() error          { return os.RemoveAll(r.dir) }

func runQuiet(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w: %s", name, args, err, out)
	}
	return nil
}
