// Addresses a CE never routes between the LAN and the softwire (RFC 1812 §5.3.7 "martians"; a
// softwire carries unicast only, RFC 6333 §5.2, RFC 7597 §5.3).
#pragma once

#include <cstdint>

#include "core/net/ipv4.hpp"

namespace s46::dataplane {

// 0/8 ("this network"), 127/8 (loopback), 224/4 (multicast), 240/4 and 255.255.255.255.
constexpr bool martian_source(net::Ipv4Address a) {
    const std::uint32_t top = a.value >> 24;
    return top == 0 || top == 127 || top >= 224;
}

// 0/8, 127/8, 224/4 multicast and the limited broadcast. 240/4 is reserved but not refused:
// RFC 1812 leaves it to configuration, and refusing it here would only hide experiments.
constexpr bool martian_destination(net::Ipv4Address a) {
    const std::uint32_t top = a.value >> 24;
    return top == 0 || top == 127 || (top >= 224 && top < 240) || a.value == 0xffffffffu;
}

}  // namespace s46::dataplane
