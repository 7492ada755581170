#!/bin/sh
# OpenWrt's ash has `local`; netifd-proto.sh and the functions libraries exist only on the target.
# shellcheck disable=SC3043,SC1091
# netifd protocol handler "s46": an interface in /etc/config/network with `option proto 's46'`
# runs s46d (DS-Lite, lw4o6 or MAP-E, whichever the DHCPv6 options select). netifd starts and
# stops s46d through proto_run_command/proto_kill_command; s46d reports the tunnel, its IPv4
# address and the default route back through its hook /etc/s46d/hooks.d/00-netifd
# (/lib/netifd/s46.script), so the interface shows in ifstatus and LuCI like any other.
#
# Options (docs/integration.md "OpenWrt"):
#   tunlink     logical interface of the IPv6 uplink (default: the WAN6 interface netifd finds)
#   wandev      or the WAN device itself (instead of tunlink)
#   provision   odhcp6c (default): odhcp6c on tunlink feeds s46d (/etc/odhcp6c.user.d/s46d);
#               dhcpv6: s46d runs its own DHCPv6 client on the WAN device
#   mode        auto, dslite, lw4o6, mape (default: /etc/config/s46d's selection.mode)
#   dataplane   kernel, userspace (default: /etc/config/s46d's dataplane.backend, shipped as kernel)
#   mtu         the softwire's IPv4 MTU, 1240..65495 (s46d's WAN MTU is 40 more)
#   encaplimit  0..255, or ignore (off): the RFC 2473 encapsulation limit option (default: the file's)
#   legacymap   1: MAP-E draft-03 interface identifiers
#   zone        firewall zone of the softwire (default s46, which the package creates without masquerading)
# Everything else comes from /etc/config/s46d.

[ -n "$INCLUDE_ONLY" ] || {
	. /lib/functions.sh
	. /lib/functions/network.sh
	. ../netifd-proto.sh
	init_proto "$@"
}

S46_UCI=${S46_UCI:-/etc/config/s46d}
S46_RUN=${S46_RUN:-/var/run/s46d}

# no_device, available and renew_handler are read by netifd-proto.sh.
# shellcheck disable=SC2034
proto_s46_init_config() {
	no_device=1
	available=1
	renew_handler=1
	proto_config_add_string "tunlink"
	proto_config_add_string "wandev"
	proto_config_add_string "provision"
	proto_config_add_string "mode"
	proto_config_add_string "dataplane"
	proto_config_add_int "mtu"
	proto_config_add_string "encaplimit"
	proto_config_add_boolean "legacymap"
	proto_config_add_string "zone"
}

# A bad option stops here, named, and netifd does not restart the interface in a loop.
s46_refuse() {
	local cfg="$1" code="$2" message="$3"
	logger -t "s46[$cfg]" "$message"
	proto_notify_error "$cfg" "$code"
	proto_block_restart "$cfg"
}

s46_is_uint() {
	case "$1" in ''|*[!0-9]*) return 1 ;; esac
	[ ${#1} -le 6 ]
}

proto_s46_setup() {
	local cfg="$1"
	local tunlink wandev provision mode dataplane mtu encaplimit legacymap zone
	json_get_vars tunlink wandev provision mode dataplane mtu encaplimit legacymap zone

	local device="s46-$cfg"
	[ ${#device} -le 15 ] || {
		s46_refuse "$cfg" "INVALID_NAME" "interface name '$cfg': the softwire device $device would be longer than 15 characters"
		return 1
	}
	case "${provision:=odhcp6c}" in
		odhcp6c|dhcpv6) ;;
		*) s46_refuse "$cfg" "INVALID_PROVISION" "option provision: '$provision' is not odhcp6c or dhcpv6"; return 1 ;;
	esac
	# An option left out leaves /etc/config/s46d's setting alone.
	set -- --config "$S46_RUN/$cfg.json" --tunnel-device "$device" \
		--control-socket "$S46_RUN/$cfg.sock" --state-dir "/var/lib/s46d/$cfg"
	case "$mode" in
		'') ;;
		auto|dslite|lw4o6|mape) set -- "$@" --mode "$mode" ;;
		*) s46_refuse "$cfg" "INVALID_MODE" "option mode: '$mode' is not auto, dslite, lw4o6 or mape"; return 1 ;;
	esac
	case "$dataplane" in
		'') ;;
		kernel|userspace) set -- "$@" --dataplane "$dataplane" ;;
		*) s46_refuse "$cfg" "INVALID_DATAPLANE" "option dataplane: '$dataplane' is not kernel or userspace"; return 1 ;;
	esac
	if [ -n "$mtu" ]; then
		if ! s46_is_uint "$mtu" || [ "$mtu" -lt 1240 ] || [ "$mtu" -gt 65495 ]; then
			s46_refuse "$cfg" "INVALID_MTU" "option mtu: '$mtu' is not an IPv4 MTU in 1240..65495"
			return 1
		fi
		set -- "$@" --wan-mtu "$((mtu + 40))"
	fi
	case "$encaplimit" in
		'') ;;
		ignore) set -- "$@" --encapsulation-limit off ;;
		*)
			if ! s46_is_uint "$encaplimit" || [ "$encaplimit" -gt 255 ]; then
				s46_refuse "$cfg" "INVALID_ENCAPLIMIT" "option encaplimit: '$encaplimit' is not 0..255 or ignore"
				return 1
			fi
			set -- "$@" --encapsulation-limit "$encaplimit"
			;;
	esac
	case "${legacymap:-0}" in
		1) set -- "$@" --legacy-iid ;;
		0) ;;
		*) s46_refuse "$cfg" "INVALID_LEGACYMAP" "option legacymap: '$legacymap' is not 0 or 1"; return 1 ;;
	esac

	# The WAN: a device named outright, or the device of the IPv6 uplink's interface, which
	# netifd then sets this interface up again after (as map.sh and dslite.sh do).
	if [ -z "$wandev" ]; then
		[ -n "$tunlink" ] || network_find_wan6 tunlink
		[ -n "$tunlink" ] || {
			s46_refuse "$cfg" "NO_WAN_LINK" "option tunlink: not set and no IPv6 WAN interface found"
			return 1
		}
		( proto_add_host_dependency "$cfg" "::" "$tunlink" )
		network_get_device wandev "$tunlink"
		[ -n "$wandev" ] || {
			# Not up yet: netifd sets us up again once it is (the host dependency).
			logger -t "s46[$cfg]" "option tunlink: interface '$tunlink' has no device yet; waiting for it"
			proto_notify_error "$cfg" "NO_WAN_LINK"
			return 1
		}
	elif [ "$provision" = odhcp6c ] && [ -z "$tunlink" ]; then
		s46_refuse "$cfg" "NO_WAN_LINK" "option tunlink: provision odhcp6c needs the interface odhcp6c runs on"
		return 1
	fi
	set -- "$@" --wan-interface "$wandev"
	[ "$provision" = odhcp6c ] && set -- "$@" --no-dhcp-client

	mkdir -p "$S46_RUN"
	local error
	if ! error=$(s46ctl config from-uci "$S46_UCI" --output "$S46_RUN/$cfg.json" 2>&1); then
		s46_refuse "$cfg" "INVALID_CONFIG" "$error"
		return 1
	fi
	# Without a tunnel device there is nothing for netifd to show (s46ctl writes the JSON with
	# one key a line, so a line match is exact).
	if [ -z "$dataplane" ] && grep -q '^ *"backend": "none",\{0,1\}$' "$S46_RUN/$cfg.json"; then
		s46_refuse "$cfg" "INVALID_DATAPLANE" "dataplane.backend is none in $S46_UCI: under netifd s46d needs a tunnel (option dataplane kernel or userspace)"
		return 1
	fi
	if ! error=$(s46d --check-config "$S46_RUN/$cfg.json" "$@" 2>&1); then
		s46_refuse "$cfg" "INVALID_CONFIG" "$error"
		return 1
	fi

	# What the odhcp6c hook needs to feed this s46d: the control socket, per uplink interface.
	rm -f "$S46_RUN/odhcp6c.$tunlink"
	[ "$provision" = odhcp6c ] && echo "$S46_RUN/$cfg.sock" > "$S46_RUN/odhcp6c.$tunlink"
	echo "${zone:-s46}" > "$S46_RUN/$cfg.zone"

	proto_run_command "$cfg" /usr/sbin/s46d "$@"

	# odhcp6c reports only at its next Reply: make it renew now, so this s46d is fed at once.
	[ "$provision" = odhcp6c ] && ubus call "network.interface.$tunlink" renew >/dev/null 2>&1
	return 0
}

# The uplink interface whose odhcp6c feeds this s46d: the odhcp6c.<uplink> file naming its
# socket. Read back rather than taken from option tunlink, which is empty when setup found the
# WAN6 interface itself (network_find_wan6).
s46_fed_uplink() {
	local cfg="$1" feed socket
	for feed in "$S46_RUN"/odhcp6c.*; do
		if [ -f "$feed" ] && read -r socket < "$feed" && [ "$socket" = "$S46_RUN/$cfg.sock" ]; then
			echo "${feed##*/odhcp6c.}"
			return 0
		fi
	done
	return 1
}

proto_s46_renew() {
	local cfg="$1"
	local provision uplink
	json_get_vars provision
	if [ "${provision:-odhcp6c}" = odhcp6c ]; then
		uplink=$(s46_fed_uplink "$cfg") && ubus call "network.interface.$uplink" renew
	else
		s46ctl --control-socket "$S46_RUN/$cfg.sock" renew
	fi
}

proto_s46_teardown() {
	local cfg="$1"
	local uplink
	uplink=$(s46_fed_uplink "$cfg") && rm -f "$S46_RUN/odhcp6c.$uplink"
	rm -f "$S46_RUN/$cfg.zone"
	# SIGTERM: s46d tears the softwire down, runs its down hooks and releases its lease.
	proto_kill_command "$cfg"
}

[ -n "$INCLUDE_ONLY" ] || {
	add_protocol s46
}
