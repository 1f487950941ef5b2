# The seed tutorial's bridge section (create the bridge, delete the direct
# veth pair, connect red and blue to v-net-0, addresses, up, the host's
# address on the bridge, and blue's routes via the host), verbatim, one
# command per line, run after seed_quick.sh by cmd/nsnet's TestSeed. The
# pings are the seed's "Test:" steps and only reach namespaces it made.
ip link add v-net-0 type bridge
ip link set dev v-net-0 up
ip -n red link del veth-red
ip link add veth-red type veth peer name veth-red-br
ip link set veth-red netns red
ip link set veth-red-br master v-net-0
ip link add veth-blue type veth peer name veth-blue-br
ip link set veth-blue netns blue
ip link set veth-blue-br master v-net-0
ip -n red addr add 192.168.15.1/24 dev veth-red
ip -n blue addr add 192.168.15.2/24 dev veth-blue
ip -n red link set veth-red up
ip -n blue link set veth-blue up
ip link set veth-red-br up
ip link set veth-blue-br up
ip netns exec red ping 192.168.15.2
ip addr add 192.168.15.5/24 dev v-net-0
ping 192.168.15.1
ip netns exec blue ip route add 192.168.1.0/24 via 192.168.15.5
ip netns exec blue ip route add default via 192.168.15.5
