#include "platform/store/lease_time.hpp"

#include <cstdint>
#include <string>

namespace s46::store {
namespace {

using s46::Seconds;

// Floor division: times before the epoch or before boot (a lease obtained in an earlier boot,
// moved onto this boot's clock) must round down like the positive ones.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

Seconds seconds(std::int64_t ms) { return floor_div(ms, 1000); }

std::string secs(std::int64_t s) { return std::to_string(s) + " s"; }

// The expiry check both branches share: a lease past its latest valid lifetime is gone
// (RFC 8415 §21.6, §21.22: past its valid lifetime an address or prefix is no longer the
// client's; §18.2.10.1 drops it).
LeaseRestore checked(provision::Lease lease, const time::ClockReading& now, std::string how) {
    Seconds boot_now = seconds(now.boot_ms);
    Seconds until = lease.valid_until();
    if (until <= boot_now)
        return {std::nullopt, true,
                "the stored lease expired " + secs(boot_now - until) + " ago (" + how + "); not restored"};
    return {std::move(lease), true, how};
}

}  // namespace

StoredLease to_stored(const provision::Lease& boot_lease, const time::ClockReading& now) {
    StoredLease s;
    s.lease = boot_lease;
    // The wall time of the same instant: boot time plus the current offset between the clocks.
    // Computed in milliseconds so the offset's fraction is not rounded twice.
    s.lease.obtained_at = seconds(boot_lease.obtained_at * 1000 + (now.wall_ms - now.boot_ms));
    s.obtained_at_boot = boot_lease.obtained_at;
    s.boot_id = now.boot_id;
    s.wall_synchronized = now.wall_synchronized;
    return s;
}

LeaseRestore from_stored(const StoredLease& stored, const time::ClockReading& now) {
    provision::Lease lease = stored.lease;
    Seconds boot_now = seconds(now.boot_ms);

    if (!stored.boot_id.empty() && stored.boot_id == now.boot_id && stored.obtained_at_boot) {
        // Same boot: the boot clock is continuous, so the stored boot time is exact whatever
        // the wall clock did (NTP steps, manual setting). It cannot lie in the future.
        if (*stored.obtained_at_boot > boot_now)
            return {std::nullopt, true,
                    "the stored lease claims to be obtained " + secs(*stored.obtained_at_boot - boot_now) +
                        " in the future on this boot's clock (boot " + now.boot_id + "); not restored"};
        lease.obtained_at = *stored.obtained_at_boot;
        return checked(std::move(lease), now, "same boot: elapsed time from the boot clock");
    }

    // Another boot, or no way to tell: only the wall clock spans the gap. Its elapsed time is
    // believed only if it meant something at both ends; an unsynchronised clock on an RTC-less
    // router starts at build time or 1970 and would make a lease look fresh or long gone.
    std::string boot = stored.boot_id.empty() || now.boot_id.empty() ? "boot unknown" : "rebooted";
    // Version-1 rows recorded nothing about synchronisation; the old daemon ran on the wall
    // clock alone, so they are taken at its word and judged by the wall clock now.
    bool synced_at_save = stored.wall_synchronized.value_or(true);
    if (!synced_at_save || !now.wall_synchronized) {
        std::string when = !now.wall_synchronized ? "is not synchronized" : "was not synchronized when the lease was saved";
        return {std::nullopt, true,
                boot + " and the wall clock " + when + ": cannot tell how much of the lease is left"};
    }
    std::int64_t saved_wall_ms = stored.lease.obtained_at * 1000;
    if (now.wall_ms < saved_wall_ms)
        return {std::nullopt, true,
                boot + " and the wall clock is " + secs(seconds(saved_wall_ms - now.wall_ms)) +
                    " before the lease was obtained: cannot tell how much of the lease is left"};
    // obtained_at on this boot's clock: now minus the wall-clock time elapsed since. Negative
    // when the lease predates this boot, which valid_until() handles like any other value.
    lease.obtained_at = seconds(now.boot_ms - (now.wall_ms - saved_wall_ms));
    std::string how = boot + ": elapsed time from the synchronized wall clock (" +
                      secs(seconds(now.wall_ms - saved_wall_ms)) + ")";
    return checked(std::move(lease), now, how);
}

bool same_as_stored(const StoredLease& stored, const provision::Lease& boot_lease, const time::ClockReading& now) {
    StoredLease fresh = to_stored(boot_lease, now);
    std::int64_t wall_diff = fresh.lease.obtained_at - stored.lease.obtained_at;
    if (wall_diff < -1 || wall_diff > 1) return false;
    fresh.lease.obtained_at = stored.lease.obtained_at;
    return fresh == stored;
}

}  // namespace s46::store
