// ICMPv4 errors the CE originates: time exceeded (RFC 1812 §5.3.1), fragmentation needed
// (RFC 2473 §7.2, RFC 1191 §4), the RFC 2473 §8 relays of ICMPv6 errors, and administratively
// prohibited (RFC 7596 §5.2, RFC 5508 REQ-8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/net/ipv4.hpp"
#include "core/net/ipv4_packet.hpp"

namespace s46::dataplane {

// RFC 1812 §4.3.2.3: an ICMP error quotes as much of the offending datagram as fits in 576 bytes.
inline constexpr std::size_t kIcmpErrorMaxSize = 576;

namespace icmpv4_code {
inline constexpr std::uint8_t host_unreachable = 1;
inline constexpr std::uint8_t fragmentation_needed = 4;
inline constexpr std::uint8_t administratively_prohibited = 13;  // RFC 1812 §5.2.7.1
inline constexpr std::uint8_t ttl_exceeded_in_transit = 0;
}  // namespace icmpv4_code

// RFC 1812 §4.3.2.7: no ICMP error about an ICMP error, a non-first fragment, a datagram to a
// multicast or limited-broadcast address, or one whose source is not a unicast host
// (0/8, 127/8, multicast, 240/4, broadcast). `quoted` may be cut short (parse_embedded).
bool may_send_icmp_error(net::ConstIpv4View quoted);

// Writes an ICMPv4 error into `out` (at least kIcmpErrorMaxSize bytes): an IPv4 header from
// `src` to `dst` (TOS 0xc0, RFC 1812 §4.3.2.5; TTL 64; DF clear), the ICMP header with `type`,
// `code` and the rest-of-header word (e.g. the next-hop MTU in its low 16 bits), then `quoted`
// cut to keep the whole within 576 bytes. Returns the datagram.
std::span<std::uint8_t> build_icmp_error(std::span<std::uint8_t> out, net::Ipv4Address src, net::Ipv4Address dst,
                                         std::uint8_t type, std::uint8_t code, std::uint32_t rest,
                                         std::span<const std::uint8_t> quoted, std::uint16_t identification);

}  // namespace s46::dataplane
