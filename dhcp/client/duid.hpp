// Building the client's DUID (RFC 8415 §11): the opaque identifier that goes into the Client
// Identifier option and must stay stable across restarts, or the server hands out new leases.
// Pure byte assembly; the configuration decides which type to use.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace s46::dhcp::client {

// RFC 8415 §11.1: at most 128 octets after the 2-octet type code.
inline constexpr std::size_t kMaxDuidLength = 2 + 128;

// DUID-LL (type 3, §11.4) for an Ethernet MAC: 0003 0001 <mac>. Needs no stable storage, which is
// why a CPE without persistent state prefers it over DUID-LLT.
std::vector<std::uint8_t> duid_ll(const std::array<std::uint8_t, 6>& mac);

// DUID-EN (type 2, §11.3): 0002 <enterprise number, 4 octets> <identifier>.
std::vector<std::uint8_t> duid_en(std::uint32_t enterprise_number, std::span<const std::uint8_t> identifier);

// DUID-UUID (type 4, RFC 6355 §4): 0004 <16-octet UUID>.
std::vector<std::uint8_t> duid_uuid(const std::array<std::uint8_t, 16>& uuid);

}  // namespace s46::dhcp::client
