// Package plugin is nsnet as a CNI plugin: the verbs ADD, DEL, CHECK,
// STATUS, GC and VERSION of the CNI spec 1.1.0 for type "nsnet", a
// bridge network with the reference bridge plugin's configuration, IPAM
// in process with host-local's store (cni/hostlocal) or delegated by
// exec for any other ipam type, masquerade and port mappings in nsnet's
// own nf_tables table inet nsnet.
//
// Every change to the kernel goes through the operations layer (netops):
// the bridge (EnsureBridge; a concurrent creator is not an error), the
// veth with its container end born inside CNI_NETNS (Attach: never
// moved), the gateway address on the bridge, the NAT rules (AddNAT); a
// failed ADD undoes its journal, releases its addresses and leaves no
// record. What an ADD made is recorded per (container ID, ifname) under
// the state directory (DefaultStateDir), so that DEL needs neither
// CNI_NETNS nor prevResult, and GC needs no runtime cache.
//
// Run is the whole plugin: environment, stdin, stdout (result or the
// spec's error JSON), stderr (diagnostics), exit code. It must not know
// topology files or the CLI.
package plugin
