// The three transport protocols the NAPT translates, as a dense index: each has its own
// namespace of external ports (UDP port 5000 and TCP port 5000 are different mappings),
// and ICMP query identifiers form a third one (RFC 5508 §3.1; RFC 7597 §8.2 / RFC 7596
// §8.2: identifiers come from the same port set).
#pragma once

#include <cstdint>
#include <optional>

#include "core/net/ip_protocol.hpp"

namespace s46::napt {

enum class Protocol : std::uint8_t { udp = 0, tcp = 1, icmp = 2 };

inline constexpr unsigned kProtocolCount = 3;

constexpr unsigned index_of(Protocol p) { return static_cast<unsigned>(p); }

constexpr std::optional<Protocol> protocol_from_ip(std::uint8_t ip_protocol) {
    switch (ip_protocol) {
        case net::ip_protocol::udp: return Protocol::udp;
        case net::ip_protocol::tcp: return Protocol::tcp;
        case net::ip_protocol::icmp: return Protocol::icmp;
        default: return std::nullopt;
    }
}

constexpr std::uint8_t ip_protocol_of(Protocol p) {
    switch (p) {
        case Protocol::udp: return net::ip_protocol::udp;
        case Protocol::tcp: return net::ip_protocol::tcp;
        case Protocol::icmp: return net::ip_protocol::icmp;
    }
    return 0;
}

}  // namespace s46::napt
