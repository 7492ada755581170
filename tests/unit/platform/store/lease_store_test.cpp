// The lease and the selection survive a close and reopen exactly as given.
#include <catch2/catch.hpp>

#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

TEST_CASE("store: a lease round-trips through the file exactly", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");

    provision::Lease full = sample_lease();
    // A prefix value with host bits set must come back unchanged, not masked by the parser.
    provision::LeasedPrefix odd;
    odd.prefix.address = v6("2001:db8::1");
    odd.prefix.length = 48;
    odd.valid_lifetime = 1;
    full.prefixes.push_back(odd);

    provision::Lease bare;  // no server address, empty byte strings, no addresses or prefixes
    bare.obtained_at = -5;
    bare.t1 = 0xffffffff;

    for (const auto& lease : {full, bare}) {
        {
            auto opened = open_store(path);
            REQUIRE(opened.ok());
            CHECK(opened->warnings.empty());
            REQUIRE(opened->store->save_lease(lease).ok());
            auto now = opened->store->load_lease();
            REQUIRE(now.ok());
            REQUIRE(now->has_value());
            CHECK(**now == lease);
        }
        auto reopened = open_store(path);
        REQUIRE(reopened.ok());
        CHECK(reopened->warnings.empty());
        CHECK(reopened->store->persistent());
        auto loaded = reopened->store->load_lease();
        REQUIRE(loaded.ok());
        REQUIRE(loaded->has_value());
        CHECK(**loaded == lease);
        CHECK((*loaded)->server_address.has_value() == lease.server_address.has_value());
    }
}

TEST_CASE("store: no lease stored reads as empty; clear_lease removes it", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    auto opened = open_store(dir.file("state.db"));
    REQUIRE(opened.ok());
    auto& store = *opened->store;
    auto none = store.load_lease();
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());

    REQUIRE(store.save_lease(sample_lease()).ok());
    REQUIRE(store.clear_lease().ok());
    auto after = store.load_lease();
    REQUIRE(after.ok());
    CHECK_FALSE(after->has_value());
    CHECK(sql_value(dir.file("state.db"), "SELECT count(*) FROM lease_address") == "0");
}

TEST_CASE("store: the selection round-trips with its reason and plan JSON", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
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

TEST_CASE("store: a stored row the store did not write is an error naming it, not a crash", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    {
        auto opened = open_store(path);
        REQUIRE(opened.ok());
        REQUIRE(opened->store->save_lease(sample_lease()).ok());
        REQUIRE(opened->store->save_selection({select::Mode::mape, "r", "{}"}).ok());
    }
    sql_value(path, "UPDATE lease_address SET address = 'not-an-address' WHERE pos = 0");
    sql_value(path, "UPDATE selection SET mode = 'map-t'");
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    auto lease = opened->store->load_lease();
    REQUIRE_FALSE(lease.ok());
    CHECK_THAT(lease.error(), Catch::Contains("stored lease") && Catch::Contains("not-an-address"));
    auto sel = opened->store->load_selection();
    REQUIRE_FALSE(sel.ok());
    CHECK_THAT(sel.error(), Catch::Contains("unknown mode 'map-t'"));
    // Saving a good lease over the bad one repairs it.
    REQUIRE(opened->store->save_lease(sample_lease()).ok());
    auto repaired = opened->store->load_lease();
    REQUIRE(repaired.ok());
    CHECK(**repaired == sample_lease());
}
