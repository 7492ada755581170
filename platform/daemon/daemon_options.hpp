// s46d's settings: the configuration file (--config, platform/config/config_file.hpp) and the
// command-line flags on top of it. Flags and file keys share one parser per setting
// (platform/config/settings.hpp), so a value is range-checked the same way from either.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/dataplane/options.hpp"
#include "core/result.hpp"
#include "platform/daemon/controller.hpp"
#include "platform/log/logger.hpp"

namespace s46::daemon {

enum class DataPlaneKind { none, userspace, kernel };

struct DaemonOptions {
    std::string wan_interface;
    std::string lan_interface;
    std::string state_dir = "/var/lib/s46d";
    std::string control_socket = "/run/s46d/control.sock";
    DataPlaneKind dataplane = DataPlaneKind::none;
    // The softwire device: the ip6tnl link (kernel) or the TUN (userspace). Empty: the backend's
    // default name (s46tnl0 / s46tun0).
    std::string tunnel_device;
    // The IPv4 default route through the softwire (kernel backend): routing table and metric.
    std::uint32_t route_table = 254;  // RT_TABLE_MAIN
    std::uint32_t route_metric = 0;
    // An nftables flowtable on the LAN interface and the softwire (kernel backend only,
    // docs/dataplane.md "Flowtable"): established TCP and UDP flows bypass the IP stack.
    bool flowtable = false;
    ControllerConfig controller;
    // s46d's own DHCPv6 client; false: provisioning comes only from `s46ctl provision` (an external
    // client such as odhcp6c owns port 546 and the DUID on the WAN link).
    bool dhcp_client = true;
    std::uint8_t prefix_hint = 56;       // IA_PD prefix-length hint (RFC 8415 §18.2.1)
    bool request_address = true;         // IA_NA
    bool information_only = false;       // stateless: Information-request only (no IA_NA/IA_PD)
    bool rapid_commit = true;
    double solicit_max_delay = 1.0;      // RFC 8415 SOL_MAX_DELAY; 0 in tests
    std::uint16_t client_port = 546;     // tests may run a second client on another port
    std::uint16_t dns_port = 53;         // AFTR-name resolution: servers from option 23 on this port
    // NAPT44 fair share: external ports one LAN host may hold per protocol (0: a quarter of the
    // port set; UINT32_MAX: no per-host limit, "--napt-host-share all").
    std::uint32_t napt_host_share = 0;
    std::uint32_t napt_max_sessions = 65536;
    // The packet path's operator knobs (--dataplane userspace): encapsulation limit, hop limit,
    // ICMP answers and rate, MSS clamping, traffic class, MAP-E source check.
    dataplane::Options packet;
    // Vendor hooks (docs/integration.md): executables run on tunnel up, change and down.
    std::string hooks_directory = "/etc/s46d/hooks.d";
    std::chrono::milliseconds hooks_timeout = std::chrono::seconds(10);
    bool verbose = false;                 // --verbose, or log level debug
    // The log (platform/log/logger.hpp). log_facility is a name parse_facility() accepts.
    log::Level log_level = log::Level::info;
    log::Target log_target = log::Target::standard_error;
    std::string log_facility = "daemon";
    // Group that owns the control socket (mode 0660) so its members may run s46ctl; empty: root only.
    std::string control_group;
    // Run as this user and group once the sockets and devices are open; empty: stay root.
    std::string user;
    std::string group;
    // The file --config (or --check-config) named; empty when only flags were given.
    std::string config_file;
    // --check-config FILE: validate, print "FILE: ok", exit (main.cpp).
    bool check_config = false;
    bool help = false;
    bool version = false;  // --version: print it and exit, like --help
};

extern const char* const kDaemonUsage;

// Reads the --config/--check-config file first (if any), then applies every other flag on top.
// Errors name the flag, or the file and the key, and what is wrong.
Result<DaemonOptions> parse_daemon_options(const std::vector<std::string>& args);

// The flags alone, applied on top of `base` (--config/--check-config and their values are skipped).
// Does not check for required settings; parse_daemon_options does.
Result<DaemonOptions> apply_flags(const std::vector<std::string>& args, DaemonOptions base);

// SIGHUP: reads the same --config file again and re-applies the original flags on top, exactly as
// at start-up. The daemon decides which changed settings it can apply without a restart.
Result<DaemonOptions> reload_options(const std::vector<std::string>& original_args);

// Cross-setting rules checked after the file and the flags are both applied: a static section pins
// its mode (draft-ietf-softwire-unified-cpe §3.2), a GI-4over6 prefix needs GI-4over6.
Result<DaemonOptions> finish_options(DaemonOptions o);

}  // namespace s46::daemon
