#include "platform/time/clock.hpp"

#include <sys/timex.h>
#include <time.h>

#include <fstream>

namespace s46::time {
namespace {

std::int64_t read_ms(clockid_t id) {
    timespec ts{};
    // clock_gettime cannot fail for these clocks on Linux ≥ 2.6.39 with a valid pointer.
    clock_gettime(id, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string read_boot_id() {
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    if (!(in >> id)) return {};
    return id;
}

// adjtimex with modes = 0 only reads. The kernel clears STA_UNSYNC when a time daemon
// (chrony, ntpd, systemd-timesyncd) disciplines the clock, and sets it again when the estimated
// error grows past 16 s without updates; TIME_ERROR is returned in that unsynchronised state.
bool wall_synchronized() {
    timex tx{};
    int state = adjtimex(&tx);
    if (state < 0 || state == TIME_ERROR) return false;
    return (tx.status & STA_UNSYNC) == 0;
}

}  // namespace

ClockReading read_clocks() {
    ClockReading r;
    r.boot_ms = read_ms(CLOCK_BOOTTIME);
    r.wall_ms = read_ms(CLOCK_REALTIME);
    r.boot_id = read_boot_id();
    r.wall_synchronized = wall_synchronized();
    return r;
}

std::int64_t boot_now_ms() { return read_ms(CLOCK_BOOTTIME); }

std::int64_t wall_now_seconds() { return read_ms(CLOCK_REALTIME) / 1000; }

}  // namespace s46::time
