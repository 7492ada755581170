// The lease and the selection survive a close and reopen exactly as given.
#include <catch2/catch.hpp>

#include "platform/store/lease_rows.hpp"
#include "platform/store/open_db.hpp"
#include "platform/store/schema.hpp"
#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

TEST_CASE_METHOD(StateDbFixture, "store: a lease round-trips through the file exactly", "[store]") {
    provision::Lease full = sample_lease();
    // A prefix value with host bits set must come back unchanged, not masked by the parser.
    provision::LeasedPrefix odd;
    odd.prefix.address = v6("2001:db8::1");
    odd.prefix.length = 48;
    odd.valid_lifetime = 1;
    full.prefixes.push_back(odd);

    const provision::Lease& lease = full;
    {
        {
            auto opened = open_without_warnings(path);
            REQUIRE(opened->store->save_lease(lease, clocks()).ok());
            CHECK(loaded_lease(*opened->store) == lease);
        }
        auto reopened = open_without_warnings(path);
        CHECK(reopened->store->persistent());
        const auto loaded = loaded_lease(*reopened->store);
        CHECK(loaded == lease);
        CHECK(loaded.server_address.has_value() == lease.server_address.has_value());
    }
}

// The row layer on its own: a lease with nothing in it would be expired by the time rule, and a
// version-1 row has NULL boot columns; both must still come back exactly as written.
TEST_CASE("store: the lease rows round-trip a bare lease and absent boot columns exactly", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    auto opened = open_state_db(dir.file("state.db"));
    REQUIRE(opened.ok());

    StoredLease bare;  // no server address, empty byte strings, no addresses or prefixes
    bare.lease.obtained_at = -5;
    bare.lease.t1 = 0xffffffff;
    StoredLease current = bare;
    current.obtained_at_boot = -7;
    current.boot_id = "6c0bb4e4-3f5e-4d59-9f5c-2a1f3b9e0d11";
    current.wall_synchronized = false;

    for (const auto& stored : {bare, current}) {
        REQUIRE(write_lease(opened->db, stored) == SQLITE_OK);
        auto back = read_lease(opened->db);
        REQUIRE(back.ok());
        REQUIRE(back->has_value());
        CHECK(**back == stored);
    }
}

TEST_CASE_METHOD(StateDbFixture, "store: no lease stored reads as empty; clear_lease removes it", "[store]") {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    auto& store = *opened->store;
    auto none = store.load_lease(clocks());
    REQUIRE(none.ok());
    CHECK_FALSE(none->lease.has_value());

    REQUIRE(store.save_lease(sample_lease(), clocks()).ok());
    REQUIRE(store.clear_lease().ok());
    auto after = store.load_lease(clocks());
    REQUIRE(after.ok());
    CHECK_FALSE(after->lease.has_value());
    CHECK(sql_value(path, "SELECT count(*) FROM lease_address") == "0");
}

TEST_CASE_METHOD(StateDbFixture, "store: the selection round-trips with its reason and plan JSON", "[store]") {
    Selection sel{select::Mode::lw4o6, "S46_PRIORITY lists lw4o6 first; lw4o6 container complete",
                  R"({"mode":"lw4o6","aftr":"2001:db8::1","ipv4":"192.0.2.1","psid":"0x34/8"})"};
    {
        auto opened = open_store(path);
        REQUIRE(opened.ok());
        auto empty = opened->store->load_selection();
        REQUIRE(empty.ok());
        CHECK_FALSE(empty->has_value());
        REQUIRE(opened->store->save_selection(sel).ok());
    }
    auto reopened = open_store(path);
    REQUIRE(reopened.ok());
    auto loaded = reopened->store->load_selection();
    REQUIRE(loaded.ok());
    REQUIRE(loaded->has_value());
    CHECK(**loaded == sel);
}

TEST_CASE_METHOD(StateDbFixture, "store: a stored row the store did not write is an error naming it, not a crash", "[store]") {
    store_sample_state(path, Selection{select::Mode::mape, "r", "{}"});
    sql_value(path, "UPDATE lease_address SET address = 'not-an-address' WHERE pos = 0");
    sql_value(path, "UPDATE selection SET mode = 'map-t'");
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    auto lease = opened->store->load_lease(clocks());
    REQUIRE_FALSE(lease.ok());
    CHECK_THAT(lease.error(), Catch::Contains("stored lease") && Catch::Contains("not-an-address"));
    auto sel = opened->store->load_selection();
    REQUIRE_FALSE(sel.ok());
    CHECK_THAT(sel.error(), Catch::Contains("unknown mode 'map-t'"));
    // Saving a good lease over the bad one repairs it.
    REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
    auto repaired = opened->store->load_lease(clocks());
    REQUIRE(repaired.ok());
    CHECK(*repaired->lease == sample_lease());
}

TEST_CASE_METHOD(StateDbFixture, "store: a version-1 file migrates to version 2 and its lease is judged by the wall clock", "[store]") {
    // What s46d with schema version 1 wrote: obtained_at in wall-clock seconds, nothing else.
    exec_sql(path, std::string(schema::migrations()[0].sql) +
                       "INSERT INTO lease VALUES (1, x'0001', 'fe80::1', 1, 2, 1800, 2880, 1765000000, x'');"
                       "INSERT INTO lease_prefix VALUES (0, '2001:db8:aa00::/56', 3600, 7200);"
                       "PRAGMA user_version = 1;");
    auto opened = open_without_warnings(path);
    CHECK(sql_value(path, "PRAGMA user_version") == std::to_string(schema::latest_version()));
    CHECK(sql_value(path, "SELECT obtained_at_boot IS NULL AND boot_id IS NULL AND wall_synchronized IS NULL "
                          "FROM lease") == "1");

    // Rebooted into the new s46d 1000 s later, 20 s after boot, wall clock synchronised.
    auto synced = opened->store->load_lease(clocks(20'000, (1765000000LL + 1000) * 1000, "boot-b", true));
    REQUIRE(synced.ok());
    REQUIRE(synced->lease);
    CHECK(synced->lease->obtained_at == 20 - 1000);
    CHECK(synced->lease->valid_until() == 20 + 7200 - 1000);
    CHECK(synced->lease->server_address == v6("fe80::1"));
    CHECK_THAT(synced->note, Catch::StartsWith("boot unknown: elapsed time from the synchronized wall clock"));

    auto unsynced = opened->store->load_lease(clocks(20'000, 30'000, "boot-b", false));
    REQUIRE(unsynced.ok());
    CHECK_FALSE(unsynced->lease);
    CHECK(unsynced->found);
    CHECK(unsynced->note ==
          "boot unknown and the wall clock is not synchronized: cannot tell how much of the lease is left");
}

TEST_CASE_METHOD(StateDbFixture, "store: the boot columns round-trip, and an untrusted lease stays stored until cleared", "[store]") {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    auto& store = *opened->store;
    REQUIRE(store.save_lease(sample_lease(), clocks()).ok());
    CHECK(sql_value(path, "SELECT obtained_at_boot || ' ' || boot_id || ' ' || wall_synchronized FROM lease") ==
          "1714560000 boot-a 1");
    // The wall clock reads 1765000000 s, 100 s after the lease was obtained.
    CHECK(sql_value(path, "SELECT obtained_at FROM lease") == "1764999900");

    auto rebooted = store.load_lease(clocks(5'000, 1765000000LL * 1000, "boot-b", false));
    REQUIRE(rebooted.ok());
    CHECK_FALSE(rebooted->lease);
    CHECK(rebooted->found);
    CHECK_THAT(rebooted->note, Catch::StartsWith("rebooted and the wall clock is not synchronized"));
    CHECK(sql_value(path, "SELECT count(*) FROM lease") == "1");  // loading decides, clearing is the caller's
}

TEST_CASE_METHOD(StateDbFixture, "store: stored times too large to be ours are an error naming them", "[store]") {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
    sql_value(path, "UPDATE lease SET obtained_at = 9223372036854775807");
    auto wall = opened->store->load_lease(clocks(0, 0, "boot-b"));
    REQUIRE_FALSE(wall.ok());
    CHECK(wall.error() == "stored lease: obtained_at 9223372036854775807 is out of range");

    sql_value(path, "UPDATE lease SET obtained_at = 0, obtained_at_boot = -9223372036854775807");
    auto boot = opened->store->load_lease(clocks());
    REQUIRE_FALSE(boot.ok());
    CHECK(boot.error() == "stored lease: obtained_at_boot -9223372036854775807 is out of range");

    sql_value(path, "UPDATE lease SET obtained_at_boot = 1, wall_synchronized = 7");
    auto synced = opened->store->load_lease(clocks());
    REQUIRE_FALSE(synced.ok());
    CHECK(synced.error() == "stored lease: wall_synchronized 7 is not 0 or 1");
}
