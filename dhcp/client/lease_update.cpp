#include "dhcp/client/lease_update.hpp"

#include <algorithm>
#include <limits>
#include <optional>

namespace s46::dhcp::client {

namespace {

using s46::Seconds;

// obtained_at + offset, saturated: a lease obtained late on the clock with a lifetime near 2^32 s
// lies beyond what Time holds, and that is "never" rather than a wrapped past instant.
Time at(Seconds base, std::chrono::milliseconds offset) { return saturating_add(time_of_seconds(base), offset); }

// What is left at `now` of a lifetime that started at `since`.
std::uint32_t remaining(std::uint32_t lifetime, Seconds since, Seconds now) {
    if (lifetime == kInfinity) return kInfinity;
    const Seconds left = since + lifetime - now;
    return left <= 0 ? 0 : static_cast<std::uint32_t>(left);
}

template <class Leased, class KeyOf>
void merge(std::vector<Leased>& out, const std::vector<Leased>& granted, const std::vector<Leased>* earlier,
           Seconds earlier_since, Seconds now, KeyOf key_of) {
    // Earlier leases the Reply does not mention carry on with what is left of their lifetimes.
    if (earlier) {
        for (Leased l : *earlier) {
            const bool mentioned = std::any_of(granted.begin(), granted.end(),
                                               [&](const Leased& g) { return key_of(g) == key_of(l); });
            if (mentioned) continue;
            l.preferred_lifetime = remaining(l.preferred_lifetime, earlier_since, now);
            l.valid_lifetime = remaining(l.valid_lifetime, earlier_since, now);
            if (l.valid_lifetime > 0) out.push_back(l);
        }
    }
    for (const auto& g : granted)
        if (g.valid_lifetime > 0) out.push_back(g);  // valid lifetime 0: the server withdrew it
}

}  // namespace

LeaseTimers lease_timers(const provision::Lease& lease) {
    std::uint32_t shortest_preferred = kInfinity, shortest_valid = kInfinity;
    bool any_preferred = false, any = false;
    auto consider = [&](std::uint32_t preferred, std::uint32_t valid) {
        any = true;
        if (preferred > 0) {
            any_preferred = true;
            shortest_preferred = std::min(shortest_preferred, preferred);
        }
        shortest_valid = std::min(shortest_valid, valid);
    };
    for (const auto& a : lease.addresses) consider(a.preferred_lifetime, a.valid_lifetime);
    for (const auto& p : lease.prefixes) consider(p.preferred_lifetime, p.valid_lifetime);
    const std::uint32_t basis = any_preferred ? shortest_preferred : any ? shortest_valid : kInfinity;

    // Offsets from obtained_at in whole milliseconds (0.8 x an odd number of seconds is not whole
    // seconds); nullopt: never. Both factors keep the product below 2^32 s, well inside int64 ms.
    using std::chrono::milliseconds;
    auto offset = [&](std::uint32_t given, std::int64_t chosen_per_mille) -> std::optional<milliseconds> {
        if (given == kInfinity) return std::nullopt;
        if (given != 0) return std::chrono::seconds(given);
        if (basis == kInfinity) return std::nullopt;
        return milliseconds(std::int64_t{basis} * chosen_per_mille);  // seconds * (fraction * 1000)
    };
    const std::optional<milliseconds> t1 = offset(lease.t1, 500);  // §21.4: 0.5 x shortest preferred lifetime
    std::optional<milliseconds> t2 = offset(lease.t2, 800);        // §21.4: 0.8 x shortest preferred lifetime
    if (!t1) t2 = std::nullopt;  // T2 is never earlier than T1, and never is latest
    else if (t2) t2 = std::max(*t2, *t1);

    LeaseTimers out;
    out.t1 = t1 ? at(lease.obtained_at, *t1) : kNever;
    out.t2 = t2 ? at(lease.obtained_at, *t2) : kNever;
    const Seconds until = lease.valid_until();
    out.expiry = until == std::numeric_limits<Seconds>::max() ? kNever : time_of_seconds(until);
    return out;
}

provision::Lease lease_from_reply(const ServerMessage& reply, const std::vector<IaKey>& requested,
                                  const provision::Lease* previous, const net::Ipv6Address& from, Seconds now) {
    provision::Lease lease;
    lease.server_duid = reply.server_id;
    lease.server_address = from;
    lease.obtained_at = now;
    lease.options = reply.options;
    std::uint32_t t1 = 0, t2 = 0;
    auto take_min = [](std::uint32_t& slot, std::uint32_t v) {
        if (v != 0 && (slot == 0 || v < slot)) slot = v;
    };

    for (const auto& key : requested) {
        const IaReply* ia = reply.find(key);
        const bool na = key.code == kOptIaNa;
        (na ? lease.iaid_na : lease.iaid_pd) = key.iaid;
        const bool failed = !ia || ia->failed();
        if (!failed) {
            take_min(t1, ia->t1);
            take_min(t2, ia->t2);
        }
        static const IaReply kNothing;
        const IaReply& granted = failed ? kNothing : *ia;
        const Seconds since = previous ? previous->obtained_at : now;
        if (na)
            merge(lease.addresses, granted.addresses, previous ? &previous->addresses : nullptr, since, now,
                  [](const provision::LeasedAddress& a) { return a.address; });
        else
            merge(lease.prefixes, granted.prefixes, previous ? &previous->prefixes : nullptr, since, now,
                  [](const provision::LeasedPrefix& p) { return p.prefix; });
    }
    lease.t1 = t1;
    lease.t2 = t2;
    return lease;
}

}  // namespace s46::dhcp::client
