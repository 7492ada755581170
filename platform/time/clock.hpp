// The two clocks s46d reads, in one call. Every timer and lifetime runs on the boot clock
// (CLOCK_BOOTTIME: monotonic, and unlike CLOCK_MONOTONIC it keeps counting while the router is
// suspended, as the DHCPv6 server's clock does). The wall clock is read only to store times
// that must survive a reboot and to show times to people; docs/time.md says why.
//
// A thin adapter: no policy here. What to trust is decided by platform/store/lease_time.
#pragma once

#include <cstdint>
#include <string>

namespace s46::time {

// Both clocks read back to back, with what is needed to tell whether the boot clock of a
// stored reading is the same one as now (boot_id) and whether the wall clock means anything.
struct ClockReading {
    std::int64_t boot_ms = 0;         // CLOCK_BOOTTIME, milliseconds since boot
    std::int64_t wall_ms = 0;         // CLOCK_REALTIME, milliseconds since the epoch
    std::string boot_id;              // /proc/sys/kernel/random/boot_id; empty when unreadable
    bool wall_synchronized = false;   // the kernel's view (adjtimex): NTP/PTP has disciplined it
    friend bool operator==(const ClockReading&, const ClockReading&) = default;
};

ClockReading read_clocks();

// CLOCK_BOOTTIME in milliseconds, for the daemon's timers (cheaper than read_clocks()).
std::int64_t boot_now_ms();

// CLOCK_REALTIME in whole seconds: for what people read (journal rows, status), never a timer.
std::int64_t wall_now_seconds();

}  // namespace s46::time
