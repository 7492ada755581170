// IANA "Assigned Internet Protocol Numbers" used by the packet code: the IPv4
// protocol field (RFC 791) and the IPv6 next-header field (RFC 8200 §4) share them.
#pragma once

#include <cstdint>

namespace s46::net::ip_protocol {

inline constexpr std::uint8_t hop_by_hop = 0;    // RFC 8200 §4.3
inline constexpr std::uint8_t icmp = 1;          // RFC 792
inline constexpr std::uint8_t ipv4 = 4;          // IPv4-in-IP (DS-Lite, RFC 6333; MAP-E, RFC 7597)
inline constexpr std::uint8_t tcp = 6;           // RFC 9293
inline constexpr std::uint8_t udp = 17;          // RFC 768
inline constexpr std::uint8_t ipv6 = 41;         // IPv6-in-IP (6rd, RFC 5969)
inline constexpr std::uint8_t routing = 43;      // RFC 8200 §4.4
inline constexpr std::uint8_t fragment = 44;     // RFC 8200 §4.5
inline constexpr std::uint8_t icmpv6 = 58;       // RFC 4443
inline constexpr std::uint8_t no_next_header = 59;
inline constexpr std::uint8_t destination_options = 60;

}  // namespace s46::net::ip_protocol
