// Expands a prefix set into the address ranges that longest-prefix match produces.
// The compiled table (lpm_table.hpp) is a fast index over this list; keeping the expansion
// separate means the longest-match semantics live in exactly one small function.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/lpm/route.hpp"

namespace s46::lpm {

// Every address from `start` up to the next range's start (or 255.255.255.255) resolves to `next_hop`.
struct Range {
    std::uint32_t start = 0;
    NextHopId next_hop = kNoRoute;

    friend constexpr bool operator==(const Range&, const Range&) = default;
};

// `routes` must be sorted by (address, length) and hold each prefix at most once, with canonical
// prefixes (host bits zero); LpmBuilder's map gives exactly that order.
// The result covers the whole address space: it starts at 0, is strictly increasing, and
// adjacent ranges have different next hops (equal neighbours are merged).
std::vector<Range> expand_to_ranges(std::span<const Route> routes);

}  // namespace s46::lpm
