#!/bin/sh
# Runs inside the QEMU guest (tests/kernel/run, docs/kernel-tests.md): s46d's kernel data plane
# with --flowtable (KernelConfig::flowtable, driven by s46-dataplane-probe) for MAP-E, and the
# same traffic without it as the control.
#   lan: eth0 192.168.1.2/24 == lan0 192.168.1.1/24  cpe  wan0 2001:db8:1::2/64 == v-br 2001:db8:1::1/64  br
# MAP-E: 192.0.2.7, offset 6, PSID length 8, PSID 52 (RFC 7597 §5.1: 63 blocks of 4 ports),
# then PSID 53 while flows run. br plays the BR (an ip6tnl per CE address) and the internet host
# 203.0.113.1, where s46-flowgen answers UDP and logs each datagram's source address and port.
# The observer: a table of the test's own in cpe (`table ip seen`, forward hook, priority -300,
# before anything of s46d's) counts the UDP packets of the test flows that the IP stack
# forwards. A packet the flowtable forwards never reaches that hook; conntrack-tools shows
# those flows with [OFFLOAD]. Neither shares code with s46d.
# The probe calls this script again with a phase name (--check) while the data plane is up.
# mutate=1 shifts every expected value: each check must then fail.
# Exit status: the number of failed checks.
mutate=0

. /usr/lib/s46-test/checks.sh  # ip(), pass, fail, check, json_check, port_stats, answered, lines; $failed
. /usr/lib/s46-test/topology.sh  # lan_cpe_br
probe=/usr/bin/s46-dataplane-probe
flowgen=/usr/bin/s46-flowgen
conntrack=/usr/sbin/conntrack

want_psid=$((52 + mutate)) want_psid2=$((53 + mutate))
ctl_flowtable=off
[ $mutate = 1 ] && ctl_flowtable=on
flows=8 rounds=30
want_answered=$((flows + mutate))
br_log=/tmp/br.log bg_log=/tmp/br-bg.log

# UDP packets of port $1's flows the IP stack forwarded (both directions), per the observer.
stack_packets() { ip netns exec cpe /usr/sbin/nft list counter ip seen p$1 | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
# Conntrack entries of the flows to port $1 that carry [OFFLOAD].
offloaded() { ip netns exec cpe $conntrack -L -p udp --dport "$1" 2>/dev/null | grep -c '\[OFFLOAD\]'; }
# $1 UDP flows x $2 rounds, 100 ms apart, from the LAN to 203.0.113.1 port $3, into $4.
traffic() { ip netns exec lan $flowgen udp --dst 203.0.113.1 --port "$3" --count "$1" --rounds "$2" --interval-ms 100 --wait-ms 3000 > "$4"; }

case ${1:-} in
ft-up)
    json_check "table ip s46d holds flowtable ft on lan0 and s46tnl0, hook ingress" \
        '[.nftables[] | .flowtable? | select(.) | select(.name == "ft" and .hook == "ingress")] | length == 1 and
         ([.[0].dev] | flatten | sort == ["lan0", "s46tnl'$mutate'"])' \
        ip netns exec cpe /usr/sbin/nft -j list flowtables
    # The guest has no /etc/protocols: nft lists tcp and udp as 6 and 17.
    for dir in oifname iifname; do
        check "chain flow_offload: $dir s46tnl0 meta l4proto { tcp, udp } flow add @ft" \
            sh -c "/usr/sbin/ip netns exec cpe /usr/sbin/nft list chain ip s46d flow_offload |
                   grep -Eq '$dir \"s46tnl$mutate\" meta l4proto \{ (tcp, udp|6, 17) \} flow add @ft'"
    done
    ip netns exec lan ping -c 1 -w 10 192.168.1.1 >/dev/null
    ip netns exec br ping -c 1 -w 10 2001:db8:1::c000:207:34 >/dev/null
    s0=$(stack_packets 7000)
    traffic $flows $rounds 7000 /tmp/ft.json
    check "flowtable: every one of the $flows UDP flows answered in round $rounds" answered /tmp/ft.json $want_answered
    total=$((flows * rounds * 2))
    s1=$(stack_packets 7000)
    n_off=$(offloaded 7000)
    echo "  $total packets (both ways); the IP stack forwarded $((s1 - s0)); conntrack: $n_off of the flows [OFFLOAD]"
    # Per flow, the stack sees the first packet (NEW: the snat picks the port) and the first
    # reply (it adds the flow); a few more may pass before the flowtable's hook has the entry.
    check "flowtable: the IP stack forwarded at most 4 packets per flow ($((s1 - s0)) of $total)" \
        test $((s1 - s0)) -le $((4 * flows - mutate * 1000)) -a $((s1 - s0)) -ge $((2 * flows))
    check "flowtable: conntrack shows all $flows flows [OFFLOAD]" test "$n_off" -eq $((flows + mutate))
    set -- $(port_stats udp $br_log $want_psid)
    echo "  br saw $1 distinct source ports, $2 outside PSID $want_psid"
    check "flowtable: br saw $flows distinct source ports from 192.0.2.7" test "$1" -eq $want_answered
    check "flowtable: every source port is in PSID $want_psid's set (the snat saw the first packets)" test "$1" -gt 0 -a "$2" -eq 0
    check "flowtable: br received all $((flows * rounds)) datagrams (the offloaded ones encapsulated by s46tnl0)" \
        test "$(grep -c '^udp 192.0.2.7 ' $br_log)" -eq $((flows * rounds + mutate))
    # Flows that keep running while the probe replaces the binding (ft-rebound checks them).
    ip netns exec lan $flowgen udp --dst 203.0.113.1 --port 7001 --count $flows --rounds 30 --interval-ms 500 \
        --wait-ms 400 > /tmp/bg.json 2>&1 &
    sleep 4
    check "before the rebinding: the running flows are [OFFLOAD] too" test "$(offloaded 7001)" -eq $((flows + mutate))
    exit $failed ;;
ft-rebound)
    # The new binding replaced table ip s46d, flowtable included: no flow may keep the old
    # binding's NAT in a flowtable entry. br's route follows the new CE address.
    ip -n br route replace 192.0.2.7/32 dev mapbr1
    ip netns exec br ping -c 1 -w 10 2001:db8:1::c000:207:35 >/dev/null
    bg_mark=$(($(lines $bg_log) + 1))
    for _ in $(seq 60); do [ -s /tmp/bg.json ] && break; sleep 1; done
    set -- $(port_stats udp $bg_log $want_psid2 $bg_mark)
    echo "  running flows, answered per round: $(jq -c .rounds /tmp/bg.json); after the rebinding $1 ports, $2 outside PSID $want_psid2"
    check "after the rebinding: the running flows answered in their last round" answered /tmp/bg.json $want_answered
    check "after the rebinding: they leave from PSID $want_psid2 ports only ($1 ports)" test "$1" -eq $want_answered -a "$2" -eq 0
    check "after the rebinding: they are [OFFLOAD] again, in the new flowtable" test "$(offloaded 7001)" -eq $((flows + mutate))
    exit $failed ;;
ctl-up)
    # The control: s46d's data plane without --flowtable, the same traffic. The observer must
    # count every packet, or its small count above proves nothing.
    json_check "control: no flowtable in cpe" '[.nftables[] | .flowtable? | select(.)] | length == '$mutate \
        ip netns exec cpe /usr/sbin/nft -j list flowtables
    s0=$(stack_packets 7002)
    traffic $flows $rounds 7002 /tmp/ctl.json
    s1=$(stack_packets 7002)
    echo "  control: the IP stack forwarded $((s1 - s0)) of $((flows * rounds * 2)) packets"
    check "control: every flow answered" answered /tmp/ctl.json $want_answered
    check "control: the IP stack forwarded every packet" test $((s1 - s0)) -eq $((flows * rounds * 2 + mutate))
    check "control: no flow [OFFLOAD]" test "$(offloaded 7002)" -eq $mutate
    exit $failed ;;
esac

# --- the three namespaces (tests/kernel/topology.sh) and the BR's tunnels, PSID 52 and 53
lan_cpe_br
ip -n br link add mapbr0 type ip6tnl mode ipip6 local 2001:db8:1::1 remote 2001:db8:1::c000:207:34 encaplimit none dev v-br
ip -n br link add mapbr1 type ip6tnl mode ipip6 local 2001:db8:1::1 remote 2001:db8:1::c000:207:35 encaplimit none dev v-br
for l in mapbr0 mapbr1; do ip -n br link set $l up; done
ip -n br route add 192.0.2.7/32 dev mapbr0
ip netns exec br $flowgen serve --bind 203.0.113.1 --port 7000 --log $br_log --seconds 400 >/tmp/serve-br.out 2>&1 &
serve_br=$!
ip netns exec br $flowgen serve --bind 203.0.113.1 --port 7001 --log $bg_log --seconds 400 >/tmp/serve-bg.out 2>&1 &
serve_bg=$!
ip netns exec br $flowgen serve --bind 203.0.113.1 --port 7002 --log /tmp/br-ctl.log --seconds 400 >/tmp/serve-ctl.out 2>&1 &
serve_ctl=$!
ip netns exec cpe /usr/sbin/nft -f - <<'NFT'
table ip seen {
    counter p7000 {
    }
    counter p7001 {
    }
    counter p7002 {
    }
    chain forward {
        type filter hook forward priority -300; policy accept;
        udp dport 7000 counter name "p7000"
        udp sport 7000 counter name "p7000"
        udp dport 7002 counter name "p7002"
        udp sport 7002 counter name "p7002"
    }
}
NFT

# --- MAP-E with --flowtable, PSID 52 then 53
common="--wan wan0 --lan lan0 --mode mape --remote 2001:db8:1::1 --ipv4 192.0.2.7/32 --offset 6 --psid-len 8"
start=$(date +%s)
ip netns exec cpe $probe --store /tmp/store-ft $common --local 2001:db8:1::c000:207:34 --psid 52 --flowtable \
    --expect "flowtable=on (s46tnl$mutate, lan0)" --check "sh $0 ft-up" --expect-after "flows_offloaded>$((flows - 1 + mutate * 100))" \
    --rebind-psid 53 --rebind-local 2001:db8:1::c000:207:35 --check-rebound "sh $0 ft-rebound" ||
    failed=$((failed + $?))
echo "  flowtable phase took $(($(date +%s) - start)) s"
json_check "after teardown: no flowtable, no table ip s46d" \
    '[.nftables[] | (.flowtable? // .table?) | select(.) | select(.name == "ft" or .name == "s46d")] | length == '$mutate \
    ip netns exec cpe /usr/sbin/nft -j list ruleset
check "after teardown: no conntrack entry is [OFFLOAD]" \
    sh -c "test \"\$(/usr/sbin/ip netns exec cpe $conntrack -L 2>/dev/null | grep -c '\[OFFLOAD\]')\" -eq $mutate"

# --- the control: the same plan without --flowtable (br's route back to the PSID 52 address)
ip -n br route replace 192.0.2.7/32 dev mapbr0
ip netns exec cpe $probe --store /tmp/store-ctl $common --local 2001:db8:1::c000:207:34 --psid 52 \
    --expect "flowtable=$ctl_flowtable" --check "sh $0 ctl-up" || failed=$((failed + $?))

kill $serve_br $serve_bg $serve_ctl 2>/dev/null
echo "flowtable scenario: $failed failed check(s)"
exit $failed
