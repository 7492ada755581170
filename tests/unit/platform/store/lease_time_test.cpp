// The store boundary for lease times (platform/store/lease_time.hpp): every branch of the trust
// rule, with clock readings made up by the test.
#include <catch2/catch.hpp>

#include "platform/store/lease_time.hpp"
#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

namespace {

constexpr std::int64_t kYear = 365LL * 24 * 3600;
constexpr std::int64_t kWall = 1765000000LL;  // a plausible synchronised wall time, seconds

time::ClockReading reading(std::int64_t boot_s, std::int64_t wall_s, const char* boot_id = "boot-a",
                           bool synced = true) {
    return {boot_s * 1000, wall_s * 1000, boot_id, synced};
}

// Obtained 600 s into boot "boot-a"; the longest valid lifetime is 7200 s (T1 1800, T2 2880).
provision::Lease boot_lease() {
    provision::Lease l = sample_lease();
    l.addresses = {{v6("2001:db8:0:1::100"), 3600, 7200}};
    l.prefixes = {{*net::Ipv6Prefix::parse("2001:db8:aa00::/56"), 3600, 7000}};
    l.obtained_at = 600;
    return l;
}

// Saved at boot 600 s when the wall clock read kWall, synchronised or not.
StoredLease saved(bool synced = true) { return to_stored(boot_lease(), reading(600, kWall, "boot-a", synced)); }

}  // namespace

TEST_CASE("lease time: saving keeps obtained_at on both clocks, the boot and the sync state", "[store][time]") {
    auto s = to_stored(boot_lease(), {700'250, (kWall + 100) * 1000 + 250, "boot-a", true});
    CHECK(s.lease.obtained_at == kWall);        // 600 s on the boot clock = kWall on the wall clock
    CHECK(s.obtained_at_boot == 600);
    CHECK(s.boot_id == "boot-a");
    CHECK(s.wall_synchronized == true);
    auto expect = boot_lease();
    expect.obtained_at = kWall;
    CHECK(s.lease == expect);  // nothing else changes

    auto u = to_stored(boot_lease(), {700'000, 42'000, "", false});  // 1970 on an RTC-less box
    CHECK(u.lease.obtained_at == 42 - 100);
    CHECK(u.boot_id.empty());
    CHECK(u.wall_synchronized == false);
}

TEST_CASE("lease time: same boot restores the boot-clock time exactly, whatever the wall clock did",
          "[store][time]") {
    for (std::int64_t step : {std::int64_t{0}, kYear, -kYear, 30 * kYear, -50 * kYear}) {
        for (bool synced_now : {true, false}) {
            CAPTURE(step, synced_now);
            auto r = from_stored(saved(synced_now), reading(4000, kWall + 3400 + step, "boot-a", synced_now));
            REQUIRE(r.lease);
            CHECK(r.found);
            CHECK(*r.lease == boot_lease());  // obtained_at 600 on the boot clock, as saved
            CHECK(r.lease->valid_until() == 600 + 7200);
            CHECK_THAT(r.note, Catch::Contains("same boot"));
        }
    }
}

TEST_CASE("lease time: same boot, expired on the boot clock: not restored, with the reason", "[store][time]") {
    // Suspended for a day: CLOCK_BOOTTIME counted it, so the lease is seen to have run out.
    auto r = from_stored(saved(), reading(600 + 7200 + 86400, kWall - kYear, "boot-a"));
    CHECK_FALSE(r.lease);
    CHECK(r.found);
    CHECK_THAT(r.note, Catch::Contains("expired 86400 s ago") && Catch::Contains("same boot"));

    auto edge = from_stored(saved(), reading(600 + 7200, kWall, "boot-a"));  // valid until, exclusive
    CHECK_FALSE(edge.lease);
    CHECK_THAT(edge.note, Catch::Contains("expired 0 s ago"));
    CHECK(from_stored(saved(), reading(600 + 7199, kWall, "boot-a")).lease);
}

TEST_CASE("lease time: same boot, a boot-clock time ahead of the boot clock is not trusted", "[store][time]") {
    auto r = from_stored(saved(), reading(500, kWall, "boot-a"));
    CHECK_FALSE(r.lease);
    CHECK(r.found);
    CHECK_THAT(r.note, Catch::Contains("100 s in the future") && Catch::Contains("boot-a"));
}

TEST_CASE("lease time: after a reboot a synchronised wall clock gives the elapsed time", "[store][time]") {
    // Rebooted; 5000 s of wall time have passed since the lease was obtained, 30 s since boot.
    auto r = from_stored(saved(), reading(30, kWall + 5000, "boot-b"));
    REQUIRE(r.lease);
    CHECK(r.lease->obtained_at == 30 - 5000);  // before this boot: negative on its clock
    CHECK(r.lease->valid_until() - 30 == 7200 - 5000);
    auto expect = boot_lease();
    expect.obtained_at = 30 - 5000;
    CHECK(*r.lease == expect);
    CHECK_THAT(r.note, Catch::Contains("rebooted") && Catch::Contains("synchronized wall clock (5000 s)"));

    // Milliseconds do not accumulate rounding: 0.9 s into boot, 0.2 s after the second.
    auto m = from_stored(saved(), {900, (kWall + 5000) * 1000 + 200, "boot-b", true});
    REQUIRE(m.lease);
    CHECK(m.lease->obtained_at == -5000);  // floor(0.9 - 5000.2)
}

TEST_CASE("lease time: after a reboot without synchronised wall clocks the lease is dropped", "[store][time]") {
    SECTION("not synchronised now") {
        auto r = from_stored(saved(true), reading(30, kWall + 5000, "boot-b", false));
        CHECK_FALSE(r.lease);
        CHECK(r.found);
        CHECK(r.note ==
              "rebooted and the wall clock is not synchronized: cannot tell how much of the lease is left");
    }
    SECTION("not synchronised when saved") {
        auto r = from_stored(saved(false), reading(30, kWall + 5000, "boot-b", true));
        CHECK_FALSE(r.lease);
        CHECK(r.note == "rebooted and the wall clock was not synchronized when the lease was saved: cannot tell "
                        "how much of the lease is left");
    }
    SECTION("neither") {
        auto r = from_stored(saved(false), reading(30, kWall + 5000, "boot-b", false));
        CHECK_FALSE(r.lease);
        CHECK_THAT(r.note, Catch::StartsWith("rebooted and the wall clock is not synchronized"));
    }
    SECTION("synchronised, but the wall clock is before the lease was obtained") {
        auto r = from_stored(saved(), reading(30, kWall - kYear, "boot-b"));
        CHECK_FALSE(r.lease);
        CHECK(r.note == "rebooted and the wall clock is " + std::to_string(kYear) +
                            " s before the lease was obtained: cannot tell how much of the lease is left");
    }
    SECTION("synchronised, and the lease ran out while the router was off") {
        auto r = from_stored(saved(), reading(30, kWall + 8000, "boot-b"));
        CHECK_FALSE(r.lease);
        CHECK_THAT(r.note, Catch::Contains("expired 800 s ago") && Catch::Contains("rebooted"));
    }
}

TEST_CASE("lease time: an unknown boot id on either side falls back to the wall-clock rule", "[store][time]") {
    auto no_id_saved = to_stored(boot_lease(), reading(600, kWall, ""));
    auto r = from_stored(no_id_saved, reading(4000, kWall + 3400, ""));  // empty == empty is not "same boot"
    REQUIRE(r.lease);
    CHECK(r.lease->obtained_at == 600);
    CHECK_THAT(r.note, Catch::StartsWith("boot unknown: elapsed time from the synchronized wall clock"));

    auto unreadable_now = from_stored(saved(), reading(4000, kWall + 3400, "", false));
    CHECK_FALSE(unreadable_now.lease);
    CHECK(unreadable_now.note ==
          "boot unknown and the wall clock is not synchronized: cannot tell how much of the lease is left");

    // Same boot id but no boot-clock time (not written by this s46d): only the wall clock helps.
    auto odd = saved();
    odd.obtained_at_boot.reset();
    auto o = from_stored(odd, reading(4000, kWall + 3400, "boot-a"));
    REQUIRE(o.lease);
    CHECK(o.lease->obtained_at == 600);
    CHECK_THAT(o.note, Catch::Contains("wall clock"));
}

TEST_CASE("lease time: a version-1 row is judged by the wall clock now", "[store][time]") {
    StoredLease v1;
    v1.lease = boot_lease();
    v1.lease.obtained_at = kWall;  // the old daemon stored wall-clock seconds only
    auto r = from_stored(v1, reading(30, kWall + 5000, "boot-b"));
    REQUIRE(r.lease);
    CHECK(r.lease->obtained_at == 30 - 5000);
    CHECK_THAT(r.note, Catch::StartsWith("boot unknown"));

    auto u = from_stored(v1, reading(30, kWall + 5000, "boot-b", false));
    CHECK_FALSE(u.lease);
    CHECK(u.note == "boot unknown and the wall clock is not synchronized: cannot tell how much of the lease is left");
}

TEST_CASE("lease time: infinite lifetimes never expire on either path", "[store][time]") {
    auto l = boot_lease();
    l.addresses[0].valid_lifetime = 0xffffffff;  // RFC 8415 §7.7: infinity
    auto s = to_stored(l, reading(600, kWall));
    auto same = from_stored(s, reading(600 + 10 * kYear, kWall, "boot-a"));
    REQUIRE(same.lease);
    CHECK(same.lease->valid_until() == INT64_MAX);
    auto rebooted = from_stored(s, reading(5, kWall + 10 * kYear, "boot-b"));
    REQUIRE(rebooted.lease);
    CHECK(rebooted.lease->valid_until() == INT64_MAX);
}

TEST_CASE("lease time: re-storing an unchanged lease is no change unless the stored row would differ",
          "[store][time]") {
    auto s = saved();
    // Later in the same boot, the clocks' offset within a second (rounding, NTP slew).
    CHECK(same_as_stored(s, boot_lease(), {4000'000, (kWall + 3400) * 1000 + 900, "boot-a", true}));
    CHECK(same_as_stored(s, boot_lease(), {4000'000, (kWall + 3399) * 1000, "boot-a", true}));
    // The wall clock was stepped: the stored wall time would be wrong after a reboot.
    CHECK_FALSE(same_as_stored(s, boot_lease(), reading(4000, kWall + 3400 + kYear, "boot-a")));
    // Synchronisation arrived: the row becomes trustworthy across a reboot.
    CHECK_FALSE(same_as_stored(saved(false), boot_lease(), reading(4000, kWall + 3400, "boot-a", true)));
    // Restored after a reboot: the row must name this boot.
    CHECK_FALSE(same_as_stored(s, boot_lease(), reading(4000, kWall + 3400, "boot-b")));
    auto renewed = boot_lease();
    renewed.obtained_at += 1800;
    CHECK_FALSE(same_as_stored(s, renewed, reading(4000, kWall + 3400, "boot-a")));
}
