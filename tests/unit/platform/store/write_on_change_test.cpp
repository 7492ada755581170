// Flash wear: storing what is already stored must not write. write_count() counts commits.
#include <catch2/catch.hpp>

#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

TEST_CASE_METHOD(StateDbFixture, "store: an unchanged lease or selection is not written again", "[store]") {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    auto& store = *opened->store;
    CHECK(store.write_count() == 0);

    auto lease = sample_lease();
    REQUIRE(store.save_lease(lease, clocks()).ok());
    CHECK(store.write_count() == 1);
    REQUIRE(store.save_lease(lease, clocks()).ok());
    REQUIRE(store.save_lease(sample_lease(), clocks()).ok());  // equal value, different object
    // Later in the same boot, the wall clock slewed by under a second: the same row.
    REQUIRE(store.save_lease(lease, clocks((1714560000LL + 700) * 1000, 1765000000LL * 1000 + 600'500)).ok());
    CHECK(store.write_count() == 1);

    lease.obtained_at += 1800;  // a Renew
    REQUIRE(store.save_lease(lease, clocks()).ok());
    CHECK(store.write_count() == 2);
    lease.options.push_back(0);  // a changed option is a change
    REQUIRE(store.save_lease(lease, clocks()).ok());
    CHECK(store.write_count() == 3);

    Selection sel{select::Mode::mape, "only MAP-E offered", "{}"};
    REQUIRE(store.save_selection(sel).ok());
    REQUIRE(store.save_selection(sel).ok());
    CHECK(store.write_count() == 4);
    sel.reason = "MAP-E first in S46_PRIORITY";
    REQUIRE(store.save_selection(sel).ok());
    CHECK(store.write_count() == 5);

    REQUIRE(store.clear_lease().ok());
    REQUIRE(store.clear_lease().ok());  // nothing left to clear
    CHECK(store.write_count() == 6);
}

TEST_CASE_METHOD(StateDbFixture, "store: the same binding again adds no row; a changed one does", "[store]") {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    auto& store = *opened->store;

    REQUIRE(store.record_binding(sample_binding(100, 0x34)).ok());
    REQUIRE(store.record_binding(sample_binding(200, 0x34)).ok());  // restart, same binding
    CHECK(store.write_count() == 1);
    REQUIRE(store.record_binding(sample_binding(300, 0x35)).ok());
    CHECK(store.write_count() == 2);

    auto rows = store.bindings(10);
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 2);
    CHECK((*rows)[0].at == 100);
    CHECK((*rows)[1].psid == 0x35);
}

TEST_CASE_METHOD(StateDbFixture, "store: every journal append is a write", "[store]") {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    Event e{0, 10, EventKind::lease_renewed, select::Mode::none, select::Mode::none, "T1 reached"};
    REQUIRE(opened->store->append(e).ok());
    REQUIRE(opened->store->append(e).ok());
    CHECK(opened->store->write_count() == 2);
}

TEST_CASE_METHOD(StateDbFixture, "store: reopening an up-to-date file changes nothing in it", "[store]") {
    store_sample_state(path);
    const std::string before = read_file(path);
    for (int i = 0; i < 3; ++i) {
        auto opened = open_without_warnings(path);
        REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
        CHECK(opened->store->write_count() == 0);
    }
    CHECK(read_file(path) == before);
}

TEST_CASE_METHOD(StateDbFixture, "store: an unchanged lease is rewritten when its stored clock context would be wrong", "[store]") {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    auto& store = *opened->store;
    const auto lease = sample_lease();
    const std::int64_t boot = (1714560000LL + 100) * 1000;
    REQUIRE(store.save_lease(lease, clocks(boot, 1000, "boot-a", false)).ok());  // 1970: no RTC, no NTP yet
    CHECK(store.write_count() == 1);
    // NTP synchronised: the same instant now has a meaningful wall time.
    REQUIRE(store.save_lease(lease, clocks(boot + 5000, 1765000000LL * 1000, "boot-a", true)).ok());
    CHECK(store.write_count() == 2);
    // A year's step of the synchronised clock: the stored wall time would mislead after a reboot.
    REQUIRE(store.save_lease(lease, clocks(boot + 6000, (1765000000LL + 365 * 86400 + 1) * 1000)).ok());
    CHECK(store.write_count() == 3);
    // Restored after a reboot and saved again: the row now names this boot.
    REQUIRE(store.save_lease(lease, clocks(boot + 6000, (1765000000LL + 365 * 86400 + 1) * 1000, "boot-b")).ok());
    CHECK(store.write_count() == 4);
}
