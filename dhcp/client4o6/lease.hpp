// The DHCPv4 lease the engine yields, its timers, and the two pure checks an ACK must pass to
// become one: lease times (RFC 2131 §4.4.5). The port set (RFC 7618 §4) is decoded by
// dhcp/port_params.hpp, shared with the softwire codec. No Kea, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/provision/s46_options.hpp"
#include "dhcp/client4o6/types.hpp"

namespace s46::dhcp::client4o6 {

// The lease times as applied: T1/T2 filled in with the §4.4.5 defaults when options 58/59 are
// absent, and T1 <= T2 <= lease always holds. kInfiniteLease in `lease` makes T1/T2 infinite too
// unless the server gave them.
struct LeaseTimes {
    std::uint32_t lease = 0;
    std::uint32_t t1 = 0;
    std::uint32_t t2 = 0;
    friend bool operator==(const LeaseTimes&, const LeaseTimes&) = default;
};

// Options 51, 58, 59 as received (nullopt: absent) -> the times, or a text naming what is wrong
// (lease 0, T1 > T2, T2 > lease). §4.4.5: T1 defaults to 0.5 * lease, T2 to 0.875 * lease.
std::variant<LeaseTimes, std::string> apply_lease_times(std::uint32_t lease, std::optional<std::uint32_t> t1,
                                                        std::optional<std::uint32_t> t2);

struct Lease4 {
    net::Ipv4Address address;    // yiaddr of the ACK
    net::Ipv4Address server_id;  // option 54
    LeaseTimes times;
    Time obtained_at{0};  // §4.4.1: when the REQUEST that got the ACK was first sent
    // Option 159 as received (raw value, 4 octets) and decoded; absent: a full IPv4 address.
    std::optional<std::vector<std::uint8_t>> port_params_raw;
    std::optional<provision::PortParams> port_params;
    // The source address given to the server in option 109 of the REQUEST that got the ACK.
    net::Ipv6Address softwire_source;
    friend bool operator==(const Lease4&, const Lease4&) = default;
};

// When to renew, rebind and give the lease up, on the caller's clock (kNever: not at all).
struct LeaseTimers {
    Time t1 = kNever;
    Time t2 = kNever;
    Time expiry = kNever;
};
LeaseTimers lease_timers(const Lease4& lease);

}  // namespace s46::dhcp::client4o6
