// The one time type of s46d, and the control plane's whole seconds. core/ and modes/ never read a
// clock: the caller passes the time in on every call, measured from an epoch it picks, so tests
// and benchmarks drive time.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace s46 {

// An instant: a monotonic time since the caller's epoch, for every layer that reasons about time:
//  * the packet path (core/dataplane, core/napt): the platform's steady_clock, converted without
//    loss because both count nanoseconds. core/napt keeps whole seconds in its tables
//    (napt::Napt::seconds_of), so the epoch must be less than 2^32 s back;
//  * the DHCPv6 and DHCPv4-over-DHCPv6 engines (dhcp/client, dhcp/client4o6) and the daemon's
//    controller: the boot clock (CLOCK_BOOTTIME, docs/time.md), so lease timers count suspend and
//    ignore wall-clock steps.
// One type so the daemon hands the same `now` to all of them and a unit cannot be mixed up: write
// durations with their unit (`std::chrono::milliseconds(1500)`, `std::chrono::seconds(5)`); a
// bare `Time(n)` is n nanoseconds. int64 nanoseconds span ±292 years: an RFC 8415 §7.7 lifetime
// (at most 2^32 - 2 s, 4.3e18 ns) fits, but a lifetime added to a late `now` may not, hence
// saturating_add().
using Time = std::chrono::nanoseconds;

// Whole seconds on a clock the caller picks, for control-plane state (mode selection timers,
// lease lifetimes): monotonic for timers, the wall clock for what the store keeps across
// restarts. A plain integer because these values are stored and compared with DHCPv6
// lifetimes (RFC 8415 §7.7, 32-bit seconds).
using Seconds = std::int64_t;

// `at + span`, held at Time::max() / Time::min() instead of overflowing. The DHCP engines read
// Time::max() as "never" (an infinite lifetime, RFC 8415 §7.7 / RFC 2131 §3.3), so a timer that
// would land beyond the representable range is a timer that does not fire.
constexpr Time saturating_add(Time at, Time span) {
    if (span > Time::zero() && at > Time::max() - span) return Time::max();
    if (span < Time::zero() && at < Time::min() - span) return Time::min();
    return at + span;
}

// Whole seconds (a Lease's obtained_at, valid_until()) as a Time, saturated like saturating_add().
constexpr Time time_of_seconds(Seconds s) {
    constexpr Seconds limit = std::chrono::duration_cast<std::chrono::seconds>(Time::max()).count();
    if (s > limit) return Time::max();
    if (s < -limit) return Time::min();
    return std::chrono::seconds(s);
}

}  // namespace s46
