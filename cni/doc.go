// Package cni is nsnet's side of the Container Network Interface spec
// 1.1.0 (github.com/containernetworking/cni SPEC.md): the plugin's verbs
// (ADD, DEL, CHECK, STATUS, GC, VERSION), the versions it speaks (0.3.0,
// 0.3.1, 0.4.0, 1.0.0, 1.1.0), the network configuration with the
// reference bridge plugin's field names, results written in exactly the
// configuration's cniVersion, the spec's error JSON and codes, and the
// CNI_* environment.
//
// The decoders here are pure (no files, no syscalls) and read JSON with
// internal/jsonlite: the nsnet binary links no encoding/json. Every
// decoder has a fuzz target that checks a round trip.
//
// What it must not know: topology files and the CLI. The plugin calls the
// operations layer for every change to the kernel; the IPAM store with
// host-local's on-disk layout lives in cni/hostlocal.
package cni
