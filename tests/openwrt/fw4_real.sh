#!/bin/bash
# The package's firewall data (packaging/openwrt/files/s46d.firewall) under OpenWrt's REAL fw4,
# fed by the REAL netifd, not the stubs of netifd_handler_test.sh. Opt-in, root only:
#
#   tests/openwrt/fw4_real.sh OPENWRT_PREFIX BUILD_DIR
#
# OPENWRT_PREFIX is the prefix of netifd_real.sh (docs/integration.md "Building OPENWRT_PREFIX")
# plus ucode (with OpenWrt's module path /usr/lib/ucode, /usr/share/ucode) and firewall4's
# scripts, as docs/integration.md "Adding ucode and firewall4 to OPENWRT_PREFIX" builds them:
#   bin/utpl lib/ucode/{fs,uci,ubus}.so sbin/fw4 share/firewall4/main.uc share/ucode/fw4.uc
#   etc/config/firewall (firewall4's default, which OpenWrt installs as /etc/config/firewall)
# ucode and fw4 are not packaged in Debian, so without them the script exits 77 (skipped).
# Proven on 2026-12-07 against firewall4 b6e5157 (as in OpenWrt 24.10), ucode 81205a2 and
# Debian 12's nftables 1.0.6, with the netifd of netifd_real.sh.
# BUILD_DIR holds this tree's s46d and s46ctl: the s46 zone's member is whatever interface
# reports data "zone" to netifd, and only the real handler, s46d and its hook do that.
#
# What it does: namespaces "cpe" (netifd, fw4), "isp" (veth wan0, IPv6 only, the AFTR's side)
# and "lan" (veth lan0, a LAN host), and inside cpe a private mount namespace with /usr, /etc,
# /var overlaid and /run a tmpfs, so fw4 finds /usr/share/firewall4, /usr/share/ucode,
# /etc/config and /var/run where OpenWrt has them without writing a byte of the host's files.
# /etc/config/firewall is firewall4's default; the package's uci-defaults script runs on it as
# default_postinst runs it at installation. netifd brings up lan, wan, wan6 and wan4 (proto
# s46, DS-Lite with a static AFTR), then fw4 renders, checks and loads its ruleset into the
# cpe namespace's nftables, and every check reads fw4's own answers, nft's ruleset or counters.
# shellcheck disable=SC2317  # cleanup and the inner half are reached through trap and re-exec
# shellcheck disable=SC2119  # openwrt_env.sh's functions take their own arguments, not the script's
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=openwrt_env.sh
. "$(dirname "$0")/openwrt_env.sh"

if [ "${1:-}" != --inner ]; then
	ow_outer_args "$@"
	ow_need_prefix "netifd is not in Debian: build it as docs/integration.md says" \
		sbin/netifd sbin/ubusd bin/ubus bin/jshn bin/uci share/libubox/jshn.sh lib/netifd/netifd-proto.sh \
		lib/netifd/utils.sh lib/functions.sh lib/functions/network.sh
	ow_need_prefix "ucode and firewall4 are not in Debian: build them as docs/integration.md says" \
		bin/utpl lib/ucode/fs.so lib/ucode/uci.so lib/ucode/ubus.so sbin/fw4 share/firewall4/main.uc \
		share/ucode/fw4.uc etc/config/firewall
	ow_need_host busybox ip unshare nsenter python3 nft flock
	id="s46fw$$"
	lan="$id-lan"
	ow_namespaces "$id-cpe" "$id-isp" "$lan"
	ip -n "$id-cpe" link add lan0 type veth peer name host0 netns "$lan"
	ip -n "$id-isp" addr add 203.0.113.1/24 dev isp0
	ip -n "$lan" link set lo up
	ip -n "$lan" link set host0 up
	ip -n "$lan" addr add 192.168.1.2/24 dev host0
	ip -n "$lan" route add default via 192.168.1.1
	ow_run_inner "$lan"
fi

# ---- inside the cpe namespace, in a private mount namespace ----
ow_inner "$@"
lan_ns=$7

# The LAN host's namespace, reachable once /run (and /run/netns with it) is covered below.
touch "$work/lan.netns"
mount --bind "/run/netns/$lan_ns" "$work/lan.netns"
ow_overlays s46fw usr etc var

# OpenWrt's file system, as far as netifd, the package and fw4 need it. ucode was built with
# OpenWrt's module path (/usr/lib/ucode, /usr/share/ucode), so fw4.uc is loaded from there.
ow_openwrt_fs ubus jshn uci utpl
mkdir -p /usr/lib/ucode /usr/share/ucode /usr/share/firewall4
cp "$prefix"/lib/ucode/*.so /usr/lib/ucode/
cp "$prefix/share/ucode/fw4.uc" /usr/share/ucode/
cp -a "$prefix/share/firewall4/." /usr/share/firewall4/
install -m755 "$prefix/sbin/fw4" /usr/sbin/fw4

install -D -m755 "$files/s46d.firewall" /etc/uci-defaults/90-s46d-firewall
# zones_named_s46: how many zone sections of /etc/config/firewall are named s46.
zones_named_s46() { uci -q show firewall | grep -c "^firewall\.[^.]*\.name='s46'\$" || true; }

# A zone s46 made before the package came (LuCI makes anonymous sections): the script must
# leave it alone, since fw4 renders two zones of one name into a ruleset nft refuses.
cp "$prefix/etc/config/firewall" /etc/config/firewall
printf "\nconfig zone\n\toption name 's46'\n\toption input 'REJECT'\n\toption output 'ACCEPT'\n\toption forward 'REJECT'\n" \
	>> /etc/config/firewall
check "an s46 zone made in LuCI: the uci-defaults script runs" sh /etc/uci-defaults/90-s46d-firewall
n=$(zones_named_s46)
check "an s46 zone made in LuCI: still one zone named s46 ($n)" test "$n" = 1
check "an s46 zone made in LuCI: nft -c accepts fw4's ruleset" bash -c "fw4 -q print 2>/dev/null | nft -c -f -"

# The firewall as a fresh image has it, then the package's uci-defaults script, run as
# default_postinst runs /etc/uci-defaults/* at installation (and deleted when it exits 0).
cp "$prefix/etc/config/firewall" /etc/config/firewall
check "the uci-defaults script runs on the default firewall config" sh /etc/uci-defaults/90-s46d-firewall
before=$(md5sum < /etc/config/firewall)
check "run again, it leaves an installed zone alone" sh /etc/uci-defaults/90-s46d-firewall
check "run again: /etc/config/firewall unchanged" test "$(md5sum < /etc/config/firewall)" = "$before"
n=$(zones_named_s46)
check "one zone named s46 ($n)" test "$n" = 1

ow_network_config "
config interface 'lan'
	option device 'lan0'
	option proto 'static'
	option ipaddr '192.168.1.1'
	option netmask '255.255.255.0'

config interface 'wan'
	option device 'wan0'
	option proto 'static'
	option ipaddr '203.0.113.2'
	option netmask '255.255.255.0'
"
ow_s46d_config
sysctl -qw net.ipv4.ip_forward=1

show_log() { echo "--- netifd's log"; tail -n 40 "$log"; }
ow_start_daemons

for iface in lan wan wan6; do
	wait_for 15 is "$iface" 's["up"]' True || { fail "$iface did not come up"; show_log; exit 1; }
done
# What the handler and s46d do for wan4 (netifd_real.sh checks it in detail): the AFTR's
# address comes from /etc/config/s46d; odhcp6c's Reply, here, from its real hook.
wait_for 15 test -S /var/run/s46d/wan4.sock || { fail "netifd did not start s46d for wan4"; show_log; exit 1; }
odhcp6c_bound
if ! wait_for 20 is wan4 's["up"]' True; then
	fail "wan4 (proto s46) did not come up"; show_log; exit 1
fi
pass "netifd: lan, wan, wan6 and wan4 (proto s46) up"
# What fw4 reads: the interface's l3_device and data "zone", in netifd's dump.
seen=$(ubus call network.interface dump | python3 -c '
import json, sys
i = [i for i in json.load(sys.stdin)["interface"] if i["interface"] == "wan4"][0]
print(i.get("l3_device"), i.get("data", {}).get("zone"))')
check "netifd's dump: wan4 has l3_device s46-wan4 and data zone s46 ($seen)" test "$seen" = "s46-wan4 s46"

# ---- fw4 ----
fw4 print > "$work/ruleset.nft" 2>"$work/fw4-print.err" || { fail "fw4 print: $(cat "$work/fw4-print.err")"; exit 1; }
echo "--- fw4 print's warnings"; cat "$work/fw4-print.err"
check "fw4 print: no warning about the s46 zone or forwarding" \
	bash -c "! grep -i 's46' '$work/fw4-print.err'"
check "nft -c accepts fw4's ruleset" nft -c -f "$work/ruleset.nft"
check "fw4 check" bash -c "fw4 check | grep -q 'Ruleset passes nftables check'"
check "fw4 start loads it" fw4 start

# chain NAME: the chain of table inet fw4, as nft lists it (rules one a line).
chain() { nft list chain inet fw4 "$1"; }
echo "--- the rules fw4 made for the s46 zone"
nft list table inet fw4 | grep -E 's46|srcnat' | sed 's/^\t*/  /'

zone=$(fw4 -q network wan4 || true)
check "fw4: interface wan4 is in zone s46 (its data 'zone' from the hook, over netifd): '$zone'" test "$zone" = s46
zone=$(fw4 -q device s46-wan4 || true)
check "fw4: device s46-wan4 is in zone s46: '$zone'" test "$zone" = s46
check "fw4: zone s46 covers s46-wan4" fw4 -q zone s46 s46-wan4
check "input: s46-wan4 jumps to input_s46" bash -c "nft list chain inet fw4 input | grep -q 'iifname \"s46-wan4\" jump input_s46'"
check "input_s46 ends in the zone's input policy (REJECT)" \
	bash -c "nft list chain inet fw4 input_s46 | grep -v '^\s*}' | grep 'jump\|accept\|drop\|reject' | tail -n 1 | grep -q 'jump reject_from_s46'"
check "reject_from_s46 rejects what comes in on s46-wan4" \
	bash -c "nft list chain inet fw4 reject_from_s46 | grep -q 'iifname \"s46-wan4\".*jump handle_reject'"
check "forward_s46 ends in the zone's forward policy (REJECT)" \
	bash -c "nft list chain inet fw4 forward_s46 | grep 'jump\|accept\|drop' | tail -n 1 | grep -q 'jump reject_to_s46\|jump reject_from_s46'"
check "forward_lan: lan -> s46 accepted" bash -c "nft list chain inet fw4 forward_lan | grep -q 'jump accept_to_s46'"
check "accept_to_s46 accepts what leaves through s46-wan4" \
	bash -c "nft list chain inet fw4 accept_to_s46 | grep -q 'oifname \"s46-wan4\".*accept'"
srcnat=$(chain srcnat)
case "$srcnat" in
	*'oifname "wan0" jump srcnat_wan'*) pass "srcnat: the wan zone keeps its masquerade (wan0)" ;;
	*) fail "srcnat: no jump to srcnat_wan for wan0: $srcnat" ;;
esac
case "$srcnat" in
	*s46*) fail "srcnat: a rule for the s46 zone: $srcnat" ;;
	*) pass "srcnat: nothing for s46-wan4" ;;
esac
check "no srcnat_s46 chain" bash -c "! nft list chain inet fw4 srcnat_s46 2>/dev/null"
check "no masquerade or snat anywhere for s46-wan4" \
	bash -c "! nft list table inet fw4 | grep -E 'masquerade|snat' | grep -q s46"

# ---- traffic: a LAN host's packets, counted after fw4's srcnat (priority 100) ----
nft -f - <<'EOF'
table ip s46fw_check {
	chain post {
		type filter hook postrouting priority 300; policy accept;
		oifname "s46-wan4" ip saddr 192.168.1.2 ip daddr 198.51.100.1 counter comment "softwire, source kept"
		oifname "s46-wan4" ip daddr 198.51.100.1 counter comment "softwire, any source"
		oifname "wan0" ip saddr 203.0.113.2 ip daddr 203.0.113.1 counter comment "wan, masqueraded"
	}
}
EOF
# counter COMMENT: the packets of the check table's rule with that comment.
counter() {
	nft list chain ip s46fw_check post | grep "comment \"$1\"" | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}
# Nothing answers behind the AFTR: the echo requests only have to leave.
nsenter --net="$work/lan.netns" ping -c 3 -i 0.2 -W 1 198.51.100.1 >"$work/ping" 2>&1 || true
nsenter --net="$work/lan.netns" ping -c 3 -i 0.2 -W 1 203.0.113.1 >>"$work/ping" 2>&1 || true
n=$(counter "softwire, any source")
check "lan host -> 198.51.100.1: forwarded out of s46-wan4 ($n of 3 packets)" test "${n:-0}" -ge 3
n=$(counter "softwire, source kept")
check "lan host -> 198.51.100.1: source 192.168.1.2 unchanged after srcnat ($n of 3)" test "${n:-0}" -ge 3
n=$(counter "wan, masqueraded")
check "lan host -> 203.0.113.1 on wan: masqueraded to 203.0.113.2 ($n of 3), so the check above can see NAT" \
	test "${n:-0}" -ge 3
echo "--- the LAN host's pings"; cat "$work/ping"
echo "--- the check table's counters"; nft list chain ip s46fw_check post | grep counter
n=$(nft list chain inet fw4 accept_to_s46 | sed -n 's/.*counter packets \([0-9]*\).*accept.*/\1/p' | head -n 1)
[ -z "$n" ] || pass "accept_to_s46 counted $n packets"

ow_finish
