// A disk that does not take writes: the store reports it and keeps the daemon's state in memory.
#include <catch2/catch.hpp>

#include "faulty_vfs.hpp"
#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

namespace {

void check_works_in_memory(SqliteStore& store) {
    CHECK_FALSE(store.persistent());
    auto lease = sample_lease();
    lease.obtained_at = 42;
    REQUIRE(store.save_lease(lease, clocks()).ok());
    CHECK(loaded_lease(store) == lease);
    REQUIRE(store.append({0, 1, EventKind::lease_obtained, select::Mode::none, select::Mode::none, "in memory"}).ok());
    auto j = store.journal(1);
    REQUIRE(j.ok());
    REQUIRE(j->size() == 1);
    CHECK(j->front().detail == "in memory");
}

}  // namespace

TEST_CASE_METHOD(StateDbFixture, "store: a read-only directory gives a clear warning and an in-memory store", "[store]") {
    ReadOnlyDir ro(dir);
    if (!ro.effective()) {
        WARN("cannot make a directory read-only here; skipped");
        return;
    }
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE_FALSE(opened->warnings.empty());
    CHECK_THAT(opened->warnings[0], Catch::Contains("cannot use " + path) &&
                                        Catch::Contains("unable to open database file") &&
                                        Catch::Contains("running from memory"));
    check_works_in_memory(*opened->store);
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE_METHOD(StateDbFixture, "store: state already on a read-only disk is loaded into memory", "[store]") {
    store_sample_state(path, Selection{select::Mode::dslite, "only DS-Lite offered", "{}"});
    const std::string before = read_file(path);
    // The store made the file 0600. As root, ReadOnlyDir stands in for a read-only mount by
    // becoming "nobody", who must still be able to read the file as root could on a real one.
    chmod(path.c_str(), 0644);
    ReadOnlyDir ro(dir);
    if (!ro.effective()) {
        WARN("cannot make a directory read-only here; skipped");
        return;
    }
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    for (const auto& w : opened->warnings) UNSCOPED_INFO(w);
    REQUIRE(opened->warnings.size() == 1);  // the stored state was readable: nothing lost
    CHECK_THAT(opened->warnings[0], Catch::Contains("running from memory"));
    CHECK(loaded_lease(*opened->store) == sample_lease());
    auto sel = opened->store->load_selection();
    REQUIRE(sel.ok());
    REQUIRE(sel->has_value());
    CHECK((*sel)->mode == select::Mode::dslite);
    check_works_in_memory(*opened->store);
    CHECK(read_file(path) == before);
}

TEST_CASE_METHOD(StateDbFixture, "store: a damaged file that cannot be moved aside leaves an in-memory store", "[store]") {
    write_file(path, std::string(2048, 'x'));
    chmod(path.c_str(), 0644);
    ReadOnlyDir ro(dir);
    if (!ro.effective()) {
        WARN("cannot make a directory read-only here; skipped");
        return;
    }
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE_FALSE(opened->warnings.empty());
    // Read-only file: SQLite can open it, but cannot write it, which is checked after reading
    // the header; either way the warning names the file and the in-memory fallback.
    CHECK_THAT(opened->warnings[0], Catch::Contains(path) && Catch::Contains("running from memory"));
    check_works_in_memory(*opened->store);
    CHECK(read_file(path) == std::string(2048, 'x'));
}

TEST_CASE_METHOD(StateDbFixture, "store: a disk that stops taking writes is reported once; state carries on in memory", "[store]") {
    auto opened = open_store(path, 10000, faulty_vfs_name());
    REQUIRE(opened.ok());
    CHECK(opened->warnings.empty());
    auto& store = *opened->store;
    REQUIRE(store.persistent());
    REQUIRE(store.append({0, 1, EventKind::lease_obtained, select::Mode::none, select::Mode::none, "on disk"}).ok());
    REQUIRE(store.save_lease(sample_lease(), clocks()).ok());

    {
        FailWrites ro;
        auto renewed = sample_lease();
        renewed.obtained_at += 1800;
        const auto later = clocks((renewed.obtained_at + 10) * 1000);
        auto st = store.save_lease(renewed, later);
        REQUIRE_FALSE(st.ok());
        CHECK_THAT(st.error(), Catch::Contains("saving the lease in " + path) &&
                                   Catch::Contains("running from memory from now on"));
        CHECK_FALSE(store.persistent());
        auto back = store.load_lease(later);  // the failed write still took effect in memory
        REQUIRE(back.ok());
        CHECK(*back->lease == renewed);

        auto j = store.journal(10);  // the history from disk came along
        REQUIRE(j.ok());
        REQUIRE(j->size() == 1);
        CHECK(j->front().detail == "on disk");
        check_works_in_memory(store);  // later writes succeed without further errors
    }
    opened->store.reset();

    // The file still holds the last state that reached it.
    auto again = open_without_warnings(path);
    CHECK(loaded_lease(*again->store) == sample_lease());
}
