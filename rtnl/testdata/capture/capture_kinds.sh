#!/bin/sh
# capture_kinds.sh: the requests iproute2 6.1 sends to create the link
# kinds of link_vxlan.go, link_macvlan.go, link_dummy.go, link_ifb.go,
# link_vrf.go and link_vlan.go, as rtnl/testdata/ip_link_add_KIND_0.hex,
# and the kernel's dump of those it has as kinds_kernel_link_N.hex.
# Kinds this kernel lacks are refused, but the request is sent (and
# captured) all the same. Run as root from rtnl/testdata/capture, in a
# sandbox: nsnet sandbox -- sh capture_kinds.sh
out=..
W="strace -f -e trace=sendmsg -e write=all -o"
t=$(mktemp -d)
conv() { python3 ./strace2hex.py "$t/$1" "$out/$2" "$3" "$4"; }
ip link set lo up
ip link add v0 type veth peer name v1 # v0 is index 3 ("dev v0", "link v0")
c() { name=$1; shift; $W $t/a ip "$@"; conv a "ip_link_add_$name" 16 "ip $*"; }
c vxlan      link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1 remote 10.0.0.2 dev v0 ttl 10 nolearning
c vxlan_group link add vx1 type vxlan id 43 group 239.1.1.1 dev v0 dstport 4789 ageing 100 udpcsum learning
c vxlan6     link add vx6 type vxlan id 44 local 2001:db8::1 remote 2001:db8::2 dstport 4789 ttl auto noudpcsum
c macvlan    link add mv0 link v0 type macvlan mode bridge
c macvtap    link add mt0 link v0 type macvtap mode vepa
c dummy      link add d0 type dummy
c ifb        link add ifb0 type ifb
c vrf        link add vrf0 type vrf table 10
c vlan       link add link v0 name v0.5 type vlan id 5
c vlan_8021ad link add link v0 name v0.6 type vlan protocol 802.1ad id 6
# The kernel's dump of the kinds it has, with every attribute it reports.
strace -f -e trace=recvmsg -e read=all -o $t/r ip -d link show
conv r kinds_kernel_link 16 "kernel reply to ip -d link show (capture_kinds.sh)"
rm -r "$t"
