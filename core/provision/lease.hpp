// What the DHCPv6 client holds from its server (RFC 8415 §21.4-§21.22): the IA_NA addresses,
// IA_PD prefixes, their timers, the server's identity and the raw softwire options, so that a
// restart can restore the mode from the store and confirm it with the server (Rebind).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/net/ipv6.hpp"
#include "core/time.hpp"

namespace s46::provision {

struct LeasedAddress {
    net::Ipv6Address address;
    std::uint32_t preferred_lifetime = 0;
    std::uint32_t valid_lifetime = 0;
    friend bool operator==(const LeasedAddress&, const LeasedAddress&) = default;
};

struct LeasedPrefix {
    net::Ipv6Prefix prefix;
    std::uint32_t preferred_lifetime = 0;
    std::uint32_t valid_lifetime = 0;
    friend bool operator==(const LeasedPrefix&, const LeasedPrefix&) = default;
};

struct Lease {
    std::vector<std::uint8_t> server_duid;
    std::optional<net::Ipv6Address> server_address;  // where the Reply came from (link-local)
    std::uint32_t iaid_na = 0, iaid_pd = 0;
    std::vector<LeasedAddress> addresses;  // IA_NA
    std::vector<LeasedPrefix> prefixes;    // IA_PD
    std::uint32_t t1 = 0, t2 = 0;          // as given (0: client chooses, RFC 8415 §21.4)
    Seconds obtained_at = 0;               // when the Reply arrived
    std::vector<std::uint8_t> options;     // the Reply's top-level options, raw, for re-evaluation

    // The latest valid-lifetime end across every address and prefix: the lease is gone after it.
    Seconds valid_until() const {
        std::uint32_t v = 0;
        for (const auto& a : addresses) v = a.valid_lifetime > v ? a.valid_lifetime : v;
        for (const auto& p : prefixes) v = p.valid_lifetime > v ? p.valid_lifetime : v;
        return v == 0xffffffffu ? INT64_MAX : obtained_at + v;
    }
    friend bool operator==(const Lease&, const Lease&) = default;
};

}  // namespace s46::provision
