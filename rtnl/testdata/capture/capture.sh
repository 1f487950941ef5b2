#!/bin/sh
# capture.sh: records the requests iproute2 sends and the replies the
# kernel gives, inside a throwaway network namespace, and writes them as
# rtnl/testdata/ip_*.hex (requests) and kernel_*.hex (dump replies).
# Run as root from rtnl/testdata/capture: unshare -n sh capture.sh
# The files are decoder seeds and format references, not our goldens.
set -e
out=..
W="strace -f -e trace=sendmsg -e write=all -o"
R="strace -f -e trace=recvmsg -e read=all -o"
t=$(mktemp -d)
conv() { python3 ./strace2hex.py "$t/$1" "$out/$2" "$3" "$4"; }
ip link set lo up
$W $t/a ip link add br0 type bridge;                           conv a ip_link_add_bridge 16 "ip link add br0 type bridge"
$W $t/a ip link add veth-red type veth peer name eth0;         conv a ip_link_add_veth 16 "ip link add veth-red type veth peer name eth0"
$W $t/a ip link set veth-red up;                               conv a ip_link_set_up 16 "ip link set veth-red up"
$W $t/a ip link set veth-red master br0;                       conv a ip_link_set_master 16 "ip link set veth-red master br0"
$W $t/a ip link set veth-red nomaster;                         conv a ip_link_set_nomaster 16 "ip link set veth-red nomaster"
$W $t/a ip link set veth-red mtu 1400;                         conv a ip_link_set_mtu 16 "ip link set veth-red mtu 1400"
$W $t/a ip link set veth-red group 5;                          conv a ip_link_set_group 16 "ip link set veth-red group 5"
$W $t/a ip link set veth-red mode dormant;                     conv a ip_link_set_mode 16 "ip link set veth-red mode dormant"
$W $t/a ip link set eth0 addrgenmode none;                     conv a ip_link_set_addrgenmode 16 "ip link set eth0 addrgenmode none"
$W $t/a ip addr add 192.168.15.1/24 dev veth-red;              conv a ip_addr_add_v4 20 "ip addr add 192.168.15.1/24 dev veth-red"
$W $t/a ip addr add 192.168.16.1/24 brd + dev veth-red;        conv a ip_addr_add_v4brd 20 "ip addr add 192.168.16.1/24 brd + dev veth-red"
$W $t/a ip addr add 2001:db8::1/64 dev veth-red;               conv a ip_addr_add_v6 20 "ip addr add 2001:db8::1/64 dev veth-red"
ip link set br0 up; ip link set eth0 up; ip link set veth-red up
$W $t/a ip route add 10.9.0.0/16 via 192.168.15.2;             conv a ip_route_add_via 24 "ip route add 10.9.0.0/16 via 192.168.15.2"
$W $t/a ip route add default via 192.168.15.254 metric 100;    conv a ip_route_add_default 24 "ip route add default via 192.168.15.254 metric 100"
$W $t/a ip route add 10.8.0.0/16 dev veth-red;                 conv a ip_route_add_dev 24 "ip route add 10.8.0.0/16 dev veth-red"
$W $t/a ip -6 route add 2001:db8:5::/48 dev veth-red pref high; conv a ip_route_add_pref 24 "ip -6 route add 2001:db8:5::/48 dev veth-red pref high"
$W $t/a ip route del 10.9.0.0/16 via 192.168.15.2;             conv a ip_route_del 25 "ip route del 10.9.0.0/16 via 192.168.15.2"
$W $t/a ip neigh add 192.168.15.9 lladdr 02:00:00:00:00:09 dev veth-red; conv a ip_neigh_add 28 "ip neigh add 192.168.15.9 lladdr 02:00:00:00:00:09 dev veth-red"
$W $t/a ip neigh del 192.168.15.9 dev veth-red;                conv a ip_neigh_del 29 "ip neigh del 192.168.15.9 dev veth-red"
ip neigh add 192.168.15.9 lladdr 02:00:00:00:00:09 dev veth-red
ip -6 neigh add 2001:db8::9 lladdr 02:00:00:00:00:0a dev veth-red
ip link add veth-a type veth peer name veth-b; ip link set veth-a master br0
$W $t/a ip link del veth-b;                                    conv a ip_link_del 17 "ip link del veth-b"
$R $t/r ip -d link show;                                       conv r kernel_link 16 "kernel reply to ip -d link show"
$R $t/r ip addr show;                                          conv r kernel_addr 20 "kernel reply to ip addr show"
$R $t/r ip route show table all;                               conv r kernel_route 24 "kernel reply to ip route show table all"
$R $t/r ip -6 route show table all;                            conv r kernel_route6 24 "kernel reply to ip -6 route show table all"
$R $t/r ip neigh show;                                         conv r kernel_neigh 28 "kernel reply to ip neigh show"
$R $t/r ip -s ntable show;                                     conv r kernel_ntable 64 "kernel reply to ip -s ntable show"
# ip rule (RTM_NEWRULE 32, RTM_DELRULE 33)
$W $t/a ip rule add from 10.1.0.0/16 table 100 priority 100;            conv a ip_rule_add_from 32 "ip rule add from 10.1.0.0/16 table 100 priority 100"
$W $t/a ip rule add not to 10.2.0.5 lookup 1000 pref 200;              conv a ip_rule_add_not_to 32 "ip rule add not to 10.2.0.5 lookup 1000 pref 200"
$W $t/a ip rule add fwmark 0x10/0xff iif lo oif lo table main pref 300; conv a ip_rule_add_fwmark 32 "ip rule add fwmark 0x10/0xff iif lo oif lo table main pref 300"
$W $t/a ip rule add from all lookup main suppress_prefixlength 0 pref 400; conv a ip_rule_add_suppress 32 "ip rule add from all lookup main suppress_prefixlength 0 pref 400"
$W $t/a ip rule add pref 500 goto 600;                                  conv a ip_rule_add_goto 32 "ip rule add pref 500 goto 600"
$W $t/a ip rule add uidrange 1000-2000 ipproto tcp sport 80 dport 1000-2000 table 7 pref 700; conv a ip_rule_add_uid_ports 32 "ip rule add uidrange 1000-2000 ipproto tcp sport 80 dport 1000-2000 table 7 pref 700"
$W $t/a ip rule add pref 800 unreachable;                               conv a ip_rule_add_unreachable 32 "ip rule add pref 800 unreachable"
$W $t/a ip -6 rule add from 2001:db8::/32 table 100 pref 900;           conv a ip_rule_add_v6 32 "ip -6 rule add from 2001:db8::/32 table 100 pref 900"
$W $t/a ip rule add pref 1000 blackhole protocol static;                conv a ip_rule_add_proto 32 "ip rule add pref 1000 blackhole protocol static"
$W $t/a ip rule add tos 0x10 table 5 pref 1100;                         conv a ip_rule_add_tos 32 "ip rule add tos 0x10 table 5 pref 1100"
$W $t/a ip rule del pref 100;                                           conv a ip_rule_del_pref 33 "ip rule del pref 100"
$W $t/a ip rule del from 10.9.0.0/16 table 100 2>/dev/null || true;     conv a ip_rule_del_from 33 "ip rule del from 10.9.0.0/16 table 100"
$R $t/r ip rule show;                                                   conv r kernel_rule 32 "kernel reply to ip rule show"
$R $t/r ip -6 rule show;                                                conv r kernel_rule6 32 "kernel reply to ip -6 rule show"
rm -r "$t"
