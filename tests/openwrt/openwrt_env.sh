# shellcheck shell=sh
# The shell that netifd_real.sh and fw4_real.sh share: s46d's OpenWrt package under OpenWrt's
# REAL netifd and ubusd (built into OPENWRT_PREFIX as docs/integration.md says), in namespaces.
# Sourced, not run: both runners are bash with `set -euo pipefail`, and source it first
# (`. "$(dirname "$0")/openwrt_env.sh"`) in both halves (the outer one and its --inner re-exec).
# Written in POSIX sh (no `local`: helper variables are _ow_*), so that ctest's
# openwrt_shellcheck checks it with the package's scripts.
#
# Outer half (root, the host's namespaces), in this order:
#   ow_outer_args "$@"          usage; sets prefix and build (absolute) from OPENWRT_PREFIX BUILD_DIR
#   ow_need_prefix WHY FILE...  exit 77 (SKIP) unless $prefix/FILE exists, WHY saying how to build it
#   ow_need_host TOOL...        exit 2 without BUILD_DIR's s46d and s46ctl, 77 if not root or no TOOL
#   ow_namespaces CPE ISP [NS...]  work=$(mktemp -d), a trap that kills what runs in the
#                               namespaces, deletes them and $work; adds them all, and veth
#                               wan0 (CPE) <-> isp0 (ISP, 2001:db8:1::1/64)
#   ow_run_inner [ARG...]       probes the data plane (prints "data plane: ..."), re-runs "$0"
#                               --inner in CPE in a private mount namespace, and exits with it
# Inner half (in CPE's network namespace, a private mount namespace):
#   ow_inner "$@"               sets prefix build repo work dataplane ($2..$6; ow_run_inner's
#                               ARGs are $7...), files (the package's), log (netifd's)
#   ow_overlays TAG DIR...      overlays /DIR (writes go to $work), /run a tmpfs, /var/run/{ubus,s46d}
#   ow_openwrt_fs BIN...        /bin/sh busybox, $prefix/bin/BIN in /usr/bin, OpenWrt's shell
#                               libraries and netifd's scripts, the package's files, s46d, s46ctl
#   ow_network_config [SECTIONS]  /etc/config/network: loopback, SECTIONS (uci text), wan6
#                               (static $B4/64 on wan0), wan4 (proto s46, DS-Lite, $dataplane)
#   ow_s46d_config              /etc/config/s46d: the shipped one, log on stderr, static AFTR $AFTR
#   ow_start_daemons            [busybox syslogd to $syslog, if the caller set syslog], ubusd,
#                               netifd (log in $log); stop_daemons on EXIT stops them in order
#   ow_finish                   show_log and exit 1 if a check failed, else "all checks passed"
# and the helpers below: pass, fail, check, wait_for, status, is, expect, odhcp6c_bound.
# The caller defines show_log (what to print when something fails) before ow_start_daemons.

AFTR=2001:db8:ff::1
B4=2001:db8:1::2

usage() { echo "usage: $0 OPENWRT_PREFIX BUILD_DIR" >&2; exit 2; }

ow_outer_args() {
	[ $# -eq 2 ] || usage
	prefix=$(cd "$1" 2>/dev/null && pwd) || { echo "SKIP: OPENWRT_PREFIX $1 is not a directory" >&2; exit 77; }
	build=$(cd "$2" 2>/dev/null && pwd) || { echo "$0: BUILD_DIR $2 is not a directory" >&2; exit 2; }
}

ow_need_prefix() {
	_ow_why=$1
	shift
	for _ow_f in "$@"; do
		[ -e "$prefix/$_ow_f" ] || { echo "SKIP: $prefix/$_ow_f is missing ($_ow_why)" >&2; exit 77; }
	done
}

ow_need_host() {
	for _ow_f in platform/s46d platform/s46ctl; do
		[ -x "$build/$_ow_f" ] || { echo "$0: $build/$_ow_f is missing (build the s46d and s46ctl targets)" >&2; exit 2; }
	done
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network and mount namespaces)" >&2; exit 77; }
	for _ow_tool in "$@"; do
		command -v "$_ow_tool" >/dev/null || { echo "SKIP: $_ow_tool is not installed" >&2; exit 77; }
	done
}

# Whatever still runs in the namespaces was started here (netifd, ubusd, s46d).
cleanup() {
	for _ow_ns in $ow_netns; do
		for _ow_pid in $(ip netns pids "$_ow_ns" 2>/dev/null); do kill -KILL "$_ow_pid" 2>/dev/null || true; done
		ip netns del "$_ow_ns" 2>/dev/null || true
	done
	rm -rf "$work"
}

ow_namespaces() {
	ow_cpe=$1
	ow_netns="$*"
	work=$(mktemp -d)
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	for _ow_ns in "$@"; do ip netns add "$_ow_ns"; done
	ip -n "$1" link add wan0 type veth peer name isp0 netns "$2"
	ip -n "$2" link set lo up
	ip -n "$2" link set isp0 up
	ip -n "$2" -6 addr add 2001:db8:1::1/64 dev isp0 nodad
	ip netns exec "$1" sysctl -qw net.ipv6.conf.wan0.accept_dad=0
}

ow_run_inner() {
	# s46d's kernel data plane needs ip6_tunnel; without it (some VM kernels) the TUN one.
	dataplane=userspace
	if ip -n "$ow_cpe" link add s46probe type ip6tnl mode ipip6 2>/dev/null; then
		ip -n "$ow_cpe" link del s46probe
		dataplane=kernel
	fi
	echo "data plane: $dataplane"
	repo=$(cd "$(dirname "$0")/../.." && pwd)
	_ow_status=0
	# In the background, so that a signal here is handled at once (wait returns), not after it.
	ip netns exec "$ow_cpe" unshare --mount --propagation private \
		"$0" --inner "$prefix" "$build" "$repo" "$work" "$dataplane" "$@" &
	wait $! || _ow_status=$?
	exit "$_ow_status"
}

# ---- inside the cpe namespace, in a private mount namespace ----
ow_inner() {
	prefix=$2 build=$3 repo=$4 work=$5 dataplane=$6
	files="$repo/packaging/openwrt/files"
	log="$work/netifd.log"
}

ow_overlays() {
	_ow_tag=$1
	shift
	for _ow_dir in "$@"; do
		mkdir -p "$work/$_ow_dir.up" "$work/$_ow_dir.wk"
		mount -t overlay "$_ow_tag-$_ow_dir" \
			-o "lowerdir=/$_ow_dir,upperdir=$work/$_ow_dir.up,workdir=$work/$_ow_dir.wk" "/$_ow_dir"
	done
	mount -t tmpfs "$_ow_tag-run" /run
	mkdir -p /var/run/ubus /var/run/s46d
}

# OpenWrt's file system, as far as netifd and the package need it.
ow_openwrt_fs() {
	ln -sf /usr/bin/busybox /usr/bin/sh
	for _ow_b in "$@"; do ln -sf "$prefix/bin/$_ow_b" "/usr/bin/$_ow_b"; done
	mkdir -p /usr/share/libubox /lib/functions /lib/netifd/proto /etc/config /etc/s46d/hooks.d /etc/odhcp6c.user.d
	cp "$prefix/share/libubox/jshn.sh" /usr/share/libubox/
	cp "$prefix/lib/functions.sh" /lib/
	cp "$prefix/lib/functions/network.sh" /lib/functions/
	cp "$prefix/lib/netifd/netifd-proto.sh" "$prefix/lib/netifd/utils.sh" /lib/netifd/
	# The package's files where packaging/openwrt/Makefile installs them.
	install -m755 "$files/s46.sh" /lib/netifd/proto/s46.sh
	install -m755 "$files/s46.script" /lib/netifd/s46.script
	ln -sf /lib/netifd/s46.script /etc/s46d/hooks.d/00-netifd
	install -m755 "$files/s46d.odhcp6c" /etc/odhcp6c.user.d/s46d
	install -m755 "$build/platform/s46d" /usr/sbin/s46d
	install -m755 "$build/platform/s46ctl" /usr/sbin/s46ctl
}

ow_network_config() {
	cat > /etc/config/network <<EOF
config interface 'loopback'
	option device 'lo'
	option proto 'static'
	option ipaddr '127.0.0.1'
	option netmask '255.0.0.0'
${1:-}
config interface 'wan6'
	option device 'wan0'
	option proto 'static'
	option ip6addr '$B4/64'
	option ip6gw '2001:db8:1::1'

config interface 'wan4'
	option proto 's46'
	option mode 'dslite'
	option dataplane '$dataplane'
EOF
}

# The shipped /etc/config/s46d, with a static AFTR (no DHCPv6 server here) and s46d's log on
# stderr, which netifd copies into its own log.
ow_s46d_config() {
	sed -e "s/option target 'syslog'/option target 'stderr'/" "$files/s46d.config" > /etc/config/s46d
	printf "\nconfig static_dslite\n\toption aftr_address '%s'\n" "$AFTR" >> /etc/config/s46d
}

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
# check WHAT COMMAND...: COMMAND succeeds, or WHAT failed.
check() {
	_ow_what="$1"
	shift
	if "$@"; then pass "$_ow_what"; else fail "$_ow_what"; fi
}

# wait_for SECONDS COMMAND...: COMMAND succeeds within SECONDS.
wait_for() {
	_ow_tries=$(($1 * 5))
	shift
	while [ "$_ow_tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_ow_tries=$((_ow_tries - 1))
	done
	return 1
}

syslogd_pid=
ubusd_pid=
netifd_pid=
# The namespaces go with the outer half's trap; this one stops the daemons first, so that
# netifd's teardown (SIGTERM to s46d) runs as on a real shutdown.
stop_daemons() {
	[ -z "$netifd_pid" ] || kill -TERM "$netifd_pid" 2>/dev/null || true
	sleep 1
	kill -TERM "$ubusd_pid" ${syslogd_pid:+"$syslogd_pid"} 2>/dev/null || true
	wait 2>/dev/null || true
}

ow_start_daemons() {
	# logread's view: the handler's reasons go to syslog (logger), /dev/log of this mount namespace.
	if [ -n "${syslog:-}" ]; then
		busybox syslogd -n -O "$syslog" &
		syslogd_pid=$!
	fi
	"$prefix/sbin/ubusd" -s /var/run/ubus/ubus.sock 2>"$work/ubusd.log" &
	ubusd_pid=$!
	trap stop_daemons EXIT
	wait_for 10 test -S /var/run/ubus/ubus.sock || { echo "ubusd did not start: $(cat "$work/ubusd.log")"; exit 1; }
	# netifd's own options put everything else in place: its log on stderr, no hotplug script.
	"$prefix/sbin/netifd" -S -l 4 -s /var/run/ubus/ubus.sock -h /bin/true -r "$work/resolv.conf" 2>"$log" &
	netifd_pid=$!
}

# status IFACE PYTHON-EXPRESSION: the expression over netifd's status of IFACE (s), printed.
status() {
	ubus call "network.interface.$1" status 2>/dev/null |
		python3 -c 'import json, sys; s = json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
}
# is IFACE EXPRESSION VALUE: the expression is VALUE now.
is() { [ "$(status "$1" "$2" 2>/dev/null)" = "$3" ]; }
# expect IFACE EXPRESSION VALUE WHAT: check it, and say what netifd showed if not.
expect() {
	_ow_got=$(status "$1" "$2" 2>&1) || true
	if [ "$_ow_got" = "$3" ]; then pass "$4: $_ow_got"; else fail "$4: $2 is '$_ow_got', not '$3'"; fi
}

# What odhcp6c's dhcpv6.script does after a Reply: run the package's hook with the Reply in
# its environment (here the IA_NA address, as odhcp6c formats it; the AFTR is static).
# odhcp6c_bound [NAME=VALUE...]: more of the Reply's options.
odhcp6c_bound() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin INTERFACE=wan6 ADDRESSES="$B4/128,3600,7200" "$@" \
		/etc/odhcp6c.user.d/s46d wan0 bound
}

ow_finish() {
	if [ "$failures" -ne 0 ]; then
		show_log
		echo "$failures check(s) failed"
		exit 1
	fi
	echo "all checks passed"
}
