#include "core/lpm/lpm_builder.hpp"

#include <algorithm>
#include <bit>

#include "core/lpm/ranges.hpp"

namespace s46::lpm {

namespace {

// The map key must be canonical, or 10.0.0.1/8 and 10.0.0.0/8 would be two routes.
net::Ipv4Prefix canonical(net::Ipv4Prefix p) { return net::Ipv4Prefix(p.address, p.length); }

}  // namespace

bool LpmBuilder::insert(net::Ipv4Prefix prefix, NextHopId next_hop) {
    return routes_.insert_or_assign(canonical(prefix), next_hop).second;
}

bool LpmBuilder::remove(net::Ipv4Prefix prefix) { return routes_.erase(canonical(prefix)) != 0; }

std::optional<NextHopId> LpmBuilder::find(net::Ipv4Prefix prefix) const {
    auto it = routes_.find(canonical(prefix));
    if (it == routes_.end()) return std::nullopt;
    return it->second;
}

std::vector<Route> LpmBuilder::routes() const {
    std::vector<Route> out;
    out.reserve(routes_.size());
    for (const auto& [prefix, hop] : routes_) out.push_back({prefix, hop});
    return out;
}

unsigned LpmBuilder::auto_direct_bits(std::size_t prefixes) noexcept {
    // Small tables: 4-8 direct entries per prefix, so the whole table stays tiny. From 1 k
    // prefixes on: one chunk per 1-2 prefixes, at least 2^12. A bigger direct table only adds
    // cache misses: at 10 k random prefixes D = 12-14 looked up 15 % faster than D = 16 in half
    // the memory; D = 16 won from about 64 k prefixes (docs/lpm.md has the sweep).
    const unsigned width = static_cast<unsigned>(std::bit_width(prefixes));
    const unsigned d = std::min(width + 2, std::max(width - 1, 12u));
    return std::clamp(d, LpmTable::kMinDirectBits, 16u);
}

LpmTable LpmBuilder::build(unsigned direct_bits) const {
    if (direct_bits == kAutoDirectBits) direct_bits = auto_direct_bits(routes_.size());
    const std::vector<Route> sorted = routes();
    const std::vector<Range> ranges = expand_to_ranges(sorted);
    return LpmTable::from_ranges(ranges, direct_bits);
}

}  // namespace s46::lpm
