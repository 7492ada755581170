// The pure layers' time vocabulary. core/ and modes/ never read a clock: the caller passes the
// time in on every call, measured from an epoch it picks, so tests and benchmarks drive time.
#pragma once

#include <chrono>
#include <cstdint>

namespace s46 {

// An instant on the packet path (core/dataplane, core/napt): a monotonic time since the
// caller's epoch. Nanoseconds so that the platform's steady_clock converts without loss; tests
// write `Time{std::chrono::seconds(5)}`. core/napt keeps whole seconds in its tables
// (napt::Napt::seconds_of), so the epoch must be less than 2^32 s back.
using Time = std::chrono::nanoseconds;

// Whole seconds on a clock the caller picks, for control-plane state (mode selection timers,
// lease lifetimes): monotonic for timers, the wall clock for what the store keeps across
// restarts. A plain integer because these values are stored and compared with DHCPv6
// lifetimes (RFC 8415 §7.7, 32-bit seconds).
using Seconds = std::int64_t;

}  // namespace s46
