// Vocabulary of the LPM tables: next-hop ids and a (prefix, next hop) route.
// The tables store ids only; the caller keeps the next-hop values in its own vector.
#pragma once

#include <cstdint>

#include "core/net/ipv4.hpp"

namespace s46::lpm {

using NextHopId = std::uint32_t;

// Returned by lookups that match no prefix. Installing a route whose next hop is kNoRoute is
// allowed and means "unreachable": it wins longest-match inside its prefix like any route.
inline constexpr NextHopId kNoRoute = 0xffffffffu;

struct Route {
    net::Ipv4Prefix prefix;
    NextHopId next_hop = kNoRoute;
};

}  // namespace s46::lpm
