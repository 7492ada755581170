// The clock adapter against the real kernel: plausible values, not exact ones.
#include <catch2/catch.hpp>

#include "platform/time/clock.hpp"

using namespace s46;

TEST_CASE("clock: read_clocks reads both clocks, the boot id and the sync flag", "[time]") {
    auto before = time::boot_now_ms();
    auto r = time::read_clocks();
    auto after = time::boot_now_ms();
    CHECK(r.boot_ms > 0);
    CHECK(before <= r.boot_ms);
    CHECK(r.boot_ms <= after);  // the boot clock never goes backwards
    CHECK(r.wall_ms > 0);
    // A random UUID per boot (36 characters); empty only where /proc is not mounted.
    CHECK((r.boot_id.empty() || r.boot_id.size() == 36));
    auto again = time::read_clocks();
    CHECK(again.boot_id == r.boot_id);
    CHECK(again.boot_ms >= r.boot_ms);
    INFO("wall clock synchronized here: " << r.wall_synchronized);  // depends on the host
    SUCCEED();
}
