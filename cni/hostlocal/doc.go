// Package hostlocal is IP address management with the reference
// host-local plugin's on-disk layout and behaviour
// (containernetworking/plugins plugins/ipam/host-local), so that a
// network switches between the reference plugins and nsnet keeping every
// allocation:
//
//	<dataDir>/<network>/            dataDir defaults to /var/lib/cni/networks
//	    lock                        flock(2) LOCK_EX around every change
//	    <ip>                        one file per reservation, mode 0600:
//	                                "<containerID>\r\n<ifname>"
//	    last_reserved_ip.<N>        the last address reserved from range set N
//
// Configuration: "ranges" (a list of range sets, each a list of ranges
// with "subnet", "rangeStart", "rangeEnd", "gateway"), the older single
// "subnet"/"rangeStart"/"rangeEnd"/"gateway" (prepended as range set 0),
// "routes", "dataDir", "resolvConf". Requested addresses come from
// CNI_ARGS IP=, args.cni.ips and the ips capability. Allocation is
// round-robin from last_reserved_ip.N + 1 within each range set, skipping
// the gateway, as the reference allocator iterates.
//
// Files and flock only: no netlink, no CNI verbs (those are cni's).
package hostlocal
