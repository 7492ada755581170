# Sourced by the guest scenarios (tests/kernel/run puts this file at /usr/lib/s46-test/topology.sh
# next to checks.sh): the three namespaces most scenarios start from.
#   lan: eth0 192.168.1.2/24 == lan0 192.168.1.1/24  cpe  wan0 2001:db8:1::2/64 == v-br 2001:db8:1::1/64  br
# br also holds the internet host 203.0.113.1 on its loopback. Each scenario adds its own
# tunnels, addresses and counters. Documentation and private addresses only.
lan_cpe_br() {
    for ns in lan cpe br; do
        ip netns add $ns
        ip -n $ns link set lo up
    done
    ip link add wan0 netns cpe type veth peer name v-br netns br
    ip link add lan0 netns cpe type veth peer name eth0 netns lan
    ip -n cpe addr add 2001:db8:1::2/64 dev wan0 nodad
    ip -n cpe addr add 192.168.1.1/24 dev lan0
    ip -n cpe link set wan0 up
    ip -n cpe link set lan0 up
    ip netns exec cpe sysctl -qw net.ipv4.ip_forward=1
    ip -n lan addr add 192.168.1.2/24 dev eth0
    ip -n lan link set eth0 up
    ip -n lan route add default via 192.168.1.1
    ip -n br addr add 2001:db8:1::1/64 dev v-br nodad
    ip -n br link set v-br up
    ip -n br addr add 203.0.113.1/32 dev lo
}
