# The seed tutorial's "Quick Commands" (../shared/seed/000_1877fdc0efd32732.txt),
# verbatim, one command per line. cmd/nsnet's TestSeed runs each line with
# `sh -c` inside a private sandbox, with nsnet linked as `ip` (and `ping`)
# first on PATH, then checks the result with the real iproute2 and traffic.
ip netns add red
ip netns add blue
ip netns
ip netns exec red ip link
ip -n red link
ip link add veth-red type veth peer name veth-blue
ip link set veth-red netns red
ip link set veth-blue netns blue
ip -n red addr add 192.168.15.1/24 dev veth-red
ip -n blue addr add 192.168.15.2/24 dev veth-blue
ip -n red link set veth-red up
ip -n blue link set veth-blue up
ip netns exec red ping 192.168.15.2
