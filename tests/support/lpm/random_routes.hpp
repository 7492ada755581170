// Random IPv4 route tables and keys for the LPM tests and benchmark. Lengths follow the rough
// shape of a BGP table (half /24, most of the rest /16-/23, a few short ones) plus a tail of
// /25-/32 that the CPE's own routes and lw4o6 /32s add.
#pragma once

#include <cstdint>
#include <iterator>
#include <random>
#include <vector>

#include "core/lpm/route.hpp"

namespace s46::lpm::testing {

inline unsigned random_prefix_length(std::mt19937_64& rng) {
    // Weights in per mille for lengths 0..32.
    static const double kWeights[33] = {0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2,  // /0-/7
                                        3,   3,   3,   3,   3,   5,   8,   10,   // /8-/15
                                        35,  15,  25,  40,  50,  55,  100, 90,   // /16-/23
                                        500,                                     // /24
                                        6,   6,   6,   6,   6,   6,   6,   6};   // /25-/32
    static std::discrete_distribution<unsigned> dist(std::begin(kWeights), std::end(kWeights));
    return dist(rng);
}

// `count` routes (duplicates possible, as in the input of a real builder; a later one replaces
// an earlier one). With probability `nest_fraction` a route is carved out of an earlier one,
// which makes deep nesting far more common than in uniformly random tables.
inline std::vector<Route> random_routes(std::size_t count, std::mt19937_64& rng, NextHopId hop_count,
                                        double nest_fraction = 0.0) {
    std::vector<Route> out;
    out.reserve(count);
    std::uniform_int_distribution<NextHopId> hop(0, hop_count - 1);
    std::bernoulli_distribution nest(nest_fraction);
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint32_t bits = static_cast<std::uint32_t>(rng());
        if (!out.empty() && nest(rng)) {
            const Route& parent = out[rng() % out.size()];
            const unsigned plen = parent.prefix.length;
            const unsigned length = plen == 32 ? 32 : plen + 1 + static_cast<unsigned>(rng() % (32 - plen));
            const std::uint32_t address = parent.prefix.address.value | (bits & ~parent.prefix.mask());
            out.push_back({net::Ipv4Prefix(net::Ipv4Address(address), length), hop(rng)});
        } else {
            out.push_back({net::Ipv4Prefix(net::Ipv4Address(bits), random_prefix_length(rng)), hop(rng)});
        }
    }
    return out;
}

// A uniformly random address inside a uniformly chosen route: the lookups a rule table really sees.
inline std::uint32_t random_hit_key(const std::vector<Route>& routes, std::mt19937_64& rng) {
    const Route& r = routes[rng() % routes.size()];
    return r.prefix.address.value | (static_cast<std::uint32_t>(rng()) & ~r.prefix.mask());
}

}  // namespace s46::lpm::testing
