// The DHCPv6 envelope of RFC 7341 §6: a DHCPv4 message travels as OPTION_DHCPV4_MSG (87) inside a
// DHCPV4-QUERY (20), whose 24-bit flags field sits where DHCPv6 has its transaction id, and
// comes back inside a DHCPV4-RESPONSE (21). This file is the only place that frames or reads
// the DHCPv6 layer; its option walk is the framer of dhcp/option_framer.hpp.
#pragma once

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "dhcp/client4o6/reject.hpp"

namespace s46::dhcp::client4o6 {

// DHCPV4-QUERY carrying `dhcpv4` (a packed DHCPv4 message); `unicast` sets the U flag (§6.2).
std::vector<std::uint8_t> wrap_query(std::span<const std::uint8_t> dhcpv4, bool unicast);

// The DHCPv4 message inside a DHCPV4-RESPONSE, or why the datagram is not one. The response's
// flags are not read: §6.2 reserves them in DHCPV4-RESPONSE.
std::variant<std::vector<std::uint8_t>, Rejection> unwrap_response(std::span<const std::uint8_t> datagram);

}  // namespace s46::dhcp::client4o6
