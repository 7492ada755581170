// AftrTracker: the policy around the AFTR name, with no I/O (the caller passes `now` and runs
// the resolver). It holds the current AAAA set, says which address the tunnel should use, when
// to resolve again, and what to print in the status report.
//
// Policy, and why:
//  - Use the first address; when the tunnel reports the AFTR dead, move to the next one, so every
//    AAAA record is tried. After each has failed once, ask DNS again early (the set may have
//    changed), but not sooner than the TTL floor after the last answer.
//  - A fresh answer that still contains the address in use keeps it: servers rotate record
//    order, and switching AFTR for that alone would tear down every NAT binding on the AFTR.
//  - Re-resolve when the TTL runs out, clamped to [ttl_floor, ttl_cap]: a TTL of 0 must not
//    turn into a query storm, and a huge TTL must not pin a decommissioned AFTR forever.
//  - Failed lookups retry with exponential backoff (initial doubling to cap), each delay
//    shortened by a random fraction (up to `jitter`) so CPEs that lost DNS together do not
//    come back in lockstep. Shortening, not lengthening, keeps the cap a true upper bound.
//  - A failed refresh keeps the last known addresses in use (marked stale in the status):
//    the AFTR rarely moves, and a DNS outage should not also become a tunnel outage.
// A new AFTR name (option 64 changed) means a new tracker.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/net/ipv6.hpp"
#include "core/time.hpp"
#include "platform/dns/resolver.hpp"

namespace s46::dns {

struct AftrTrackerConfig {
    std::chrono::seconds ttl_floor{30};
    std::chrono::seconds ttl_cap{std::chrono::hours(24)};
    std::chrono::milliseconds backoff_initial{1000};
    std::chrono::milliseconds backoff_cap{300'000};
    double jitter = 0.2;  // each retry delay is cut by up to this fraction
};

class AftrTracker {
public:
    // Uniform in [0, 1). Injected so tests can pin the jitter.
    using Random = std::function<double()>;

    AftrTracker(std::string name, Random random, AftrTrackerConfig config = {});

    // Events. `now` is s46::Time on the boot clock, as everywhere in the daemon's policy: a wall
    // clock step must not make every AFTR lookup due at once, or none for a year.
    void on_resolved(const AftrAnswer& answer, Time now);
    void on_resolve_failed(std::string reason, Time now);
    // The tunnel to current() is judged dead: move on to the next address.
    void on_tunnel_failed(Time now);
    // The tunnel to current() works: the rotation count starts again.
    void on_tunnel_up();

    // Queries.
    const std::string& name() const { return name_; }
    std::optional<net::Ipv6Address> current() const;
    const std::vector<net::Ipv6Address>& addresses() const { return addresses_; }
    // When the caller should start the next lookup. Before the first answer this is "now".
    Time next_resolve_at() const { return next_resolve_at_; }
    bool resolve_due(Time now) const { return next_resolve_at_ <= now; }
    unsigned consecutive_failures() const { return failures_; }
    // "aftr resolved: NAME -> ADDR (ttl N s)" or "aftr unresolved: NAME: REASON; retry in N s".
    std::string status(Time now) const;

private:
    std::chrono::milliseconds retry_delay();

    std::string name_;
    Random random_;
    AftrTrackerConfig config_;

    std::vector<net::Ipv6Address> addresses_;
    std::size_t index_ = 0;             // into addresses_
    std::size_t tunnel_failures_ = 0;   // since the last answer or working tunnel
    std::chrono::seconds ttl_{0};       // as received
    std::chrono::seconds refresh_{0};   // after clamping
    Time resolved_at_{};
    Time next_resolve_at_ = Time::min();
    unsigned failures_ = 0;             // consecutive failed lookups
    std::string last_error_;            // empty after a successful lookup
};

}  // namespace s46::dns
