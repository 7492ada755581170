// The DHCPv4-over-DHCPv6 client's configuration.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dhcp/client4o6/types.hpp"

namespace s46::dhcp::client4o6 {

struct ClientConfig {
    // chaddr (htype 1, hlen 6): the WAN MAC. A 4o6 server has no link-layer view of the client,
    // so this and option 61 are all it has to tell clients apart.
    std::array<std::uint8_t, 6> hw_address{};
    // Option 61 (RFC 2132 §9.14): at least 2 octets (type + identifier); empty: not sent.
    std::vector<std::uint8_t> client_id;
    // RFC 2131 §4.4.1: wait a random time before the first DHCPDISCOVER. The DHCPv6 exchange that
    // precedes 4o6 already desynchronized clients, so the daemon may pass 0.
    Time max_initial_delay = std::chrono::seconds(10);
    // After a NAK or a DECLINE, wait this long before DISCOVER again (RFC 2131 §3.1 step 5 says at
    // least 10 s after DECLINE; the same pause keeps a NAK-ing server from being hammered).
    Time restart_delay = std::chrono::seconds(10);
};

// nullopt when usable; otherwise what is wrong.
std::optional<std::string> validate(const ClientConfig& config);

}  // namespace s46::dhcp::client4o6
