#!/bin/sh
# Runs inside the QEMU guest (tests/kernel/run, docs/kernel-tests.md): the kernel data plane's pure
# rtnetlink builders (platform/net/ip6tnl_message.hpp, platform/net/route_message.hpp), sent by
# s46-netlink-probe, against a real ip6_tunnel. Every step is checked with what the kernel reports
# back (`ip -j`, read with jq), never with what was sent.
#   cpe (the CPE under test)  v-cpe 2001:db8:1::2/64 ==veth== v-br 2001:db8:1::1/64  br (the AFTR)
# ds0 in cpe is made by the probe, ds0 in br by iproute2; DS-Lite's 192.0.0.2/29 <-> 192.0.0.1
# (RFC 6333 §5.7) crosses the pair. Documentation and DS-Lite addresses only; the VM has no NIC.
# Exit status: the number of failed checks.

. /usr/lib/s46-test/checks.sh  # ip(), pass, fail, check, json_check; $failed
probe=/usr/bin/s46-netlink-probe
in_cpe() { ip netns exec cpe "$@"; }

# --- the two namespaces and their IPv6 link
ip netns add cpe
ip netns add br
ip link add v-cpe netns cpe type veth peer name v-br netns br
ip -n cpe addr add 2001:db8:1::2/64 dev v-cpe nodad
ip -n br addr add 2001:db8:1::1/64 dev v-br nodad
for ns in cpe br; do ip -n $ns link set lo up; done
ip -n cpe link set v-cpe up
ip -n br link set v-br up

# --- create: ipip6 (iproute2 reports the mode as "proto"), no encapsulation limit, hop limit 64
# (iproute2: "ttl"), traffic class inherited, MTU, underlying link
check "create ds0 (build_ip6tnl_create)" in_cpe $probe create ds0 2001:db8:1::2 2001:db8:1::1 --link v-cpe --mtu 1452
json_check "ds0 as created" '.[0] | .mtu == 1452 and .link == "v-cpe"
    and .linkinfo.info_kind == "ip6tnl" and (.linkinfo.info_data | .proto == "ipip6"
    and .local == "2001:db8:1::2" and .remote == "2001:db8:1::1" and .ip6_tnl_f_ign_encap_limit == true
    and .ttl == 64 and .ip6_tnl_f_use_orig_tclass == true and .link == "v-cpe" and (has("encap_limit") | not))' \
    ip -n cpe -d -j link show dev ds0
check "second create refused: EEXIST (NLM_F_EXCL)" in_cpe $probe --expect-errno EEXIST create ds0 2001:db8:1::2 2001:db8:1::1

# --- change: new remote and MTU on the existing link
check "change ds0 (build_ip6tnl_change)" in_cpe $probe change ds0 2001:db8:1::2 2001:db8:1::3 --link v-cpe --mtu 1400
json_check "ds0 after the change" '.[0] | .mtu == 1400 and (.linkinfo.info_data | .proto == "ipip6"
    and .local == "2001:db8:1::2" and .remote == "2001:db8:1::3" and .ip6_tnl_f_ign_encap_limit == true
    and .ttl == 64 and .ip6_tnl_f_use_orig_tclass == true)' \
    ip -n cpe -d -j link show dev ds0
check "change ds0 back to the AFTR" in_cpe $probe change ds0 2001:db8:1::2 2001:db8:1::1 --link v-cpe --mtu 1460
json_check "ds0 points at the AFTR again" '.[0] | .mtu == 1460 and .linkinfo.info_data.remote == "2001:db8:1::1"' \
    ip -n cpe -d -j link show dev ds0

# --- addresses: the softwire /128 without DAD, the B4's IPv4 address
check "add 2001:db8:1::a/128 nodad (build_addr6_add_nodad)" in_cpe $probe addr6-add v-cpe 2001:db8:1::a
json_check "v-cpe has 2001:db8:1::a/128, nodad, not tentative" \
    '[.[0].addr_info[] | select(.local == "2001:db8:1::a")] | length == 1 and (.[0] | .prefixlen == 128
    and .nodad == true and (has("tentative") | not))' \
    ip -n cpe -j addr show dev v-cpe
check "add 192.0.0.2/29 (build_addr4_add)" in_cpe $probe addr4-add ds0 192.0.0.2/29
json_check "ds0 has 192.0.0.2/29" \
    '[.[0].addr_info[] | select(.family == "inet")] | length == 1 and (.[0] | .local == "192.0.0.2" and .prefixlen == 29)' \
    ip -n cpe -j addr show dev ds0
check "ds0 up (build_link_set_up)" in_cpe $probe up ds0
json_check "ds0 is up" '.[0].flags | index("UP") != null' ip -n cpe -j link show dev ds0

# --- the IPv4 default route in table 100, metric 50
check "add default dev ds0 table 100 metric 50 (build_default_route4_add)" \
    in_cpe $probe route4-add ds0 --table 100 --metric 50
json_check "table 100: exactly the default route via ds0, metric 50, scope link" \
    'length == 1 and (.[0] | .dst == "default" and .dev == "ds0" and .metric == 50 and .scope == "link")' \
    ip -n cpe -j route show table 100
json_check "table main has no default route" 'length == 0' ip -n cpe -j route show table main default
check "second default route refused: EEXIST (NLM_F_EXCL)" \
    in_cpe $probe --expect-errno EEXIST route4-add ds0 --table 100 --metric 50

# --- a prefix route (GI-4over6's LAN route has this shape), main table
check "add 203.0.113.0/24 dev ds0 metric 10 (build_route4_add)" in_cpe $probe route4-add ds0 --to 203.0.113.0/24 --metric 10
json_check "main table: 203.0.113.0/24 via ds0, metric 10, scope link" \
    'length == 1 and (.[0] | .dev == "ds0" and .metric == 10 and .scope == "link")' \
    ip -n cpe -j route show table main 203.0.113.0/24
check "delete 203.0.113.0/24 (build_route4_del)" in_cpe $probe route4-del ds0 --to 203.0.113.0/24 --metric 10
json_check "203.0.113.0/24 is gone" 'length == 0' ip -n cpe -j route show table main 203.0.113.0/24

# --- MAP-E forwarding rules: Debian's kernel has no FMR patch; it accepts IFLA_IPTUN_FMRS without
# an error and drops it, which s46d detects by reading the link back (ip6tnl_reports_fmrs).
check "create ds1 with an FMR" in_cpe $probe create ds1 2001:db8:1::2 2001:db8:1::5 --link v-cpe \
    --fmr 2001:db8:100::/40,192.0.2.0/24,16,6
fmr_dropped() { [ "$(in_cpe $probe fmr-support ds1)" = "fmr: dropped" ]; }
check "this kernel drops the FMR, and the read-back says so" fmr_dropped
check "delete ds1" in_cpe $probe delete ds1

# --- traffic: IPv4 over the ip6tnl pair, the AFTR's side made by iproute2
ip -n br link add ds0 type ip6tnl mode ipip6 local 2001:db8:1::1 remote 2001:db8:1::2 encaplimit none dev v-br
ip -n br addr add 192.0.0.1/29 dev ds0
ip -n br addr add 198.51.100.1/32 dev lo
ip -n br link set ds0 up
# The first packet over a fresh veth waits for neighbour discovery: -w is a deadline, not a count.
check "ping 192.0.0.1 (the AFTR's tunnel address) over ds0" in_cpe ping -c 2 -w 10 192.0.0.1
# 198.51.100.1 is reachable only through table 100's default route.
ip -n cpe rule add to 198.51.100.0/24 lookup 100 priority 100
check "ping 198.51.100.1 through table 100's default route" in_cpe ping -c 2 -w 10 198.51.100.1
json_check "the AFTR's ds0 received the pings (decapsulated IPv4)" '.[0].stats64.rx.packets >= 4' \
    ip -n br -s -j link show dev ds0
ip -n cpe rule del priority 100

# --- removal: every object through the builders, then nothing of ours left
check "delete the default route (build_default_route4_del)" in_cpe $probe route4-del ds0 --table 100 --metric 50
json_check "table 100 is empty" 'length == 0' ip -n cpe -j route show table 100
check "second delete refused: ESRCH" in_cpe $probe --expect-errno ESRCH route4-del ds0 --table 100 --metric 50
check "delete 2001:db8:1::a (build_addr6_del)" in_cpe $probe addr6-del v-cpe 2001:db8:1::a
json_check "2001:db8:1::a is gone" '[.[0].addr_info[] | select(.local == "2001:db8:1::a")] | length == 0' \
    ip -n cpe -j addr show dev v-cpe
check "second address delete refused: EADDRNOTAVAIL" in_cpe $probe --expect-errno EADDRNOTAVAIL addr6-del v-cpe 2001:db8:1::a
check "delete 192.0.0.2/29 (build_addr4_del)" in_cpe $probe addr4-del ds0 192.0.0.2/29
json_check "ds0 has no IPv4 address" '[.[0].addr_info[] | select(.family == "inet")] | length == 0' \
    ip -n cpe -j addr show dev ds0
check "second IPv4 delete refused: EADDRNOTAVAIL" in_cpe $probe --expect-errno EADDRNOTAVAIL addr4-del ds0 192.0.0.2/29
check "ds0 down (build_link_set_up)" in_cpe $probe down ds0
json_check "ds0 is down" '.[0].flags | index("UP") == null' ip -n cpe -j link show dev ds0
check "delete ds0 (build_ip6tnl_delete)" in_cpe $probe delete ds0
# ip6tnl0 is the fallback device ip6_tunnel creates in every namespace.
json_check "cpe holds only lo, v-cpe and ip6tnl0" '[.[].ifname] | sort == ["ip6tnl0", "lo", "v-cpe"]' \
    ip -n cpe -j link show
json_check "no IPv4 address is left in cpe" '[.[].addr_info[] | select(.family == "inet" and .local != "127.0.0.1")] | length == 0' \
    ip -n cpe -j addr show

echo "netlink_scenario: $failed failed"
exit $failed
