#!/bin/sh
# Runs inside the QEMU guest (tests/kernel/run, docs/kernel-tests.md): s46d's kernel data plane
# (KernelDataPlane, driven by s46-dataplane-probe) for MAP-E under load and for GI-4over6.
#   lan: eth0 192.168.1.2/24 == lan0 192.168.1.1/24  cpe  wan0 2001:db8:1::2/64 == v-br 2001:db8:1::1/64  br
# br plays the BR with ip6tnl links of its own (iproute2) and the internet host 203.0.113.1 on
# its loopback, where s46-flowgen answers UDP and TCP and logs the source address and port of
# every datagram, connection and echo request it receives after decapsulation. Those logs are
# the network-side view: written by test equipment that shares no code with s46d.
# MAP-E: 192.0.2.7, offset 6, PSID length 8 (RFC 7597 §5.1: 63 blocks of 4 ports, 252 ports),
# PSID 52, then PSID 53 while traffic runs; one FMR (Debian's kernel has no FMR support).
# GI-4over6: 198.51.100.8/29 routed to the LAN, no NAPT (RFC 7040).
# The probe calls this script again with a phase name (--check) while the data plane is up.
# mutate=1 shifts every expected value (and skips the MAP-E teardown): each check must then fail.
# Exit status: the number of failed checks.
mutate=0

. /usr/lib/s46-test/checks.sh  # ip(), pass, fail, check, json_check, port_stats, answered, lines; $failed
. /usr/lib/s46-test/topology.sh  # lan_cpe_br
probe=/usr/bin/s46-dataplane-probe
flowgen=/usr/bin/s46-flowgen

# Expected values; mutate=1 makes each one wrong.
want_psid=$((52 + mutate)) want_psid2=$((53 + mutate)) want_blocks=$((63 + mutate))
flows=239 want_answered=$((239 + mutate))
fwd_port=20689  # PSID 52, block 20: 20*1024 + 52*4 + 1 (RFC 7597 §5.1)
want_fmr="via BR, kernel lacks FMR support"
[ $mutate = 1 ] && want_fmr="kernel"
want_gi_src=198.51.100.$((10 + mutate))
gi_absent=nat
[ $mutate = 1 ] && gi_absent=maxseg  # the MSS clamping that is there
br_log=/tmp/br.log bg_log=/tmp/br-bg.log lan_log=/tmp/lan.log

# ip -j route show table N fails when the table has never held a route: that is empty too.
routes() { ip -n cpe -j route show table "$1" 2>/dev/null || echo '[]'; }

case ${1:-} in
mape-up)
    json_check "s46tnl0: 2001:db8:1::c000:207:34 -> 2001:db8:1::1 (RFC 7597 §6 interface identifier)" \
        '.[0].linkinfo.info_data | .local == "2001:db8:1::c000:207:3'$((4 + mutate))'" and .remote == "2001:db8:1::1"' \
        ip -n cpe -d -j link show dev s46tnl0
    # Neighbour discovery first (ARP on the LAN, ND both ways on the WAN): a burst to an
    # unresolved neighbour overflows its queue (unres_qlen_bytes) and would be lost before the
    # NAPT is even involved. IPv6 and LAN-local pings: no NAPT flow is made here.
    ip netns exec lan ping -c 1 -w 10 192.168.1.1 >/dev/null
    ip netns exec br ping -c 1 -w 10 2001:db8:1::c000:207:34 >/dev/null
    # 1. The 95 % fill case: 239 flows at once from the LAN to ONE destination port.
    ip netns exec lan $flowgen udp --dst 203.0.113.1 --port 7000 --count $flows --wait-ms 8000 > /tmp/fill.json
    # Where a lost datagram would have gone, if one is: the UDP receive-buffer drops on both ends.
    echo "  UDP receive-buffer errors: lan $(ip netns exec lan awk '/^Udp:/ { n++ } n == 2 && /^Udp:/ { print $6; exit }' /proc/net/snmp)," \
        "br $(ip netns exec br awk '/^Udp:/ { n++ } n == 2 && /^Udp:/ { print $6; exit }' /proc/net/snmp)"
    check "95 % fill: every one of the $flows UDP flows answered" answered /tmp/fill.json $want_answered
    set -- $(port_stats udp $br_log $want_psid)
    echo "  br saw $1 distinct source ports, $2 outside PSID $want_psid, $3 blocks"
    check "95 % fill: br saw $flows distinct source ports from 192.0.2.7" test "$1" -eq $want_answered
    check "95 % fill: every source port is in PSID $want_psid's set" test "$1" -gt 0 -a "$2" -eq 0
    check "95 % fill: all $want_blocks blocks used" test "$3" -eq $want_blocks
    check "95 % fill: the static forward's port $fwd_port was never a dynamic source port" \
        sh -c "! grep -q '^udp 192.0.2.7 $((fwd_port + mutate))\$' $br_log"
    # 2. ICMP: ids 40000-40007 are outside the set in the LAN; the CE rewrites them into it
    # (RFC 7597 §8.2: the identifier is treated as the port).
    ip netns exec lan sysctl -qw net.ipv4.ping_group_range="0 0"
    ip netns exec lan $flowgen icmp --dst 203.0.113.1 --count 8 --first-id 40000 --wait-ms 8000 > /tmp/icmp.json
    check "ICMP: 8 echo requests with distinct ids answered" answered /tmp/icmp.json $((8 + mutate))
    set -- $(port_stats icmp $br_log $want_psid)
    check "ICMP: br saw 8 distinct identifiers, all in the set ($1 seen, $2 outside)" test "$1" -eq $((8 + mutate)) -a "$2" -eq 0
    # 3. TCP, a few connections at once.
    ip netns exec lan $flowgen tcp --dst 203.0.113.1 --port 7000 --count 5 --wait-ms 10000 > /tmp/tcp.json
    check "TCP: 5 connections echoed" answered /tmp/tcp.json $((5 + mutate))
    set -- $(port_stats tcp $br_log $want_psid)
    check "TCP: br saw 5 source ports, all in the set ($1 seen, $2 outside)" test "$1" -eq $((5 + mutate)) -a "$2" -eq 0
    # 4. The static forward: br's internet host connects to (192.0.2.7, $fwd_port).
    ip netns exec br $flowgen tcp --src 203.0.113.1 --dst 192.0.2.7 --port $fwd_port --count 1 --wait-ms 10000 > /tmp/fwd.json
    check "static forward: br's connection to 192.0.2.7:$fwd_port echoed" answered /tmp/fwd.json $((1 + mutate))
    check "static forward: the LAN server saw br's 203.0.113.1" grep -q "^tcp 203.0.113.$((1 + mutate)) " $lan_log
    # 5. The softwire guard (table ip6 s46d): IPv4-in-IPv6 to the CE address from a source that
    # is not the BR is dropped and counted; without the guard ip6_tunnel answers each such packet
    # with an ICMPv6 destination unreachable (the control below shows it does, on this kernel).
    ip -n br addr add 2001:db8:1::99/64 dev v-br nodad
    ip -n br link add rogue type ip6tnl mode ipip6 local 2001:db8:1::99 remote 2001:db8:1::c000:207:34 encaplimit none
    ip -n br addr add 10.99.0.1/32 dev rogue
    ip -n br link set rogue up
    ip netns exec br /usr/sbin/nft -f - <<'NFT'
table ip6 seen6 {
    counter unreach {
    }
    chain input {
        type filter hook input priority filter; policy accept;
        icmpv6 type destination-unreachable ip6 daddr 2001:db8:1::99 counter name "unreach"
    }
}
NFT
    unreach() { ip netns exec br /usr/sbin/nft list counter ip6 seen6 unreach | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
    guard() { ip netns exec cpe /usr/sbin/nft list counter ip6 s46d drop_foreign_softwire | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
    check "guard: table ip6 s46d drops what is not from the BR" \
        sh -c "/usr/sbin/ip netns exec cpe /usr/sbin/nft list table ip6 s46d | grep -q 'ip6 saddr != 2001:db8:1::$((1 + mutate))'"
    g0=$(guard)
    ip netns exec br ping -I rogue -c 3 -i 0.2 -W 1 192.0.2.7 >/dev/null 2>&1
    sleep 1
    g1=$(guard) u1=$(unreach)
    echo "  guard counter $g0 -> $g1, ICMPv6 unreachable at the rogue source: $u1"
    check "guard: 3 foreign IPv4-in-IPv6 packets dropped and counted" test $((g1 - g0)) -eq $((3 + mutate))
    check "guard: no ICMPv6 error went back to the foreign source" test "$u1" -eq $((0 + mutate))
    # Control: the same packets with the guard's rule gone draw ICMPv6 errors from ip6_tunnel.
    ip netns exec cpe /usr/sbin/nft flush chain ip6 s46d input
    ip netns exec br ping -I rogue -c 3 -i 0.2 -W 1 192.0.2.7 >/dev/null 2>&1
    sleep 1
    u2=$(unreach)
    echo "  without the guard's rule: $u2 ICMPv6 unreachable"
    check "guard control: without the rule ip6_tunnel answers with ICMPv6 unreachable" test "$u2" -gt $((0 + 1000 * mutate))
    ip -n br link del rogue
    # 6. Flows that keep running while the probe replaces the binding (mape-rebound checks them).
    ip netns exec lan $flowgen udp --dst 203.0.113.1 --port 7001 --count 20 --rounds 40 --interval-ms 1000 \
        --wait-ms 800 > /tmp/bg.json 2>&1 &
    sleep 3
    check "flows running before the new binding" test "$(lines $bg_log)" -ge $((20 + 1000 * mutate))
    exit $failed ;;
mape-rebound)
    # The BR side of the new binding: 192.0.2.7 now lives behind the PSID 53 CE address.
    ip -n br route replace 192.0.2.7/32 dev mapbr1
    ip netns exec br ping -c 1 -w 10 2001:db8:1::c000:207:35 >/dev/null  # its neighbour entry, as above
    fill_mark=$(($(lines $br_log) + 1))
    ip netns exec lan $flowgen udp --dst 203.0.113.1 --port 7000 --count 20 --wait-ms 8000 > /tmp/new.json
    check "PSID 53: 20 new flows answered" answered /tmp/new.json $((20 + mutate))
    set -- $(port_stats udp $br_log $want_psid2 $fill_mark)
    check "PSID 53: br saw 20 new source ports, all in PSID $want_psid2's set ($1 seen, $2 outside)" \
        test "$1" -eq 20 -a "$2" -eq 0
    bg_mark=$(($(lines $bg_log) + 1))
    for _ in $(seq 60); do [ -s /tmp/bg.json ] && break; sleep 1; done
    check "the running flows are answered again after the new binding (last round all 20)" answered /tmp/bg.json $((20 + mutate))
    set -- $(port_stats udp $bg_log $want_psid2 $bg_mark)
    check "the running flows now leave with PSID $want_psid2 ports ($1 ports, $2 outside)" test "$1" -ge 20 -a "$2" -eq 0
    echo "  running flows, answered per round: $(jq -c .rounds /tmp/bg.json)"
    exit $failed ;;
gi-up)
    json_check "GI-4over6: 198.51.100.8/29 routed to lan0" \
        '[.[] | select(.dst == "198.51.100.'$((8 + 8 * mutate))'/29" and .dev == "lan0")] | length == 1' ip -n cpe -j route show
    check "GI-4over6: table ip s46d has no NAT" sh -c "/usr/sbin/ip netns exec cpe /usr/sbin/nft list table ip s46d > /tmp/gi.nft && ! grep -q $gi_absent /tmp/gi.nft"
    mark=$(($(lines $br_log) + 1))
    ip netns exec br ping -c 1 -w 10 2001:db8:1::c633:6408 >/dev/null  # its neighbour entry, as above
    ip netns exec lan $flowgen udp --src 198.51.100.10 --dst 203.0.113.1 --port 7000 --count 5 --wait-ms 8000 > /tmp/gi.json
    check "GI-4over6: 5 flows from 198.51.100.10 answered" answered /tmp/gi.json $((5 + mutate))
    n=$(tail -n +$mark $br_log | grep -c "^udp $want_gi_src ")
    check "GI-4over6: br saw the LAN host's own 198.51.100.10 (unNATed) on all 5 ($n)" test "$n" -eq 5
    exit $failed ;;
esac

# --- the three namespaces (tests/kernel/topology.sh)
lan_cpe_br
ip -n lan addr add 198.51.100.10/32 dev eth0   # GI-4over6: a LAN host with an address of the routed prefix
# The BR: one ip6tnl per CE address (RFC 7597 §6: 0:IPv4:PSID as interface identifier), PSID 52
# and 53; the GI-4over6 CE. The route to 192.0.2.7 follows the binding.
ip -n br link add mapbr0 type ip6tnl mode ipip6 local 2001:db8:1::1 remote 2001:db8:1::c000:207:34 encaplimit none dev v-br
ip -n br link add mapbr1 type ip6tnl mode ipip6 local 2001:db8:1::1 remote 2001:db8:1::c000:207:35 encaplimit none dev v-br
ip -n br link add gibr0 type ip6tnl mode ipip6 local 2001:db8:1::1 remote 2001:db8:1::c633:6408 encaplimit none dev v-br
for l in mapbr0 mapbr1 gibr0; do ip -n br link set $l up; done
ip -n br route add 192.0.2.7/32 dev mapbr0
ip -n br route add 198.51.100.8/29 dev gibr0
ip netns exec br $flowgen serve --bind 203.0.113.1 --port 7000 --icmp --log $br_log --seconds 500 >/tmp/serve-br.out 2>&1 &
serve_br=$!
ip netns exec br $flowgen serve --bind 203.0.113.1 --port 7001 --log $bg_log --seconds 500 >/tmp/serve-bg.out 2>&1 &
serve_bg=$!
ip netns exec lan $flowgen serve --port 8080 --log $lan_log --seconds 500 >/tmp/serve-lan.out 2>&1 &
serve_lan=$!
ip -n cpe rule add iif lan0 lookup 100 priority 100

# --- MAP-E with one FMR, a static forward, PSID 52 then 53; route table 100, metric 50.
teardown=''
[ $mutate = 1 ] && teardown=--crash
mape="--store /tmp/store-mape --wan wan0 --table 100 --metric 50"
start=$(date +%s)
check "MAP-E: bring-up, load, new binding under traffic, teardown" ip netns exec cpe $probe $mape --mode mape \
    --local 2001:db8:1::c000:207:34 --remote 2001:db8:1::1 --ipv4 192.0.2.7/32 --offset 6 --psid-len 8 --psid 52 \
    --fmr 2001:db8:200::/40,198.51.100.0/24,16 --forward tcp:$fwd_port:192.168.1.2:8080 \
    --expect "fmr=$want_fmr" --check "sh $0 mape-up" \
    --rebind-psid 53 --rebind-local 2001:db8:1::c000:207:35 --expect-rebound "conntrack_flushed>$((mutate * 100000))" \
    --check-rebound "sh $0 mape-rebound" $teardown
echo "  MAP-E phase took $(($(date +%s) - start)) s"
check "MAP-E torn down: no s46tnl0" sh -c '! /usr/sbin/ip -n cpe link show dev s46tnl0 >/dev/null 2>&1'
json_check "MAP-E torn down: neither CE /128 on wan0" \
    '[.[0].addr_info[] | select(.local | startswith("2001:db8:1::c000:207"))] | length == 0' ip -n cpe -j addr show dev wan0
json_check "MAP-E torn down: table 100 is empty" 'length == 0' routes 100
json_check "MAP-E torn down: no route via s46tnl0 in any table" '[.[] | select(.dev == "s46tnl0")] | length == 0' \
    ip -n cpe -j route show table all
check "MAP-E torn down: no table ip s46d" sh -c '! /usr/sbin/ip netns exec cpe /usr/sbin/nft list table ip s46d >/dev/null 2>&1'
ip netns exec cpe /usr/sbin/conntrack -L > /tmp/ct.txt 2>/dev/null
n=$(grep -c "=192\.0\.2\.7 " /tmp/ct.txt)
check "MAP-E torn down: conntrack holds no entry NATed to 192.0.2.7 ($n; conntrack-tools)" test "$n" -eq 0
[ "$n" -eq 0 ] || head -3 /tmp/ct.txt

# The mutant left the MAP-E softwire behind (--crash); clear it so that GI-4over6 fails on its own checks.
[ $mutate = 1 ] && ip netns exec cpe $probe $mape --reconcile

# --- GI-4over6: no NAPT, the prefix on the tunnel and routed to lan0 (main table).
gi="--store /tmp/store-gi --wan wan0 --lan lan0"
check "GI-4over6: bring-up, traffic, teardown" ip netns exec cpe $probe $gi --mode lw4o6 \
    --local 2001:db8:1::c633:6408 --remote 2001:db8:1::1 --gi 198.51.100.8/29 --check "sh $0 gi-up"
json_check "GI-4over6 torn down: no route to 198.51.100.8/29" '[.[] | select(.dst == "198.51.100.8/29")] | length == 0' \
    ip -n cpe -j route show table all
check "GI-4over6 torn down: no s46tnl0" sh -c '! /usr/sbin/ip -n cpe link show dev s46tnl0 >/dev/null 2>&1'

kill $serve_br $serve_bg $serve_lan 2>/dev/null
echo "mape_scenario: $failed failed"
exit $failed
