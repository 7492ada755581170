// Conversions between the kernel's in6_addr and core's Ipv6Address (both 16 bytes in network
// order), shared by the raw-socket code.
#pragma once

#include <netinet/in.h>

#include <cstring>

#include "core/net/ipv6.hpp"

namespace s46::platform {

inline net::Ipv6Address from_in6(const in6_addr& a) {
    net::Ipv6Address out;
    std::memcpy(out.bytes.data(), a.s6_addr, 16);
    return out;
}

inline void to_in6(const net::Ipv6Address& a, in6_addr& out) { std::memcpy(out.s6_addr, a.bytes.data(), 16); }

}  // namespace s46::platform
