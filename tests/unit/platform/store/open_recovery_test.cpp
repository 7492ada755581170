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
    auto back = store.load_lease(clocks());
    REQUIRE(back.ok());
    REQUIRE(back->lease.has_value());
    CHECK(*back->lease == sample_lease());
    CHECK(sql_value(path, "PRAGMA user_version") == std::to_string(schema::latest_version()));
}

}  // namespace

TEST_CASE("store: a missing file is created at the latest schema version, in WAL mode", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    CHECK(opened->warnings.empty());
    CHECK(opened->store->persistent());
    CHECK(sql_value(path, "PRAGMA user_version") == std::to_string(schema::latest_version()));
    CHECK(sql_value(path, "PRAGMA journal_mode") == "wal");
}

TEST_CASE("store: an empty file (schema version 0) is migrated to the latest version", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    write_file(path, "");
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    CHECK(opened->warnings.empty());
    check_usable(*opened->store, path);
    CHECK(files_starting_with(dir.path(), "state.db.corrupt-").empty());
    CHECK(sql_value(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                          "('lease','lease_address','lease_prefix','selection','journal','binding')") == "6");
}

TEST_CASE("store: a file that is not a database is moved aside and the store starts clean", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    const std::string garbage(4096, '\x5a');
    write_file(path, garbage);
    write_file(path + "-wal", "stale wal");  // must go with it, never be replayed into the new file

    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->warnings.size() == 1);
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

TEST_CASE("store: a database with a damaged header is moved aside", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    {
        auto opened = open_store(path);
        REQUIRE(opened.ok());
        REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
    }
    std::string bytes = read_file(path);
    REQUIRE(bytes.size() > 100);
    for (std::size_t i = 0; i < 100; ++i) bytes[i] = static_cast<char>(0xa5 ^ i);
    write_file(path, bytes);

    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->warnings.size() == 1);
    CHECK_THAT(opened->warnings[0], Catch::Contains("moved aside"));
    CHECK(files_starting_with(dir.path(), "state.db.corrupt-").size() == 1);
    auto lease = opened->store->load_lease(clocks());
    REQUIRE(lease.ok());
    CHECK_FALSE(lease->lease.has_value());  // started clean
    check_usable(*opened->store, path);
}

TEST_CASE("store: a schema from a future version is refused and moved aside", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    {
        auto opened = open_store(path);
        REQUIRE(opened.ok());
    }
    sql_value(path, "PRAGMA user_version = 7");
    REQUIRE(sql_value(path, "PRAGMA user_version") == "7");

    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->warnings.size() == 1);
    CHECK_THAT(opened->warnings[0], Catch::Contains("schema version 7 is newer") && Catch::Contains("moved aside"));
    auto moved = files_starting_with(dir.path(), "state.db.corrupt-");
    REQUIRE(moved.size() == 1);
    CHECK(sql_value(moved[0], "PRAGMA user_version") == "7");  // kept intact for a later s46d
    check_usable(*opened->store, path);
}

TEST_CASE("store: a file claiming our version without our tables is moved aside", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, "CREATE TABLE lease (x); PRAGMA user_version = 1;", nullptr, nullptr, nullptr) ==
              SQLITE_OK);
        sqlite3_close(db);
    }
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->warnings.size() == 1);
    CHECK_THAT(opened->warnings[0], Catch::Contains("do not match") && Catch::Contains("moved aside"));
    check_usable(*opened->store, path);
}

TEST_CASE("store: a version-0 file holding someone else's table of our name is moved aside", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, "CREATE TABLE journal (line TEXT)", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->warnings.size() == 1);
    CHECK_THAT(opened->warnings[0], Catch::Contains("migrating the schema to version 1") &&
                                        Catch::Contains("already exists") && Catch::Contains("moved aside"));
    check_usable(*opened->store, path);
}
