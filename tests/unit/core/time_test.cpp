// The one time type's saturating helpers: timers that would land past int64 nanoseconds are
// "never" (Time::max()), not a wrapped instant in the past.
#include <catch2/catch.hpp>

#include "core/time.hpp"

namespace s46 {

using namespace std::chrono_literals;

TEST_CASE("saturating_add: exact inside the range, held at the ends outside it", "[time]") {
    CHECK(saturating_add(Time(0), 5s) == 5s);
    CHECK(saturating_add(10s, -3s) == 7s);
    CHECK(saturating_add(Time::max() - 1s, 1s) == Time::max());
    CHECK(saturating_add(Time::max() - 1s, 2s) == Time::max());
    CHECK(saturating_add(Time::max(), Time::max()) == Time::max());
    CHECK(saturating_add(Time::min() + 1s, -2s) == Time::min());
    // An RFC 8415 §7.7 lifetime (2^32 - 2 s) from a boot-clock `now` fits; from 5e9 s it does not.
    const Time lifetime = std::chrono::seconds(0xfffffffeLL);
    CHECK(saturating_add(std::chrono::hours(24 * 365), lifetime) == std::chrono::hours(24 * 365) + lifetime);
    CHECK(saturating_add(std::chrono::seconds(5'000'000'000), lifetime) == Time::max());
}

TEST_CASE("time_of_seconds: whole seconds as Time, saturated", "[time]") {
    CHECK(time_of_seconds(0) == Time(0));
    CHECK(time_of_seconds(-5) == -5s);
    CHECK(time_of_seconds(9'223'372'036) == 9'223'372'036s);  // the largest whole second that fits
    CHECK(time_of_seconds(9'223'372'037) == Time::max());
    CHECK(time_of_seconds(-9'223'372'037) == Time::min());
    CHECK(time_of_seconds(std::numeric_limits<Seconds>::max()) == Time::max());
}

}  // namespace s46
