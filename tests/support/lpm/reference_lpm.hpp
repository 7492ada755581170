// Reference longest-prefix matchers for tests, fuzzing and benchmarks. They share no code with
// core/lpm: LinearLpm is the definition of longest match; ExactMatchLpm is the same definition
// indexed by length (32 hash lookups) so differential tests can afford 100 k-prefix tables.
#pragma once

#include <array>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/lpm/route.hpp"

namespace s46::lpm::testing {

class LinearLpm {
public:
    LinearLpm() = default;
    // From routes with no repeated prefix (LpmBuilder::routes()), skipping insert's O(n) check.
    explicit LinearLpm(std::vector<Route> unique_routes) : routes_(std::move(unique_routes)) {}

    // Same contract as LpmBuilder::insert: a repeated prefix replaces the next hop.
    void insert(net::Ipv4Prefix p, NextHopId hop) {
        p = net::Ipv4Prefix(p.address, p.length);
        for (Route& r : routes_)
            if (r.prefix == p) {
                r.next_hop = hop;
                return;
            }
        routes_.push_back({p, hop});
    }
    void remove(net::Ipv4Prefix p) {
        p = net::Ipv4Prefix(p.address, p.length);
        std::erase_if(routes_, [&](const Route& r) { return r.prefix == p; });
    }
    NextHopId lookup(std::uint32_t address) const {
        int best_length = -1;
        NextHopId best = kNoRoute;
        for (const Route& r : routes_)
            if (r.prefix.contains(net::Ipv4Address(address)) && r.prefix.length > best_length) {
                best_length = r.prefix.length;
                best = r.next_hop;
            }
        return best;
    }
    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

class ExactMatchLpm {
public:
    void insert(net::Ipv4Prefix p, NextHopId hop) { by_length_[p.length][p.address.value & p.mask()] = hop; }
    void remove(net::Ipv4Prefix p) { by_length_[p.length].erase(p.address.value & p.mask()); }
    NextHopId lookup(std::uint32_t address) const {
        for (int length = 32; length >= 0; --length) {
            const auto& m = by_length_[static_cast<unsigned>(length)];
            if (m.empty()) continue;
            auto it = m.find(address & net::ipv4_mask(static_cast<unsigned>(length)));
            if (it != m.end()) return it->second;
        }
        return kNoRoute;
    }

private:
    std::array<std::unordered_map<std::uint32_t, NextHopId>, 33> by_length_;
};

}  // namespace s46::lpm::testing
