// State files are private (0600), the state directory s46d creates is 0700, and a state.db that
// SQLite would treat as new (zero-length) or cannot read is moved aside with its -wal instead of
// letting SQLite delete the -wal.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>

#include "platform/store/state_dir.hpp"
#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

namespace {

int mode_of(const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 07777);
}

// The usual umask, so the test proves the modes do not come from a strict one.
class Umask {
public:
    explicit Umask(mode_t m) : previous_(::umask(m)) {}
    ~Umask() { ::umask(previous_); }
    Umask(const Umask&) = delete;
    Umask& operator=(const Umask&) = delete;

private:
    mode_t previous_;
};

// A -wal holding committed state that was never checkpointed into the file, as a power cut
// (or a filesystem that lost the main file's data) leaves it: saved while the store is open.
std::string live_wal(const std::string& path) {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
    REQUIRE(opened->store->save_selection({select::Mode::mape, "r", "{}"}).ok());
    std::string wal = read_file(path + "-wal");
    REQUIRE(wal.size() > 32);  // a WAL header and frames
    return wal;
}

}  // namespace

TEST_CASE_METHOD(StateDbFixture, "store files: state.db, -wal and -shm are created 0600 under a 022 umask", "[store]") {
    Umask u(022);
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
    // While the store is open all three exist.
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(path + "-wal") == 0600);
    CHECK(mode_of(path + "-shm") == 0600);
}

TEST_CASE_METHOD(StateDbFixture, "store files: files an older s46d left readable by others are made 0600", "[store]") {
    Umask u(022);
    store_sample_state(path);
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    auto opened = open_without_warnings(path);  // a repair, not a problem for the operator
    REQUIRE(opened->store->save_selection({select::Mode::dslite, "r", "{}"}).ok());
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(path + "-wal") == 0600);
    CHECK(mode_of(path + "-shm") == 0600);
    auto lease = opened->store->load_lease(clocks());
    REQUIRE(lease.ok());
    CHECK(lease->lease == sample_lease());  // nothing lost
}

TEST_CASE_METHOD(StateDbFixture, "store files: the fresh file after a move-aside is 0600 too", "[store]") {
    Umask u(022);
    write_file(path, std::string(4096, 'x'));
    auto opened = open_with_one_warning(path);
    CHECK(mode_of(path) == 0600);
}

TEST_CASE_METHOD(StateDbFixture, "store files: a zero-length state.db next to a -wal is moved aside with the -wal", "[store]") {
    const std::string wal = live_wal(path);
    // As found after the fault: an empty main file, the WAL holding every commit.
    write_file(path, "");
    write_file(path + "-wal", wal);
    std::remove((path + "-shm").c_str());

    auto opened = open_with_one_warning(path);
    const auto& w = opened->warnings[0];
    auto moved = files_starting_with(dir.path(), "state.db.corrupt-");
    REQUIRE(moved.size() == 1);
    CHECK_THAT(w, Catch::Contains(path + " was unusable (it is zero-length next to a " + std::to_string(wal.size()) +
                                  "-byte " + path + "-wal that SQLite would discard)"));
    CHECK_THAT(w, Catch::Contains("moved aside to " + moved[0] + " and " + moved[0] + "-wal"));
    // Both kept as found, for recovery or a bug report.
    CHECK(read_file(moved[0]).empty());
    CHECK(read_file(moved[0] + "-wal") == wal);
    // And the store starts clean on a fresh file.
    REQUIRE(opened->store->persistent());
    auto lease = opened->store->load_lease(clocks());
    REQUIRE(lease.ok());
    CHECK_FALSE(lease->found);
    REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
}

TEST_CASE("store files: what SQLite itself does with a zero-length file next to a -wal", "[store]") {
    // The reason for the check above, kept as a test so an SQLite upgrade that changes it shows:
    // SQLite opens the empty file as a new database and deletes the -wal.
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("raw.db");
    const std::string wal = live_wal(path);
    write_file(path, "");
    write_file(path + "-wal", wal);
    CHECK(sql_value(path, "SELECT count(*) FROM sqlite_master") == "0");
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_CASE_METHOD(StateDbFixture, "store files: a -wal whose state.db is missing is moved aside alone", "[store]") {
    const std::string wal = live_wal(path);
    std::remove(path.c_str());
    std::remove((path + "-shm").c_str());
    write_file(path + "-wal", wal);

    auto opened = open_with_one_warning(path);
    auto moved = files_starting_with(dir.path(), "state.db.corrupt-", true);
    REQUIRE(moved.size() == 1);
    CHECK(moved[0].size() > 4);
    CHECK(moved[0].compare(moved[0].size() - 4, 4, "-wal") == 0);
    CHECK(read_file(moved[0]) == wal);
    CHECK_THAT(opened->warnings[0], Catch::Contains(path + " was unusable (it is missing next to a " +
                                                    std::to_string(wal.size()) + "-byte " + path + "-wal") &&
                                        Catch::Contains("moved " + path + "-wal aside to " + moved[0]));
    CHECK(opened->store->persistent());
}

TEST_CASE_METHOD(StateDbFixture, "store files: a zero-length state.db next to an empty -wal is simply a new database", "[store]") {
    write_file(path, "");
    write_file(path + "-wal", "");  // holds nothing to lose
    auto opened = open_without_warnings(path);
    CHECK(files_starting_with(dir.path(), "state.db.corrupt-", true).empty());
    CHECK(opened->store->persistent());
}

TEST_CASE_METHOD(StateDbFixture, "store files: an unreadable state.db next to a -wal is moved aside with the -wal", "[store]") {
    const std::string wal = live_wal(path);
    // A read error that does not depend on who runs the test (root reads any file): a directory
    // opens but read() fails with EISDIR.
    std::remove(path.c_str());
    std::remove((path + "-shm").c_str());
    std::filesystem::create_directory(path);
    write_file(path + "-wal", wal);

    auto opened = open_with_one_warning(path);
    auto moved = files_starting_with(dir.path(), "state.db.corrupt-");
    REQUIRE(moved.size() == 1);
    CHECK_THAT(opened->warnings[0], Catch::Contains("it cannot be read (Is a directory)") &&
                                        Catch::Contains("moved aside to " + moved[0] + " and " + moved[0] + "-wal"));
    CHECK(std::filesystem::is_directory(moved[0]));
    CHECK(read_file(moved[0] + "-wal") == wal);
    CHECK(opened->store->persistent());
}

TEST_CASE("state dir: created 0700 whatever the umask, parents included", "[store]") {
    Umask u(022);
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("var/lib/s46d");
    auto r = prepare_state_dir(path);
    REQUIRE(r.ok());
    CHECK(r->created);
    CHECK(r->warnings.empty());
    CHECK(mode_of(path) == 0700);

    auto again = prepare_state_dir(path);  // idempotent
    REQUIRE(again.ok());
    CHECK_FALSE(again->created);
    CHECK(again->warnings.empty());
}

TEST_CASE("state dir: an existing one others can write to is reported, not changed", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("s46d");
    std::filesystem::create_directory(path);

    REQUIRE(::chmod(path.c_str(), 0755) == 0);
    auto fine = prepare_state_dir(path);
    REQUIRE(fine.ok());
    CHECK(fine->warnings.empty());  // readable by others is the operator's choice

    REQUIRE(::chmod(path.c_str(), 0775) == 0);
    auto group = prepare_state_dir(path);
    REQUIRE(group.ok());
    REQUIRE(group->warnings.size() == 1);
    CHECK_THAT(group->warnings[0], Catch::Contains(path + " is group-writable (mode 0775)"));

    REQUIRE(::chmod(path.c_str(), 01777) == 0);
    auto world = prepare_state_dir(path);
    REQUIRE(world.ok());
    REQUIRE(world->warnings.size() == 1);
    CHECK_THAT(world->warnings[0], Catch::Contains(path + " is world-writable (mode 1777)") &&
                                       Catch::Contains("others could replace state.db"));
    CHECK(mode_of(path) == 01777);
}

TEST_CASE("state dir: a path that is not a directory is an error naming it", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("s46d");
    write_file(path, "x");
    auto r = prepare_state_dir(path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == "state directory " + path + " exists and is not a directory");

    auto under_file = prepare_state_dir(path + "/state");
    REQUIRE_FALSE(under_file.ok());
    CHECK_THAT(under_file.error(), Catch::StartsWith("state directory " + path + "/state"));
}
