// s46d's command line. A configuration file arrives later and must keep these flags working.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/dataplane/options.hpp"
#include "core/result.hpp"
#include "platform/daemon/controller.hpp"

namespace s46::daemon {

enum class DataPlaneKind { none, userspace };

struct DaemonOptions {
    std::string wan_interface;
    std::string lan_interface;
    std::string state_dir = "/var/lib/s46d";
    std::string control_socket = "/run/s46d/control.sock";
    DataPlaneKind dataplane = DataPlaneKind::none;
    ControllerConfig controller;
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
    bool verbose = false;
    bool help = false;
};

extern const char* const kDaemonUsage;

// Errors name the flag and what is wrong.
Result<DaemonOptions> parse_daemon_options(const std::vector<std::string>& args);

}  // namespace s46::daemon
