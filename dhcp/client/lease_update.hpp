// From a Reply to the Lease it grants, and from a Lease to its timers. Pure: no Kea, no clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "core/net/ipv6.hpp"
#include "core/provision/lease.hpp"
#include "dhcp/client/server_message.hpp"
#include "dhcp/client/types.hpp"

namespace s46::dhcp::client {

inline constexpr std::uint32_t kInfinity = 0xffffffffu;  // §7.7: an infinite lifetime or timer
inline constexpr Time kNever = Time::max();  // where s46::saturating_add() stops

// `t` in whole seconds, rounded down (also before the epoch): the unit of provision::Lease.
constexpr s46::Seconds to_seconds(Time t) { return std::chrono::floor<std::chrono::seconds>(t).count(); }

// When to Renew, Rebind and give the lease up, on the caller's clock (kNever: not at all).
struct LeaseTimers {
    Time t1 = kNever;
    Time t2 = kNever;
    Time expiry = kNever;
};

// T1/T2 as given in the lease; when 0, the client's choice of §21.4/§21.21: 0.5 and 0.8 times
// the shortest preferred lifetime (of the leases with a non-zero one; else the shortest valid
// lifetime). T2 is never earlier than T1. Expiry is Lease::valid_until().
LeaseTimers lease_timers(const provision::Lease& lease);

// The lease after `reply` (already validated: every requested IA is present, no IA has
// NoBinding), received from `from` at `now` (seconds).
//  * An IA whose status is a failure (NoAddrsAvail, NoPrefixAvail, ...) contributes nothing for a
//    new binding; after Renew/Rebind (`previous` set) its earlier leases carry on with what is left
//    of their lifetimes (§18.2.10.1: "continues to use other bindings").
//  * A lease with valid lifetime 0 is removed (§18.2.10.1); after Renew/Rebind, earlier leases of
//    an IA that the Reply does not mention carry on with their remaining lifetimes.
//  * lease.t1/t2: the smallest non-zero T1/T2 among the IAs that succeeded (0 if none gave one).
//  * lease.options: the Reply's raw top-level options.
provision::Lease lease_from_reply(const ServerMessage& reply, const std::vector<IaKey>& requested,
                                  const provision::Lease* previous, const net::Ipv6Address& from,
                                  s46::Seconds now);

}  // namespace s46::dhcp::client
