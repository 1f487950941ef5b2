// Package cnitest drives the nsnet CNI plugin with real CNI clients:
// libcni v1.3.0 in process, cnitool v1.3.0, the reference plugins v1.9.1
// (bridge, host-local, portmap, firewall, tuning, bandwidth, loopback)
// and their host-local store, side by side. It is a module of its own
// (like bench/) so that libcni and the reference plugins never enter the
// product's go.mod.
//
// Everything runs inside the test sandbox (internal/sandbox: a private
// network and mount namespace). In there /var/lib and /opt are private
// tmpfs mounts, so the CNI defaults (/var/lib/cni/networks, libcni's
// cache /var/lib/cni/results, nsnet's /var/lib/cni/nsnet) are exercised
// and nothing reaches the host's /var/lib/cni or /opt/cni. The binaries
// are built before the sandbox is entered (the module cache and proxy
// are outside it) into a temporary directory, copied into /opt/cni/bin
// inside.
package cnitest
