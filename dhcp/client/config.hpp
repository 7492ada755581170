// The client engine's configuration: who we are (DUID), what we ask for, and how eagerly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dhcp/client/types.hpp"

namespace s46::dhcp::client {

struct ClientConfig {
    // Our DUID (duid.hpp: duid_ll from the WAN MAC, duid_en or duid_uuid). Must stay the same
    // across restarts, or restore() talks to the server as a stranger.
    std::vector<std::uint8_t> duid;

    // Stateless mode (§18.2.6): Information-request only, no IA. Softwire options without
    // addresses, e.g. where the CPE numbers itself from RA.
    bool stateless = false;

    bool request_na = true;  // IA_NA (§21.4)
    std::uint32_t iaid_na = 1;
    bool request_pd = true;  // IA_PD (§21.21); MAP-E and lw4o6 derive their addresses from it
    std::uint32_t iaid_pd = 2;
    std::uint8_t pd_hint_length = 56;  // IAPREFIX ::/len hint in Solicit (§18.2.1); 0: no hint

    bool rapid_commit = true;  // §21.14: accept a Reply to the Solicit

    // Option codes requested in addition to 23, 24, 64, 94, 95, 96, 111 (and 82, or 32 and 83 in
    // stateless mode, which RFC 8415 §18.2.1/§18.2.6 make mandatory). E.g. 88 for RFC 7341.
    std::vector<std::uint16_t> extra_oro;

    // Upper bound of the random delay before the first Solicit / Information-request
    // (SOL_MAX_DELAY, INF_MAX_DELAY: 1 s, §18.2.1, §18.2.6). 0 sends at once (tests).
    Time max_initial_delay = std::chrono::seconds(1);
};

// Why `config` cannot be used, or nullopt.
std::optional<std::string> validate(const ClientConfig& config);

// The ORO this configuration sends in stateful (Solicit/Request/Renew/Rebind) or stateless
// (Information-request) messages, in order, without duplicates.
std::vector<std::uint16_t> option_request(const ClientConfig& config, bool information_request);

}  // namespace s46::dhcp::client
