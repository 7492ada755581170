#!/bin/sh
# The OpenWrt scripts against stubs of netifd (stub/): the proto handler
# (packaging/openwrt/files/s46.sh) with the real s46ctl and s46d, the s46d hook that reports to
# netifd (s46.script) and the odhcp6c hook (s46d.odhcp6c). Each case asserts on the recorded
# calls. Run under busybox sh, OpenWrt's shell:
#   busybox sh tests/openwrt/netifd_handler_test.sh S46CTL S46D
# busybox sh has `local`; the sourced files are found at run time; the handler reads the
# variables set before sourcing it; `a && b || fail` is meant as "fail unless both hold".
# shellcheck shell=sh disable=SC3043,SC1091,SC2034,SC2317,SC2016,SC2015

set -u
here=$(cd "$(dirname "$0")" && pwd)
files="$here/../../packaging/openwrt/files"
s46ctl_bin=$1
s46d_bin=$2

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin"
ln -s "$s46ctl_bin" "$T/bin/s46ctl"
ln -s "$s46d_bin" "$T/bin/s46d"
PATH="$T/bin:$here/stub/bin:$PATH"
CALLS="$T/calls"
export PATH CALLS

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_call LINE: LINE was recorded, exactly.
expect_call() { grep -qxF -- "$1" "$CALLS" || fail "$case: no call '$1' in:$(printf '\n'; cat "$CALLS")"; }
# expect_no PATTERN: no recorded call starts with PATTERN.
expect_no() { ! grep -q "^$1" "$CALLS" || fail "$case: unexpected '$1' in:$(printf '\n'; cat "$CALLS")"; }
# expect_calls LINE...: exactly these calls, in this order.
expect_calls() {
	: > "$T/expected"
	[ $# = 0 ] || printf '%s\n' "$@" > "$T/expected"
	cmp -s "$T/expected" "$CALLS" || fail "$case: calls differ:$(printf '\n'; diff "$T/expected" "$CALLS")"
}
start() { case=$1; : > "$CALLS"; rm -rf "$T/run"; mkdir -p "$T/run"; }

# ---- the proto handler ------------------------------------------------------------------
# setup CFG...: runs proto_s46_setup for interface wan4 in a subshell with CFG_* options.
setup() {
	(
		INCLUDE_ONLY=1
		S46_UCI=${UCI:-$files/s46d.config}
		S46_RUN=$T/run
		. "$here/stub/lib/functions.sh"
		. "$here/stub/lib/functions/network.sh"
		. "$here/stub/lib/netifd/netifd-proto.sh"
		. "$files/s46.sh"
		# busybox may run its own logger applet before a command on PATH: a function comes first.
		logger() { echo "logger $*" >> "$CALLS"; }
		for assignment in "$@"; do eval "CFG_$assignment"; done
		proto_s46_setup "${IFACE:-wan4}" ""
	)
}
# teardown CFG... / renew CFG...: netifd's other two calls of the handler, for wan4.
handler_call() {
	(
		action=$1
		shift
		INCLUDE_ONLY=1
		S46_RUN=$T/run
		. "$here/stub/lib/netifd/netifd-proto.sh"
		. "$files/s46.sh"
		for assignment in "$@"; do eval "CFG_$assignment"; done
		"proto_s46_$action" wan4 ""
	)
}
teardown() { handler_call teardown "$@"; }
renew() { handler_call renew "$@"; }
STUB_WAN6=wan6
STUB_WAN6_DEVICE=eth1
export STUB_WAN6 STUB_WAN6_DEVICE

start "odhcp6c provisioning with every option"
setup tunlink=wan6 mtu=1460 encaplimit=4 legacymap=1 zone=wan mode=mape
expect_calls \
	"proto_add_host_dependency wan4 :: wan6" \
	"proto_run_command wan4 /usr/sbin/s46d --config $T/run/wan4.json --tunnel-device s46-wan4 --control-socket $T/run/wan4.sock --state-dir /var/lib/s46d/wan4 --mode mape --wan-mtu 1500 --encapsulation-limit 4 --legacy-iid --wan-interface eth1 --no-dhcp-client" \
	"ubus call network.interface.wan6 renew"
[ "$(cat "$T/run/odhcp6c.wan6" 2>/dev/null)" = "$T/run/wan4.sock" ] || fail "$case: odhcp6c.wan6 does not name the control socket"
[ "$(cat "$T/run/wan4.zone" 2>/dev/null)" = wan ] || fail "$case: wan4.zone is not wan"
"$s46d_bin" --check-config "$T/run/wan4.json" --wan-interface eth1 >/dev/null || fail "$case: the translated file does not pass s46d --check-config"

start "defaults: the WAN6 interface, odhcp6c, zone s46, the rest from /etc/config/s46d"
setup
expect_call "proto_add_host_dependency wan4 :: wan6"
expect_call "proto_run_command wan4 /usr/sbin/s46d --config $T/run/wan4.json --tunnel-device s46-wan4 --control-socket $T/run/wan4.sock --state-dir /var/lib/s46d/wan4 --wan-interface eth1 --no-dhcp-client"
[ "$(cat "$T/run/wan4.zone" 2>/dev/null)" = s46 ] || fail "$case: the default zone is not s46"

start "s46d's own DHCPv6 client on a named device"
setup wandev=eth9 provision=dhcpv6 dataplane=userspace encaplimit=ignore
expect_calls "proto_run_command wan4 /usr/sbin/s46d --config $T/run/wan4.json --tunnel-device s46-wan4 --control-socket $T/run/wan4.sock --state-dir /var/lib/s46d/wan4 --dataplane userspace --encapsulation-limit off --wan-interface eth9"
for feed in "$T"/run/odhcp6c.*; do [ ! -e "$feed" ] || fail "$case: an odhcp6c feed was set up ($feed)"; done

# refused CODE OPTION CFG...: the setup stops with CODE, logs a line naming OPTION, blocks restarts.
refused() {
	local code="$1" option="$2" iface="${IFACE:-wan4}"
	shift 2
	setup "$@"
	expect_call "proto_notify_error $iface $code"
	expect_call "proto_block_restart $iface"
	grep -F "logger -t s46[$iface] " "$CALLS" | grep -qF -- "$option" || fail "$case: the log does not name '$option':$(printf '\n'; cat "$CALLS")"
	expect_no proto_run_command
}
start "mtu out of range"; refused INVALID_MTU "option mtu: '1200'" mtu=1200
start "mtu not a number"; refused INVALID_MTU "option mtu: '15x0'" mtu=15x0
start "bad mode"; refused INVALID_MODE "option mode: 'map'" mode=map
start "bad provision"; refused INVALID_PROVISION "option provision: 'dhcp'" provision=dhcp
start "bad dataplane"; refused INVALID_DATAPLANE "option dataplane" dataplane=tun
start "bad encaplimit"; refused INVALID_ENCAPLIMIT "option encaplimit: '256'" encaplimit=256
start "bad legacymap"; refused INVALID_LEGACYMAP "option legacymap" legacymap=2
start "odhcp6c with a device but no tunlink"; refused NO_WAN_LINK "option tunlink" wandev=eth9
start "interface name too long"; IFACE=averylongname refused INVALID_NAME "interface name 'averylongname'"
start "no WAN6 interface"; STUB_WAN6='' refused NO_WAN_LINK "option tunlink"

start "a bad option in /etc/config/s46d"
printf "config tunnel\n\toption mut '1500'\n" > "$T/bad.uci"
UCI="$T/bad.uci" refused INVALID_CONFIG "bad.uci:2: option mut (config tunnel): unknown option"

start "dataplane none in /etc/config/s46d"
printf "config dataplane\n\toption backend 'none'\n" > "$T/none.uci"
UCI="$T/none.uci" refused INVALID_DATAPLANE "dataplane.backend is none"
start "dataplane none in /etc/config/s46d, but the interface names one"
UCI="$T/none.uci" setup dataplane=kernel
expect_call "proto_run_command wan4 /usr/sbin/s46d --config $T/run/wan4.json --tunnel-device s46-wan4 --control-socket $T/run/wan4.sock --state-dir /var/lib/s46d/wan4 --dataplane kernel --wan-interface eth1 --no-dhcp-client"

start "tunlink not up yet: no block, netifd retries on the dependency"
STUB_WAN6_DEVICE='' setup tunlink=wan6
expect_call "proto_notify_error wan4 NO_WAN_LINK"
expect_no proto_block_restart
expect_no proto_run_command

start "teardown"
echo "$T/run/wan4.sock" > "$T/run/odhcp6c.wan6"; : > "$T/run/wan4.zone"
teardown tunlink=wan6
expect_calls "proto_kill_command wan4"
[ ! -e "$T/run/odhcp6c.wan6" ] && [ ! -e "$T/run/wan4.zone" ] || fail "$case: the feed and zone files are left"

# Without option tunlink setup found wan6 itself: teardown finds it from the feed file, and
# leaves another interface's feed alone (a stale feed makes the odhcp6c hook wait up to 10 s on every event).
start "teardown of an interface that found its WAN6 itself"
setup
echo "$T/run/wan5.sock" > "$T/run/odhcp6c.wan7"
teardown
[ ! -e "$T/run/odhcp6c.wan6" ] || fail "$case: the feed for wan6 is left"
[ -e "$T/run/odhcp6c.wan7" ] || fail "$case: another interface's feed was removed"

# renew: odhcp6c on the uplink that feeds this s46d renews, found as teardown finds it.
start "renew with odhcp6c and the WAN6 interface found by setup"
setup
: > "$CALLS"
renew provision=odhcp6c
expect_calls "ubus call network.interface.wan6 renew"

# ---- the s46d hook that reports to netifd -------------------------------------------------
# hook VAR=value...: runs s46.script with only the environment s46d gives a hook.
hook() {
	env -i PATH="$PATH" CALLS="$CALLS" NETIFD_ROOT="$here/stub" S46_RUN="$T/run" "$@" busybox sh "$files/s46.script" ||
		fail "$case: s46.script exited $?"
}
mape_env="S46_EVENT=up S46_MODE=mape S46_DATAPLANE=kernel S46_DEVICE=s46-wan4 S46_WAN_INTERFACE=eth1 S46_LOCAL=2001:db8:12:3400:0:c000:234:34 S46_REMOTE=2001:db8:ffff::1 S46_IPV4=192.0.2.52 S46_NAPT=1 S46_PSID_OFFSET=6 S46_PSID_LEN=8 S46_PSID=52 S46_PORTS=1232-1235 S46_MTU=1460 S46_FMRS=0"

start "hook: MAP-E up"
echo s46 > "$T/run/wan4.zone"
# shellcheck disable=SC2086
hook $mape_env
expect_calls \
	"proto_init_update s46-wan4 1" \
	"proto_add_ipv4_address 192.0.2.52 32" \
	"proto_add_ipv4_route 0.0.0.0 0" \
	"proto_add_data" \
	"json_add_string zone s46" \
	"json_add_string mode mape" \
	"json_add_string local 2001:db8:12:3400:0:c000:234:34" \
	"json_add_string remote 2001:db8:ffff::1" \
	"json_add_int mtu 1460" \
	"json_add_int psid_offset 6" \
	"json_add_int psid_len 8" \
	"json_add_int psid 52" \
	"json_add_string ports 1232-1235" \
	"proto_close_data" \
	"proto_send_update wan4"

start "hook: a GI-4over6 prefix on change"
echo wan > "$T/run/wan4.zone"
hook S46_EVENT=change S46_MODE=lw4o6 S46_DEVICE=s46-wan4 S46_IPV4=192.0.2.16/28 S46_MTU=1460
expect_call "proto_add_ipv4_address 192.0.2.16 28"
expect_call "json_add_string zone wan"
expect_call "proto_send_update wan4"

start "hook: down"
echo s46 > "$T/run/wan4.zone"
hook S46_EVENT=down S46_MODE=none S46_DEVICE=s46-wan4 S46_DATAPLANE=kernel
expect_calls "proto_init_update s46-wan4 0" "proto_send_update wan4"

start "hook: an s46d netifd did not start"
hook S46_EVENT=up S46_MODE=dslite S46_DEVICE=s46tnl0 S46_IPV4=192.0.0.2
expect_calls
hook S46_EVENT=up S46_MODE=dslite S46_DEVICE=s46-lan S46_IPV4=192.0.0.2
expect_calls

# ---- the odhcp6c hook ----------------------------------------------------------------------
# odhcp6c STATE VAR=value...: sources s46d.odhcp6c in a subshell, as dhcpv6.script does, with a
# recording s46ctl that also notes the MAPE it saw.
mkdir -p "$T/feedbin"
cat > "$T/feedbin/s46ctl" <<'STUB'
#!/bin/sh
echo "s46ctl $* MAPE=${MAPE-unset}" >> "$CALLS"
STUB
chmod +x "$T/feedbin/s46ctl"
odhcp6c() {
	local state="$1"
	shift
	env PATH="$T/feedbin:$PATH" S46_RUN="$T/run" INTERFACE=wan6 "$@" busybox sh -c '. "$0" eth1 "$1"' "$files/s46d.odhcp6c" "$state"
}
make_socket() { python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"; }

start "odhcp6c: bound feeds s46d"
make_socket "$T/run/wan4.sock"
echo "$T/run/wan4.sock" > "$T/run/odhcp6c.wan6"
odhcp6c bound MAPE="type=4,ealen=16"
expect_calls "s46ctl --control-socket $T/run/wan4.sock provision --odhcp6c-env MAPE=type=4,ealen=16"

start "odhcp6c: unbound withdraws"
make_socket "$T/run/wan4.sock"
echo "$T/run/wan4.sock" > "$T/run/odhcp6c.wan6"
odhcp6c unbound MAPE="type=4,ealen=16"
expect_calls "s46ctl --control-socket $T/run/wan4.sock provision --odhcp6c-env MAPE=unset"

start "odhcp6c: no s46 interface on wan6"
odhcp6c bound MAPE="type=4"
expect_calls

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all OpenWrt script cases passed"
