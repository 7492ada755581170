// /etc/config/s46d (UCI, OpenWrt's configuration format) translated to s46d.conf's JSON, so an
// OpenWrt system configures s46d the way it configures everything else and s46d itself keeps one
// file format. Used by `s46ctl config from-uci` from the procd init script and the netifd handler.
//
// The mapping is mechanical, one UCI section per JSON group and one option per key:
//   config <group>        interfaces, selection, dataplane, tunnel, napt, icmp, hooks,
//                         tunnel_events, dhcpv6, state, control, log, privileges (each at most once)
//   option <key> '<v>'    the key of docs/configuration.md; booleans as UCI writes them
//                         (1/0, yes/no, on/off, true/false, enabled/disabled); lists as `list`
//                         (or one option of blank-separated words); "" or 'off' for null
//   config static_dslite | static_lw4o6 | static_mape   the "static" section's one mode
//   config mape_rule      one static.mape.rules[] entry each, in file order
//   config s46d           the service's own options (enabled), read by the init script only
// Everything else (an unknown section type or option, a repeated section, a value of the wrong
// type) is refused naming the line, the section and the option. The JSON is then checked by the
// same parser s46d runs (config_file.hpp), and its errors are reported against the UCI line.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace s46::config {

// The JSON text of s46d.conf (pretty-printed, newline-terminated). `source` prefixes errors:
// "<source>:<line>: option mtu (config tunnel): 99 is outside 1280..65535".
Result<std::string> uci_to_json(std::string_view uci_text, std::string_view source = "s46d");

}  // namespace s46::config
