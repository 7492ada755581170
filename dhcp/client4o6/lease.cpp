#include "dhcp/client4o6/lease.hpp"

#include <chrono>

namespace s46::dhcp::client4o6 {

namespace {

std::string num(std::uint64_t v) { return std::to_string(v); }

Time at(Time base, std::uint32_t seconds) {
    if (seconds == kInfiniteLease) return kNever;
    return saturating_add(base, std::chrono::seconds(seconds));  // 2^32 - 2 s from a late base: never
}

}  // namespace

std::variant<LeaseTimes, std::string> apply_lease_times(std::uint32_t lease, std::optional<std::uint32_t> t1,
                                                        std::optional<std::uint32_t> t2) {
    if (lease == 0) return std::string("lease time 0");
    LeaseTimes out;
    out.lease = lease;
    // §4.4.5 defaults; an infinite lease is never renewed unless the server asks for it.
    const bool infinite = lease == kInfiniteLease;
    out.t1 = t1 ? *t1 : (infinite ? kInfiniteLease : static_cast<std::uint32_t>(lease / 2));
    out.t2 = t2 ? *t2 : (infinite ? kInfiniteLease : static_cast<std::uint32_t>(std::uint64_t{lease} * 7 / 8));
    // A server that sends only T1 beyond the default T2 leaves no sane schedule either: reject
    // rather than reorder, so what the engine uses is always what the server meant.
    if (out.t1 > out.t2)
        return "T1 " + num(out.t1) + (t1 ? "" : " (default)") + " > T2 " + num(out.t2) + (t2 ? "" : " (default)");
    if (out.t2 > out.lease) return "T2 " + num(out.t2) + " > lease time " + num(out.lease);
    return out;
}

LeaseTimers lease_timers(const Lease4& lease) {
    return LeaseTimers{at(lease.obtained_at, lease.times.t1), at(lease.obtained_at, lease.times.t2),
                       at(lease.obtained_at, lease.times.lease)};
}

}  // namespace s46::dhcp::client4o6
