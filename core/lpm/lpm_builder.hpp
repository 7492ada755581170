// The mutable side of the LPM table: a prefix -> next-hop map edited by the control plane,
// compiled into an immutable LpmTable for the data path. A CPE's routes change rarely, so
// every change is followed by a full rebuild (docs/lpm.md: 100 k prefixes build in tens of ms).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "core/lpm/lpm_table.hpp"
#include "core/lpm/route.hpp"

namespace s46::lpm {

class LpmBuilder {
public:
    // Picks D from the prefix count (see auto_direct_bits).
    static constexpr unsigned kAutoDirectBits = 0;

    // Adds the route, or replaces the next hop of an existing prefix. Host bits past the prefix
    // length are ignored. Returns true when the prefix was new.
    bool insert(net::Ipv4Prefix prefix, NextHopId next_hop);
    // Returns true when the prefix was present.
    bool remove(net::Ipv4Prefix prefix);
    // Exact match on the prefix, not a lookup.
    std::optional<NextHopId> find(net::Ipv4Prefix prefix) const;

    // The default route is 0.0.0.0/0; these are shorthands.
    void set_default(NextHopId next_hop) { insert(net::Ipv4Prefix{}, next_hop); }
    void remove_default() { remove(net::Ipv4Prefix{}); }

    std::size_t size() const noexcept { return routes_.size(); }
    bool empty() const noexcept { return routes_.empty(); }
    void clear() noexcept { routes_.clear(); }
    // In (address, length) order.
    std::vector<Route> routes() const;

    // `direct_bits` in [LpmTable::kMinDirectBits, kMaxDirectBits], or kAutoDirectBits.
    LpmTable build(unsigned direct_bits = kAutoDirectBits) const;

    // D for a table of this many prefixes: 7 for 16 prefixes (a 512-byte direct table), 12 for
    // 1 k, 13 for 10 k, 16 from 64 k on.
    static unsigned auto_direct_bits(std::size_t prefixes) noexcept;

private:
    // Ipv4Prefix orders by (address, length): the order expand_to_ranges needs.
    std::map<net::Ipv4Prefix, NextHopId> routes_;
};

}  // namespace s46::lpm
