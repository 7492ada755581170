#!/bin/bash
# s46d's netifd protocol handler (packaging/openwrt/files/s46.sh) and hook (s46.script) under
# OpenWrt's REAL netifd and ubusd, not the stubs of netifd_handler_test.sh. Opt-in, root only:
#
#   tests/openwrt/netifd_real.sh OPENWRT_PREFIX BUILD_DIR
#
# OPENWRT_PREFIX holds netifd, ubusd, ubus and jshn built from OpenWrt's source, with netifd's
# scripts and OpenWrt's shell libraries beside them, laid out as docs/integration.md
# "Running the handler under the real netifd" builds it:
#   sbin/netifd sbin/ubusd bin/ubus bin/jshn share/libubox/jshn.sh
#   lib/netifd/netifd-proto.sh lib/netifd/utils.sh lib/functions.sh lib/functions/network.sh
# netifd is not packaged in Debian, so without them the script exits 77 (skipped). BUILD_DIR
# holds this tree's s46d and s46ctl (platform/s46d, platform/s46ctl).
#
# What it does: a network namespace "cpe" (veth to a second namespace, the ISP) and, inside it,
# a private mount namespace in which /usr, /etc, /var and /dev are overlays and /run a tmpfs: netifd
# and its scripts hard-code /lib/netifd, /etc/config, /usr/share/libubox and /var/run/ubus, and
# the overlays let them exist there without writing a byte of the host's files. /bin/sh is
# busybox there, as on OpenWrt (jshn.sh needs ash, not dash). ubusd and netifd run with an
# /etc/config/network holding wan6 (static IPv6 on the veth) and wan4 (proto s46, no tunlink:
# the handler finds wan6 with network_find_wan6); odhcp6c's
# part is played by the package's real odhcp6c hook (/etc/odhcp6c.user.d/s46d) run with the
# environment odhcp6c gives it. Every check reads netifd's own view (ubus ... status) or the
# kernel's, and fails loudly.
# shellcheck disable=SC2317  # cleanup and the inner half are reached through trap and re-exec
# shellcheck disable=SC2119  # openwrt_env.sh's functions take their own arguments, not the script's
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=openwrt_env.sh
. "$(dirname "$0")/openwrt_env.sh"

if [ "${1:-}" != --inner ]; then
	ow_outer_args "$@"
	ow_need_prefix "netifd is not in Debian: build it as docs/integration.md says" \
		sbin/netifd sbin/ubusd bin/ubus bin/jshn share/libubox/jshn.sh lib/netifd/netifd-proto.sh \
		lib/netifd/utils.sh lib/functions.sh lib/functions/network.sh
	ow_need_host busybox ip unshare python3
	id="s46nr$$"
	ow_namespaces "$id-cpe" "$id-isp"
	ow_run_inner
fi

# ---- inside the cpe namespace, in a private mount namespace ----
ow_inner "$@"
syslog="$work/syslog"
ow_overlays s46nr usr etc var dev
# OpenWrt's file system, as far as netifd and the package need it.
ow_openwrt_fs ubus jshn
[ ! -e "$prefix/bin/uci" ] || ln -sf "$prefix/bin/uci" /usr/bin/uci
ow_network_config
ow_s46d_config

show_log() { echo "--- netifd's log"; tail -n 60 "$log"; echo "--- syslog"; tail -n 20 "$syslog"; }
ow_start_daemons

# The s46d processes of this network namespace (the host's and other tests' are elsewhere).
s46d_pids() {
	local ns p
	ns=$(readlink /proc/self/ns/net)
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = s46d ] && [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$ns" ] &&
			echo "${p#/proc/}"
	done
	return 0
}
no_s46d() { [ -z "$(s46d_pids)" ]; }
has_s46d() { [ -n "$(s46d_pids)" ]; }
has_link() { ip link show dev "$1" >/dev/null 2>&1; }
no_link() { ! has_link "$1"; }

wait_for 15 is wan6 's["up"]' True || { fail "wan6 did not come up"; show_log; exit 1; }
pass "wan6 up (static IPv6 on wan0)"
wait_for 15 has_s46d || fail "netifd did not start s46d for wan4"
check "setup found wan6 and feeds s46d from its odhcp6c" grep -qx /var/run/s46d/wan4.sock /var/run/s46d/odhcp6c.wan6
odhcp6c_bound
if wait_for 20 is wan4 's["up"]' True; then
	pass "wan4 up"
else
	fail "wan4 did not come up"; show_log
fi
expect wan4 's["proto"]' s46 "proto"
expect wan4 's["l3_device"]' s46-wan4 "the softwire device s46d reported"
expect wan4 '[(a["address"], a["mask"]) for a in s["ipv4-address"]]' "[('192.0.0.2', 32)]" "IPv4 address (RFC 6333 B4)"
expect wan4 '[(r["target"], r["mask"], r.get("nexthop")) for r in s["route"]]' "[('0.0.0.0', 0, '0.0.0.0')]" "routes"
expect wan4 's["data"]["mode"]' dslite "mode s46d chose"
expect wan4 's["data"]["remote"]' "$AFTR" "the AFTR"
expect wan4 's["data"]["local"]' "$B4" "the B4 address"
expect wan4 's["data"]["zone"]' s46 "firewall zone"
tunnel=$(ip -d link show dev s46-wan4 2>&1) || true
case "$dataplane:$tunnel" in
	kernel:*"ip6tnl ipip"*"remote $AFTR local $B4"*) pass "kernel: s46-wan4 is an ipip6 tunnel to the AFTR" ;;
	userspace:*"tun type tun"*) pass "kernel: s46-wan4 is s46d's TUN device" ;;
	*) fail "kernel: s46-wan4 is not the $dataplane softwire: $tunnel" ;;
esac
default_via_tunnel() { ip -4 route show default | grep -q 'dev s46-wan4'; }
check "kernel: IPv4 default route via s46-wan4" default_via_tunnel

first=$(s46d_pids)
ubus call network.interface.wan4 down
check "ifdown wan4: s46d ($first) stopped" wait_for 10 no_s46d
check "ifdown wan4: s46-wan4 removed" wait_for 10 no_link s46-wan4
expect wan4 's["up"]' False "ifdown wan4: netifd shows it down"
check "ifdown wan4: the odhcp6c feed for wan6 is gone" test ! -e /var/run/s46d/odhcp6c.wan6

ubus call network.interface.wan4 up
wait_for 15 has_s46d || fail "ifup wan4: netifd did not start s46d again"
again=$(s46d_pids)
odhcp6c_bound
if wait_for 20 is wan4 's["up"]' True; then
	pass "ifup wan4: up again (s46d $again, was $first)"
else
	fail "ifup wan4: wan4 did not come up again"; show_log
fi
expect wan4 '[a["address"] for a in s["ipv4-address"]]' "['192.0.0.2']" "ifup wan4: IPv4 address"
check "ifup wan4: a new s46d ($again)" test -n "$again" -a "$again" != "$first"

# s46d dies: netifd sees its process end and sets wan4 up again; the new s46d comes back from
# its stored lease (only an orderly stop releases it), with no new Reply.
kill -KILL "$again"
restarted() { has_s46d && [ "$(s46d_pids)" != "$again" ]; }
check "s46d killed: netifd starts it again" wait_for 20 restarted
check "s46d killed: wan4 up again from the stored lease, no new Reply" wait_for 20 is wan4 's["up"]' True
expect wan4 's["data"]["mode"]' dslite "s46d killed: mode"

# A bad option: the handler refuses it and netifd records the error; s46d does not start.
uci set network.wan4.mtu=1200
uci commit network
ubus call network reload
if wait_for 15 is wan4 '[e["code"] for e in s.get("errors", [])]' "['INVALID_MTU']"; then
	pass "mtu 1200: netifd records $(status wan4 's["errors"]')"
else
	fail "mtu 1200: no INVALID_MTU in netifd's status: $(status wan4 's.get("errors")')"
fi
expect wan4 's["up"]' False "mtu 1200: wan4 stays down"
check "mtu 1200: no s46d runs" wait_for 10 no_s46d
check "mtu 1200: the reason is in syslog" grep -q "s46\[wan4\]: option mtu: '1200' is not an IPv4 MTU" "$syslog"
# proto_block_restart leaves autostart off: fixing the option and reloading keeps wan4 down
# until ifup, so a refused configuration never loops.
expect wan4 's["autostart"]' False "mtu 1200: proto_block_restart turned autostart off"

# MAP-E from odhcp6c's MAPE and PREFIXES (RFC 7597 §5: EA bits 0x1234 of the delegated /56
# under the /40 rule: IPv4 suffix 0x12, PSID 0x34 with offset 6, 8 bits).
uci delete network.wan4.mtu
uci set network.wan4.mode=mape
uci commit network
sed -i '/^config static_dslite/,$d' /etc/config/s46d
ubus call network reload
ubus call network.interface.wan4 up
check "mape: netifd starts s46d" wait_for 15 has_s46d
odhcp6c_bound PREFIXES="2001:db8:12:3400::/56,3600,7200" \
	MAPE="type=4,ealen=16,prefix4len=24,prefix6len=40,ipv4prefix=192.0.2.0,ipv6prefix=2001:db8::,offset=6,br=2001:db8:ffff::1"
check "mape: wan4 up" wait_for 20 is wan4 's["up"]' True
expect wan4 's["errors"] if "errors" in s else None' None "mape: the earlier error is gone"
expect wan4 's["data"]["mode"]' mape "mape: mode"
expect wan4 '[(a["address"], a["mask"]) for a in s["ipv4-address"]]' "[('192.0.2.18', 32)]" "mape: IPv4 address"
expect wan4 '(s["data"]["psid_offset"], s["data"]["psid_len"], s["data"]["psid"])' "(6, 8, 52)" "mape: port set (offset, length, PSID)"
expect wan4 's["data"]["remote"]' 2001:db8:ffff::1 "mape: the BR"
# RFC 7597 §5.1: with offset 6 and 8 PSID bits, A = 1..63 each gives 2^(16-6-8) = 4 ports
# starting at A * 1024 + PSID * 4.
expect wan4 's["data"]["ports"]' "$(python3 -c 'print(" ".join(f"{a * 1024 + 52 * 4}-{a * 1024 + 52 * 4 + 3}" for a in range(1, 64)))')" \
	"mape: the port set's ranges"

# A new delegated prefix (EA bits 0x1235): s46d's change hook updates netifd while wan4 is up.
odhcp6c_bound PREFIXES="2001:db8:12:3500::/56,3600,7200" \
	MAPE="type=4,ealen=16,prefix4len=24,prefix6len=40,ipv4prefix=192.0.2.0,ipv6prefix=2001:db8::,offset=6,br=2001:db8:ffff::1"
check "mape, new prefix: netifd shows PSID 53" wait_for 20 is wan4 's["data"]["psid"]' 53
expect wan4 '(s["up"], [a["address"] for a in s["ipv4-address"]])' "(True, ['192.0.2.18'])" "mape, new prefix: still up, same IPv4 address"
check "mape, new prefix: reported by the change hook" grep -q "hook 00-netifd (change): exit status 0" "$log"

ow_finish
