# A stand-in for netifd's /lib/netifd/netifd-proto.sh (and the jshn.sh it pulls in): every
# function appends its name and arguments, one call a line, to $CALLS, so a test can assert
# on exactly what a handler or script told netifd.
# shellcheck shell=sh

s46_stub_record() { echo "$*" >> "$CALLS"; }

proto_init_update() { s46_stub_record proto_init_update "$@"; }
proto_add_ipv4_address() { s46_stub_record proto_add_ipv4_address "$@"; }
proto_add_ipv4_route() { s46_stub_record proto_add_ipv4_route "$@"; }
proto_add_ipv6_address() { s46_stub_record proto_add_ipv6_address "$@"; }
proto_add_data() { s46_stub_record proto_add_data "$@"; }
proto_close_data() { s46_stub_record proto_close_data "$@"; }
proto_send_update() { s46_stub_record proto_send_update "$@"; }
proto_run_command() { s46_stub_record proto_run_command "$@"; }
proto_kill_command() { s46_stub_record proto_kill_command "$@"; }
proto_notify_error() { s46_stub_record proto_notify_error "$@"; }
proto_block_restart() { s46_stub_record proto_block_restart "$@"; }
proto_add_host_dependency() { s46_stub_record proto_add_host_dependency "$@"; }
proto_config_add_string() { s46_stub_record proto_config_add_string "$@"; }
proto_config_add_int() { s46_stub_record proto_config_add_int "$@"; }
proto_config_add_boolean() { s46_stub_record proto_config_add_boolean "$@"; }
json_add_string() { s46_stub_record json_add_string "$@"; }
json_add_int() { s46_stub_record json_add_int "$@"; }
json_add_boolean() { s46_stub_record json_add_boolean "$@"; }

# netifd hands a handler its interface's options as JSON; here they come from CFG_<option>.
json_get_vars() {
	for s46_stub_var in "$@"; do
		eval "$s46_stub_var=\${CFG_$s46_stub_var-}"
	done
}
