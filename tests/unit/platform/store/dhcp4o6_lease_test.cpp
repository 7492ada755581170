// The DHCP 4o6 lease next to the DHCPv6 lease: round trip, the time trust rule, cleared with the
// DHCPv6 lease, not rewritten when unchanged, and a version-4 file migrated.
#include <catch2/catch.hpp>

#include "platform/store/dhcp4o6_lease_rows.hpp"
#include "platform/store/open_db.hpp"
#include "platform/store/schema.hpp"
#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

namespace {

// Obtained 50 s before sample_lease()'s clocks() reading (boot-clock seconds), lease 3600 s.
Dhcp4o6Lease sample_4o6() {
    Dhcp4o6Lease l;
    l.binding.ipv4 = net::Ipv4Address(192, 0, 2, 100);
    l.binding.port_params = provision::PortParams{6, 8, 0x34};
    l.binding.softwire_source = v6("2001:db8:0:1::100");
    l.server_id = net::Ipv4Address(192, 0, 2, 1);
    l.lease_time = 3600;
    l.t1 = 1800;
    l.t2 = 3150;
    l.obtained_at = 1714560000 + 50;
    return l;
}

Dhcp4o6Lease loaded_4o6(StateStore& store, const time::ClockReading& now = clocks()) {
    auto r = store.load_dhcp4o6_lease(now);
    REQUIRE(r.ok());
    REQUIRE(r->lease);
    return *r->lease;
}

}  // namespace

TEST_CASE_METHOD(StateDbFixture, "store 4o6: the DHCP 4o6 lease round-trips, with and without a port set", "[store][dhcp4o6]") {
    Dhcp4o6Lease lease = sample_4o6();
    SECTION("port set") {}
    SECTION("full address") { lease.binding.port_params.reset(); }
    {
        auto opened = open_without_warnings(path);
        auto none = opened->store->load_dhcp4o6_lease(clocks());
        REQUIRE(none.ok());
        CHECK_FALSE(none->found);
        REQUIRE(opened->store->save_dhcp4o6_lease(lease, clocks()).ok());
    }
    auto reopened = open_without_warnings(path);
    CHECK(loaded_4o6(*reopened->store) == lease);
}

TEST_CASE_METHOD(StateDbFixture, "store 4o6: cleared with the DHCPv6 lease, and on its own", "[store][dhcp4o6]") {
    auto opened = open_without_warnings(path);
    REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
    REQUIRE(opened->store->save_dhcp4o6_lease(sample_4o6(), clocks()).ok());
    // A changed DHCPv6 lease (a Renew) rewrites its rows but keeps the 4o6 lease.
    provision::Lease renewed = sample_lease();
    renewed.t1 = 1900;
    REQUIRE(opened->store->save_lease(renewed, clocks()).ok());
    CHECK(loaded_4o6(*opened->store) == sample_4o6());
    REQUIRE(opened->store->clear_lease().ok());
    auto gone = opened->store->load_dhcp4o6_lease(clocks());
    REQUIRE(gone.ok());
    CHECK_FALSE(gone->found);

    REQUIRE(opened->store->save_dhcp4o6_lease(sample_4o6(), clocks()).ok());
    REQUIRE(opened->store->clear_dhcp4o6_lease().ok());
    CHECK_FALSE(opened->store->load_dhcp4o6_lease(clocks())->found);
    CHECK(sql_value(path, "SELECT count(*) FROM dhcp4o6_lease") == "0");
}

TEST_CASE_METHOD(StateDbFixture, "store 4o6: an unchanged lease is not rewritten", "[store][dhcp4o6]") {
    auto opened = open_without_warnings(path);
    REQUIRE(opened->store->save_dhcp4o6_lease(sample_4o6(), clocks()).ok());
    const auto writes = opened->store->write_count();
    // Same lease, wall clock 600 ms on: rounding, not a change.
    REQUIRE(opened->store->save_dhcp4o6_lease(sample_4o6(), clocks((1714560000LL + 100) * 1000, 1765000000600LL)).ok());
    CHECK(opened->store->write_count() == writes);
    Dhcp4o6Lease renewed = sample_4o6();
    renewed.obtained_at += 1800;
    REQUIRE(opened->store->save_dhcp4o6_lease(renewed, clocks()).ok());
    CHECK(opened->store->write_count() == writes + 1);
}

TEST_CASE_METHOD(StateDbFixture, "store 4o6: the DHCPv6 lease's time trust rule decides the restore", "[store][dhcp4o6]") {
    auto opened = open_without_warnings(path);
    REQUIRE(opened->store->save_dhcp4o6_lease(sample_4o6(), clocks()).ok());
    SECTION("same boot, an hour of wall-clock step: the boot clock counts") {
        const auto later = clocks((1714560000LL + 200) * 1000, 1765000000000LL + 3'600'000);
        CHECK(loaded_4o6(*opened->store, later).obtained_at == sample_4o6().obtained_at);
    }
    SECTION("after a reboot with a synchronised clock: elapsed wall time") {
        // 1000 s of wall time later, on a new boot 20 s old.
        const auto rebooted = clocks(20'000, 1765000000000LL + 1'000'000, "boot-b");
        // Saved at wall 1765000000 - 50, so obtained 1050 s before now: boot second 20 - 1050.
        CHECK(loaded_4o6(*opened->store, rebooted).obtained_at == 20 - 1050);
    }
    SECTION("after a reboot with an unsynchronised clock: dropped, with the reason") {
        auto r = opened->store->load_dhcp4o6_lease(clocks(20'000, 1765000000000LL + 1'000'000, "boot-b", false));
        REQUIRE(r.ok());
        CHECK(r->found);
        CHECK_FALSE(r->lease);
        CHECK_THAT(r->note, Catch::Contains("not synchronized"));
    }
    SECTION("expired: dropped") {
        auto r = opened->store->load_dhcp4o6_lease(clocks((1714560000LL + 50 + 3600) * 1000));
        REQUIRE(r.ok());
        CHECK(r->found);
        CHECK_FALSE(r->lease);
        CHECK_THAT(r->note, Catch::Contains("expired"));
    }
}

TEST_CASE_METHOD(StateDbFixture, "store 4o6: a damaged row is an error naming the field", "[store][dhcp4o6]") {
    {
        auto opened = open_without_warnings(path);
        REQUIRE(opened->store->save_dhcp4o6_lease(sample_4o6(), clocks()).ok());
    }
    const auto [damage, named] = GENERATE(table<const char*, const char*>({
        {"UPDATE dhcp4o6_lease SET psid = 256", "PSID 256 is out of range"},
        {"UPDATE dhcp4o6_lease SET address = '192.0.2'", "stored DHCP 4o6 lease: address"},
        {"UPDATE dhcp4o6_lease SET lease_time = 0", "lease time 0"},
    }));
    exec_sql(path, damage);
    auto opened = open_without_warnings(path);
    auto r = opened->store->load_dhcp4o6_lease(clocks());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains(named));
}

TEST_CASE_METHOD(StateDbFixture, "store 4o6: a version-4 file gains the DHCP 4o6 table and keeps its lease", "[store][dhcp4o6]") {
    std::string v4;
    for (int i = 0; i < 4; ++i) v4 += std::string(schema::migrations()[static_cast<std::size_t>(i)].sql);
    exec_sql(path, v4 + "PRAGMA user_version = 4;");
    {
        auto opened = open_without_warnings(path);
        REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
    }
    CHECK(sql_value(path, "PRAGMA user_version") == "5");
    auto opened = open_without_warnings(path);
    auto none = opened->store->load_dhcp4o6_lease(clocks());
    REQUIRE(none.ok());
    CHECK_FALSE(none->found);
    REQUIRE(opened->store->save_dhcp4o6_lease(sample_4o6(), clocks()).ok());
    CHECK(loaded_4o6(*opened->store) == sample_4o6());
}
