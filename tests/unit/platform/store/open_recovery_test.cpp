// Opening: a new or empty file is migrated; a damaged, foreign or future-version file is moved
// aside with a warning and the store starts clean on a fresh file.
#include <catch2/catch.hpp>

#include <algorithm>

#include "platform/store/schema.hpp"
#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

namespace {

// The store must be fully usable after recovering: write, read back, and persist.
void check_usable(SqliteStore& store, const std::string& path) {
    REQUIRE(store.persistent());
    REQUIRE(store.save_lease(sample_lease(), clocks()).ok());
    CHECK(loaded_lease(store) == sample_lease());
    CHECK(sql_value(path, "PRAGMA user_version") == std::to_string(schema::latest_version()));
}

}  // namespace

TEST_CASE_METHOD(StateDbFixture, "store: a missing file is created at the latest schema version, in WAL mode", "[store]") {
    auto opened = open_without_warnings(path);
    CHECK(opened->store->persistent());
    CHECK(sql_value(path, "PRAGMA user_version") == std::to_string(schema::latest_version()));
    CHECK(sql_value(path, "PRAGMA journal_mode") == "wal");
}

TEST_CASE_METHOD(StateDbFixture, "store: an empty file (schema version 0) is migrated to the latest version", "[store]") {
    write_file(path, "");
    auto opened = open_without_warnings(path);
    check_usable(*opened->store, path);
    CHECK(files_starting_with(dir.path(), "state.db.corrupt-").empty());
    CHECK(sql_value(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                          "('lease','lease_address','lease_prefix','selection','journal','binding')") == "6");
}

TEST_CASE_METHOD(StateDbFixture, "store: a file that is not a database is moved aside and the store starts clean", "[store]") {
    const std::string garbage(4096, '\x5a');
    write_file(path, garbage);
    write_file(path + "-wal", "stale wal");  // must go with it, never be replayed into the new file

    auto opened = open_with_one_warning(path);
    CHECK_THAT(opened->warnings[0], Catch::Contains(path) && Catch::Contains("moved aside to " + path + ".corrupt-"));
    CHECK_THAT(opened->warnings[0], Catch::Contains("not a database"));

    auto moved = files_starting_with(dir.path(), "state.db.corrupt-", true);
    REQUIRE(moved.size() == 2);  // the file and its -wal
    std::sort(moved.begin(), moved.end());
    CHECK(read_file(moved[0]) == garbage);
    CHECK(read_file(moved[1]) == "stale wal");
    CHECK(moved[1] == moved[0] + "-wal");
    check_usable(*opened->store, path);
}

TEST_CASE_METHOD(StateDbFixture, "store: a database with a damaged header is moved aside", "[store]") {
    store_sample_state(path);
    std::string bytes = read_file(path);
    REQUIRE(bytes.size() > 100);
    for (std::size_t i = 0; i < 100; ++i) bytes[i] = static_cast<char>(0xa5 ^ i);
    write_file(path, bytes);

    auto opened = open_with_one_warning(path);
    CHECK_THAT(opened->warnings[0], Catch::Contains("moved aside"));
    CHECK(files_starting_with(dir.path(), "state.db.corrupt-").size() == 1);
    auto lease = opened->store->load_lease(clocks());
    REQUIRE(lease.ok());
    CHECK_FALSE(lease->lease.has_value());  // started clean
    check_usable(*opened->store, path);
}

TEST_CASE_METHOD(StateDbFixture, "store: a schema from a future version is refused and moved aside", "[store]") {
    {
        auto opened = open_store(path);
        REQUIRE(opened.ok());
    }
    sql_value(path, "PRAGMA user_version = 7");
    REQUIRE(sql_value(path, "PRAGMA user_version") == "7");

    auto opened = open_with_one_warning(path);
    CHECK_THAT(opened->warnings[0], Catch::Contains("schema version 7 is newer") && Catch::Contains("moved aside"));
    auto moved = files_starting_with(dir.path(), "state.db.corrupt-");
    REQUIRE(moved.size() == 1);
    CHECK(sql_value(moved[0], "PRAGMA user_version") == "7");  // kept intact for a later s46d
    check_usable(*opened->store, path);
}

TEST_CASE_METHOD(StateDbFixture, "store: a file claiming our version without our tables is moved aside", "[store]") {
    exec_sql(path, "CREATE TABLE lease (x); PRAGMA user_version = 1;");
    auto opened = open_with_one_warning(path);
    CHECK_THAT(opened->warnings[0], Catch::Contains("do not match") && Catch::Contains("moved aside"));
    check_usable(*opened->store, path);
}

TEST_CASE_METHOD(StateDbFixture, "store: a version-0 file holding someone else's table of our name is moved aside", "[store]") {
    exec_sql(path, "CREATE TABLE journal (line TEXT)");
    auto opened = open_with_one_warning(path);
    CHECK_THAT(opened->warnings[0], Catch::Contains("migrating the schema to version 1") &&
                                        Catch::Contains("already exists") && Catch::Contains("moved aside"));
    check_usable(*opened->store, path);
}
