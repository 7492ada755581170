// Shared by the store tests: a temporary directory unique per run and removed on every exit
// path (including a failed REQUIRE, which unwinds), sample values, raw SQLite peeks, and the
// open / seed / load steps many tests repeat (their REQUIREs and CHECKs report at the caller's
// test case, as they did when written out in it).
#pragma once

#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "platform/store/sqlite_store.hpp"

namespace s46::store::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "s46-store-XXXXXX").string();
        if (char* p = mkdtemp(tmpl.data())) path_ = p;
    }
    ~TempDir() {
        if (path_.empty()) return;
        std::error_code ec;
        // A test may have made it read-only; make it removable again first.
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    bool ok() const { return !path_.empty(); }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Makes the directory unwritable for this thread. Root ignores mode bits (CAP_DAC_OVERRIDE),
// so as root the filesystem uid is switched to "nobody" as well: the kernel then drops the
// file-access capabilities until the uid is switched back.
class ReadOnlyDir {
public:
    explicit ReadOnlyDir(const TempDir& dir) : dir_(dir.path()) {
        chmod(dir_.c_str(), 0555);
        if (geteuid() == 0) {
            previous_ = setfsuid(65534);
            switched_ = true;
        }
    }
    ~ReadOnlyDir() {
        if (switched_) setfsuid(previous_);
        chmod(dir_.c_str(), 0700);
    }
    ReadOnlyDir(const ReadOnlyDir&) = delete;
    ReadOnlyDir& operator=(const ReadOnlyDir&) = delete;

    // Whether the directory really refuses new files here (it might not in an odd sandbox).
    bool effective() const {
        std::string probe = dir_ + "/probe";
        std::FILE* f = std::fopen(probe.c_str(), "w");
        if (!f) return true;
        std::fclose(f);
        std::remove(probe.c_str());
        return false;
    }

private:
    std::string dir_;
    int previous_ = 0;
    bool switched_ = false;
};

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Runs one statement with the plain SQLite API and returns the first column of the first row.
inline std::string sql_value(const std::string& path, const std::string& query) {
    sqlite3* db = nullptr;
    std::string out = "<error>";
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr) == SQLITE_OK) {
            int rc = sqlite3_step(st);
            if (rc == SQLITE_ROW) {
                const unsigned char* t = sqlite3_column_text(st, 0);
                out = t ? reinterpret_cast<const char*>(t) : "";
            } else if (rc == SQLITE_DONE) {
                out = "";
            }
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
}

// Files in `dir` whose name starts with `prefix`; -wal companions only when asked for.
inline std::vector<std::string> files_starting_with(const std::string& dir, const std::string& prefix,
                                                    bool with_wal = false) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        auto name = e.path().filename().string();
        bool wal = name.size() > 4 && name.compare(name.size() - 4, 4, "-wal") == 0;
        if (name.rfind(prefix, 0) == 0 && (with_wal || !wal)) out.push_back(e.path().string());
    }
    return out;
}

inline net::Ipv6Address v6(const char* text) { return *net::Ipv6Address::parse(text); }

inline provision::Lease sample_lease() {
    provision::Lease l;
    l.server_duid = {0x00, 0x01, 0x00, 0x01, 0x2a, 0x3b, 0x4c, 0x5d, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
    l.server_address = v6("fe80::1");
    l.iaid_na = 1;
    l.iaid_pd = 0xfffffffe;
    l.addresses = {{v6("2001:db8:0:1::100"), 3600, 7200}, {v6("2001:db8:0:1::7"), 0, 0xffffffff}};
    l.prefixes = {{*net::Ipv6Prefix::parse("2001:db8:ff00::/40"), 1800, 3600},
                  {*net::Ipv6Prefix::parse("2001:db8:aa00::/56"), 0xffffffff, 0xffffffff}};
    l.t1 = 1800;
    l.t2 = 2880;
    l.obtained_at = 1714560000;
    l.options = {0x00, 0x40, 0x00, 0x11, 0x04, 'a', 'f', 't', 'r', 0x02, 'i', 's', 0x00, 0x00};
    return l;
}

// A fixed clock reading in the boot during which sample_lease() was obtained, 100 s later, with
// a synchronised wall clock: the store's round trips give back exactly what was saved.
inline time::ClockReading clocks(std::int64_t boot_ms = (1714560000LL + 100) * 1000,
                                 std::int64_t wall_ms = 1765000000000LL, std::string boot_id = "boot-a",
                                 bool synchronized = true) {
    return {boot_ms, wall_ms, std::move(boot_id), synchronized};
}

inline Binding sample_binding(Seconds at, std::uint16_t psid) {
    Binding b;
    b.at = at;
    b.mode = select::Mode::mape;
    b.tunnel_address = v6("2001:db8:12:3400:0:c000:212:34");
    b.ipv4 = net::Ipv4Address(192, 0, 2, 18);
    b.psid_offset = 6;
    b.psid_length = 8;
    b.psid = psid;
    b.port_ranges = "4672-4675,8768-8771";
    return b;
}

inline Result<SqliteStore::Opened> open_store(const std::string& path, std::size_t journal_limit = 10000,
                                              const std::string& vfs = {}) {
    SqliteStoreOptions o;
    o.path = path;
    o.journal_limit = journal_limit;
    o.vfs = vfs;
    return SqliteStore::open(std::move(o));
}

// Runs `sql` on the file at `path` (created if missing) with the plain SQLite API, as another
// program or an older s46d would have written it.
inline void exec_sql(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
}

// A fresh temporary directory and the state.db path in it, for TEST_CASE_METHOD.
struct StateDbFixture {
    TempDir dir;
    const std::string path = dir.file("state.db");
    StateDbFixture() { REQUIRE(dir.ok()); }
};

// Opens the store at `path`, which must open, and checks that opening reported nothing.
inline Result<SqliteStore::Opened> open_without_warnings(const std::string& path) {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    CHECK(opened->warnings.empty());
    return opened;
}

// Opens the store at `path`, which must open with exactly one warning (what was moved aside or
// why nothing is saved).
inline Result<SqliteStore::Opened> open_with_one_warning(const std::string& path) {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->warnings.size() == 1);
    return opened;
}

// Leaves sample_lease() (and `selection`, when given) stored at `path`, the store closed again.
inline void store_sample_state(const std::string& path, const std::optional<Selection>& selection = std::nullopt) {
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    REQUIRE(opened->store->save_lease(sample_lease(), clocks()).ok());
    if (selection) REQUIRE(opened->store->save_selection(*selection).ok());
}

// The lease `store` loads at `now`, which must load and be there.
inline provision::Lease loaded_lease(SqliteStore& store, const time::ClockReading& now = clocks()) {
    auto loaded = store.load_lease(now);
    REQUIRE(loaded.ok());
    REQUIRE(loaded->lease.has_value());
    return *loaded->lease;
}

}  // namespace s46::store::test
