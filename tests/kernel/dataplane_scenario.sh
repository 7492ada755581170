#!/bin/sh
# Runs inside the QEMU guest (tests/kernel/run, docs/kernel-tests.md): s46d's kernel data plane
# (KernelDataPlane, driven by s46-dataplane-probe) on a kernel with ip6_tunnel, for DS-Lite and
# for lw4o6 with the nftables NAPT44, with traffic from a LAN host through it; then a crash (no
# teardown) and the next start removing what was left.
#   lan: eth0 192.168.1.2/24 == lan0 192.168.1.1/24  cpe  wan0 2001:db8:1::2/64 == v-br 2001:db8:1::1/64  br
# br plays the AFTR / lwAFTR with an ip6tnl of its own (iproute2) and the internet host
# 203.0.113.1 on its loopback. Documentation, DS-Lite and private addresses only; no NIC.
# The probe calls this script again with a phase name (--check) while the data plane is up.
# Exit status: the number of failed checks.

. /usr/lib/s46-test/checks.sh  # ip(), pass, fail, check, json_check; $failed
. /usr/lib/s46-test/topology.sh  # lan_cpe_br
nft() { /usr/sbin/nft "$@"; }
probe=/usr/bin/s46-dataplane-probe
# The packets a named counter in br's table "seen" has counted.
br_count() { ip netns exec br /usr/sbin/nft list counter ip seen "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
lan_ping() { ip netns exec lan ping -c 2 -w 10 203.0.113.1 >/dev/null; }
has_s46_link() { ip -n cpe link show dev s46tnl0 >/dev/null 2>&1; }
has_s46_table() { ip netns exec cpe /usr/sbin/nft list table ip s46d >/dev/null 2>&1; }
no_s46_link() { ! has_s46_link; }
no_s46_table() { ! has_s46_table; }
# Saves table ip s46d to /tmp/s46d.nft; then each pattern must be there (or, after !, absent).
s46d_table_has() {
    ip netns exec cpe /usr/sbin/nft list table ip s46d > /tmp/s46d.nft || return 1
    for pattern in "$@"; do
        case $pattern in
            !*) ! grep -q "${pattern#!}" /tmp/s46d.nft || { echo "  table ip s46d has '${pattern#!}'"; return 1; } ;;
            *) grep -q "$pattern" /tmp/s46d.nft || { echo "  table ip s46d lacks '$pattern'"; cat /tmp/s46d.nft; return 1; } ;;
        esac
    done
}
# lw4o6's port set: offset 6, PSID length 8, PSID 52 (RFC 7597 §5.1): ports p >= 1024 with
# (p >> 2) & 0xff == 52. Every NATed ICMP id must be one of them.
ids_in_set() {
    ids=$(ip netns exec cpe /usr/bin/s46-nft-probe conntrack | awk '$1 == 1 && $4 ~ /^192\.0\.2\.7:/ { split($4, a, ":"); print a[2] }')
    [ -n "$ids" ] || { echo "  no ICMP entry NATed to 192.0.2.7 in conntrack"; return 1; }
    for id in $ids; do
        [ "$id" -ge 1024 ] && [ $(((id >> 2) & 255)) -eq 52 ] || { echo "  ICMP id $id is outside the port set"; return 1; }
    done
    echo "  NATed ICMP ids: $(echo $ids)"
}

case ${1:-} in
dslite-up)
    json_check "s46tnl0: ip6tnl ipip6 2001:db8:1::2 -> 2001:db8:1::1, MTU 1460, up, on wan0" \
        '.[0] | .mtu == 1460 and .link == "wan0" and (.flags | index("UP") != null) and (.linkinfo.info_data | .proto == "ipip6"
        and .local == "2001:db8:1::2" and .remote == "2001:db8:1::1" and .ip6_tnl_f_ign_encap_limit == true)' \
        ip -n cpe -d -j link show dev s46tnl0
    json_check "s46tnl0 has the B4's 192.0.0.2" '[.[0].addr_info[] | select(.family == "inet") | .local] == ["192.0.0.2"]' \
        ip -n cpe -j addr show dev s46tnl0
    json_check "wan0's B4 address was there already and is not added twice" \
        '[.[0].addr_info[] | select(.local == "2001:db8:1::2")] | length == 1' ip -n cpe -j addr show dev wan0
    json_check "main table: the default route via s46tnl0" '[.[] | select(.dev == "s46tnl0")] | length == 1' \
        ip -n cpe -j route show default
    check "table ip s46d clamps the MSS and has no NAT (DS-Lite: RFC 6333 §5.7)" \
        s46d_table_has 'maxseg size set' '!snat'
    check "the B4 pings the AFTR (192.0.0.1)" ip netns exec cpe ping -c 2 -w 10 192.0.0.1
    check "the LAN host pings 203.0.113.1 through the softwire" lan_ping
    check "the AFTR saw the LAN's own source address (no NAT at the B4)" test "$(br_count lan_src)" -ge 2
    exit $failed ;;
lw4o6-up)
    json_check "s46tnl0: 2001:db8:1::c000:207 -> 2001:db8:1::1" \
        '.[0].linkinfo.info_data | .local == "2001:db8:1::c000:207" and .remote == "2001:db8:1::1"' \
        ip -n cpe -d -j link show dev s46tnl0
    json_check "wan0 has the lwB4 /128, nodad" \
        '[.[0].addr_info[] | select(.local == "2001:db8:1::c000:207")] | length == 1 and (.[0] | .prefixlen == 128 and .nodad == true)' \
        ip -n cpe -j addr show dev wan0
    json_check "table 100: the default route via s46tnl0, metric 50" \
        'length == 1 and (.[0] | .dst == "default" and .dev == "s46tnl0" and .metric == 50)' ip -n cpe -j route show table 100
    check "table ip s46d: NAPT44 over the 63 blocks (numgen slot map) and MSS clamping" \
        s46d_table_has 'numgen inc mod 252' 'maxseg size set'
    check "the LAN host pings 203.0.113.1 through NAPT44 and the softwire" lan_ping
    check "the lwAFTR saw the translated source 192.0.2.7" test "$(br_count lw_src)" -ge 2
    check "conntrack: every NATed ICMP id is in the port set" ids_in_set
    exit $failed ;;
esac

# --- the three namespaces (tests/kernel/topology.sh)
lan_cpe_br
# Counters at the (lw)AFTR: what source addresses arrive from the softwire.
ip netns exec br /usr/sbin/nft -f - <<'EOF'
table ip seen {
    counter lan_src { }
    counter lw_src { }
    chain input {
        type filter hook input priority 0; policy accept;
        ip saddr 192.168.1.2 icmp type echo-request counter name "lan_src"
        ip saddr 192.0.2.7 icmp type echo-request counter name "lw_src"
    }
}
EOF

# --- DS-Lite: the B4 address is wan0's own; the AFTR decapsulates and routes the LAN back
# (a real AFTR NATs there instead).
ip -n br link add aftr0 type ip6tnl mode ipip6 local 2001:db8:1::1 remote 2001:db8:1::2 encaplimit none dev v-br
ip -n br addr add 192.0.0.1/29 dev aftr0
ip -n br link set aftr0 up
ip -n br route add 192.168.1.0/24 dev aftr0
check "DS-Lite: bring-up, checks while up, teardown" ip netns exec cpe $probe --store /tmp/store-dslite --wan wan0 \
    --mode dslite --local 2001:db8:1::2 --remote 2001:db8:1::1 --ipv4 192.0.0.2/32 --check "sh $0 dslite-up"
check "DS-Lite torn down: no s46tnl0" no_s46_link
check "DS-Lite torn down: no table ip s46d" no_s46_table
json_check "DS-Lite torn down: no default route" 'length == 0' ip -n cpe -j route show default
json_check "DS-Lite torn down: wan0 keeps its own address" '[.[0].addr_info[] | select(.local == "2001:db8:1::2")] | length == 1' \
    ip -n cpe -j addr show dev wan0

# --- lw4o6 with NAPT44 into PSID 52 (offset 6, PSID length 8), route in table 100 metric 50,
# the LAN looking up table 100; then a crash: the probe leaves without teardown.
ip -n br link add lwaftr0 type ip6tnl mode ipip6 local 2001:db8:1::1 remote 2001:db8:1::c000:207 encaplimit none dev v-br
ip -n br link set lwaftr0 up
ip -n br route add 192.0.2.7/32 dev lwaftr0
ip -n cpe rule add iif lan0 lookup 100 priority 100
lw4o6="--store /tmp/store-lw4o6 --wan wan0 --table 100 --metric 50"
check "lw4o6: bring-up and checks while up, then a crash" ip netns exec cpe $probe $lw4o6 --mode lw4o6 \
    --local 2001:db8:1::c000:207 --remote 2001:db8:1::1 --ipv4 192.0.2.7/32 --offset 6 --psid-len 8 --psid 52 \
    --check "sh $0 lw4o6-up" --crash
check "after the crash s46tnl0 is still there" has_s46_link
check "after the crash table ip s46d is still there" has_s46_table
check "the next start removes what the store remembers" ip netns exec cpe $probe $lw4o6 --reconcile
check "reconciled: no s46tnl0" no_s46_link
check "reconciled: no table ip s46d" no_s46_table
json_check "reconciled: the lwB4 /128 is gone from wan0" '[.[0].addr_info[] | select(.local == "2001:db8:1::c000:207")] | length == 0' \
    ip -n cpe -j addr show dev wan0
json_check "reconciled: table 100 is empty" 'length == 0' ip -n cpe -j route show table 100

echo "dataplane_scenario: $failed failed"
exit $failed
