#include "platform/store/open_db.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "platform/store/move_aside.hpp"
#include "platform/store/queries.hpp"
#include "platform/store/schema.hpp"

namespace s46::store {
namespace {

// damaged: the file is not a usable s46d database; moving it aside and starting over fixes it.
// unavailable: the file may be fine but cannot be written (or locked); it must not be touched.
enum class Verdict { usable, damaged, unavailable };

struct Attempt {
    Verdict verdict = Verdict::usable;
    std::string why;
};

bool is_damage(int rc) {
    rc &= 0xff;  // extended codes carry the primary code in the low byte
    return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
}

// While migrating, our own SQL is known good, so a plain SQL error or a constraint failure means
// the file holds someone else's tables under our names.
bool is_foreign(int rc) {
    rc &= 0xff;
    return is_damage(rc) || rc == SQLITE_ERROR || rc == SQLITE_CONSTRAINT;
}

bool quick_check(sql::Db& db, schema::Failure& f) {
    sql::Stmt st;
    int rc = st.prepare(db, "PRAGMA quick_check(1)");
    if (rc == SQLITE_OK) rc = st.step();
    if (rc != SQLITE_ROW) {
        f = {rc, "integrity check: " + db.message()};
        return false;
    }
    if (st.text(0) != "ok") {
        f = {SQLITE_CORRUPT, "integrity check: " + st.text(0)};
        return false;
    }
    return true;
}

bool layout_matches(sql::Db& db, std::string& why) {
    for (auto q : queries::kAll) {
        sql::Stmt st;
        if (st.prepare(db, q) != SQLITE_OK) {
            why = "the tables do not match schema version " + std::to_string(schema::latest_version()) + ": " +
                  db.message();
            return false;
        }
    }
    return true;
}

// Everything short of accepting a file: read, check, switch to WAL, migrate, validate.
Attempt prepare(sql::Db& db, bool on_disk) {
    schema::Failure f;
    int version = schema::read_version(db, f);
    if (version < 0) return {is_damage(f.code) ? Verdict::damaged : Verdict::unavailable, f.message};
    if (on_disk && db.read_only()) return {Verdict::unavailable, "the file is read-only"};
    if (!quick_check(db, f)) return {is_damage(f.code) ? Verdict::damaged : Verdict::unavailable, f.message};
    if (version > schema::latest_version())
        return {Verdict::damaged, "schema version " + std::to_string(version) +
                                      " is newer than this s46d understands (" +
                                      std::to_string(schema::latest_version()) + ")"};
    if (on_disk) {
        // WAL: a commit appends to one file instead of rewriting pages plus a rollback journal,
        // and NORMAL syncs only at checkpoints. A power cut may lose the last commits (the
        // DHCPv6 Rebind at start-up recovers the lease) but never corrupts the file.
        sql::Stmt st;
        int rc = st.prepare(db, "PRAGMA journal_mode = WAL");
        if (rc == SQLITE_OK) rc = st.step();
        if (rc != SQLITE_ROW)
            return {is_damage(rc) ? Verdict::damaged : Verdict::unavailable, "switching to WAL: " + db.message()};
        if (db.exec("PRAGMA synchronous = NORMAL") != SQLITE_OK)
            return {Verdict::unavailable, "setting synchronous: " + db.message()};
    }
    if (!schema::migrate(db, f)) return {is_foreign(f.code) ? Verdict::damaged : Verdict::unavailable, f.message};
    std::string why;
    if (!layout_matches(db, why)) return {Verdict::damaged, why};
    return {};
}

// state.db holds subscribers' addresses and port sets: 0600. SQLite creates the -wal and -shm
// files with the mode of the database file (unix VFS, findCreateFileMode), so it is enough to
// create the database file ourselves with 0600 instead of letting SQLite create it under the
// umask, and to tighten files an older s46d left at 0644. Best effort and silent: a file we
// cannot chmod is one we mostly cannot write either, and the open below reports that.
void make_private(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ::close(fd);  // zero-length: SQLite writes the header on the first transaction
        return;
    }
    for (const std::string& f : {path, path + "-wal", path + "-shm"}) {
        struct stat st{};
        if (::stat(f.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) ::chmod(f.c_str(), 0600);
    }
}

// SQLite opens a zero-length database file as a new, empty database and deletes the -wal next to
// it (pager.c, pagerOpenWalIfPresent), so every commit not yet checkpointed into the file is
// lost without a word. A file that cannot be read is no better, and a missing one is created
// zero-length. Checked before SQLite sees the file; the reason is returned when the -wal holds
// anything (an empty one holds nothing to lose).
std::optional<std::string> unusable_beside_wal(const std::string& path) {
    struct stat wal{};
    if (::stat((path + "-wal").c_str(), &wal) != 0 || wal.st_size == 0) return std::nullopt;
    std::string beside = " next to a " + std::to_string(wal.st_size) + "-byte " + path +
                         "-wal that SQLite would discard";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return "it is missing" + beside;
        return "it cannot be opened (" + std::string(std::strerror(errno)) + ")" + beside;
    }
    char header[100];
    ssize_t n = ::read(fd, header, sizeof header);
    int err = errno;
    ::close(fd);
    if (n < 0) return "it cannot be read (" + std::string(std::strerror(err)) + ")" + beside;
    if (n == 0) return "it is zero-length" + beside;
    return std::nullopt;
}

Attempt open_disk(sql::Db& db, const std::string& path, const std::string& vfs) {
    make_private(path);
    int rc = db.open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    if (rc != SQLITE_OK) return {Verdict::unavailable, "cannot open it: " + db.message()};
    // Until the file is accepted, closing must not checkpoint: SQLite would fold a -wal into a
    // damaged file (or delete it), destroying what the move-aside is meant to keep.
    db.checkpoint_on_close(false);
    // Another reader (s46ctl) may hold a lock for a moment; wait rather than fail.
    db.exec("PRAGMA busy_timeout = 2000");
    Attempt a = prepare(db, true);
    if (a.verdict == Verdict::usable) db.checkpoint_on_close(true);
    return a;
}

// SQLite URIs treat '?', '#' and '%' specially; everything else passes through.
std::string file_uri(const std::string& path, const char* query) {
    std::string uri = "file:";
    for (char c : path) {
        if (c == '?' || c == '#' || c == '%') {
            static const char kHexDigits[] = "0123456789ABCDEF";
            uri += '%';
            uri += kHexDigits[(static_cast<unsigned char>(c) >> 4) & 0xf];
            uri += kHexDigits[static_cast<unsigned char>(c) & 0xf];
        } else {
            uri += c;
        }
    }
    return uri + "?" + query;
}

// The state on disk, read without writing anything next to it. A normal read-only open sees the
// -wal file (commits not yet checkpointed); it needs a -shm it may not be able to create, so an
// immutable open (main file only) is the second choice.
Result<sql::Db> read_disk_copy(const std::string& path, const std::string& vfs) {
    std::string why;
    for (const char* query : {"mode=ro", "immutable=1"}) {
        sql::Db disk;
        int rc = disk.open(file_uri(path, query), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, vfs);
        schema::Failure f;
        if (rc != SQLITE_OK) {
            why = disk.message();
            continue;
        }
        int version = schema::read_version(disk, f);
        if (version < 0 || !quick_check(disk, f)) {
            why = f.message;
            continue;
        }
        if (version > schema::latest_version()) return fail("schema version " + std::to_string(version) + " is too new");
        auto mem = copy_to_memory(disk);
        if (mem) return mem;
        why = mem.error();
    }
    return fail(why);
}

Result<sql::Db> fresh_memory() {
    sql::Db mem;
    if (mem.open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) != SQLITE_OK)
        return fail("cannot create an in-memory database: " + mem.message());
    return mem;
}

// Runs from memory; `copy_from` names a file whose state is worth keeping (it was only
// unwritable, not damaged).
Result<OpenedDb> in_memory(OpenedDb out, const std::string* copy_from, const std::string& vfs) {
    Result<sql::Db> mem = fail("");
    if (copy_from) {
        mem = read_disk_copy(*copy_from, vfs);
        if (mem && prepare(*mem, false).verdict != Verdict::usable) mem = fail("its tables do not match");
        if (!mem) out.warnings.push_back("the stored state in " + *copy_from + " could not be read either (" +
                                         mem.error() + "); starting empty");
    }
    if (!mem) {
        mem = empty_memory_db();
        if (!mem) return fail(mem.error());
    }
    out.db = std::move(*mem);
    out.persistent = false;
    return out;
}

}  // namespace

Result<sql::Db> copy_to_memory(sql::Db& from) {
    auto mem = fresh_memory();
    if (!mem) return mem;
    if (from.copy_into(*mem) != SQLITE_OK) return fail("copying the state into memory: " + mem->message());
    return mem;
}

Result<sql::Db> empty_memory_db() {
    auto mem = fresh_memory();
    if (!mem) return mem;
    Attempt a = prepare(*mem, false);
    if (a.verdict != Verdict::usable) return fail("setting up the in-memory database: " + a.why);
    return mem;
}

Result<OpenedDb> open_state_db(const std::string& path, const std::string& vfs) {
    OpenedDb out;
    std::error_code missing_ec;  // a path that cannot even be looked at (ELOOP, EACCES) counts as present
    if (auto why = unusable_beside_wal(path); why && !std::filesystem::exists(path, missing_ec) && !missing_ec) {
        // Deleted by hand (or lost) while its -wal was not: the -wal alone is kept for recovery.
        auto moved = move_aside_wal(path);
        if (!moved) {
            out.warnings.push_back(path + " is unusable (" + *why + ") and " + moved.error() +
                                   "; running from memory, nothing will be saved");
            return in_memory(std::move(out), nullptr, vfs);
        }
        out.warnings.push_back(path + " was unusable (" + *why + "); moved " + path + "-wal aside to " + *moved +
                               ", starting with empty state");
    } else if (why) {
        auto moved = move_aside(path);
        if (!moved) {
            // Opening it anyway would delete the -wal; memory keeps both files as they are.
            out.warnings.push_back(path + " is unusable (" + *why + ") and " + moved.error() +
                                   "; running from memory, nothing will be saved");
            return in_memory(std::move(out), nullptr, vfs);
        }
        out.warnings.push_back(path + " was unusable (" + *why + "); moved aside to " + *moved + " and " +
                               *moved + "-wal, starting with empty state");
    }
    sql::Db db;
    Attempt a = open_disk(db, path, vfs);
    if (a.verdict == Verdict::usable) {
        out.db = std::move(db);
        out.persistent = true;
        return out;
    }
    db.close();  // releases the file (and its -wal) before any rename

    if (a.verdict == Verdict::unavailable) {
        out.warnings.push_back("cannot use " + path + " (" + a.why + "); running from memory, nothing will be saved");
        return in_memory(std::move(out), &path, vfs);
    }

    auto moved = move_aside(path);
    if (!moved) {
        out.warnings.push_back(path + " is unusable (" + a.why + ") and " + moved.error() +
                               "; running from memory, nothing will be saved");
        return in_memory(std::move(out), nullptr, vfs);
    }
    out.warnings.push_back(path + " was unusable (" + a.why + "); moved aside to " + *moved +
                           ", starting with empty state");
    a = open_disk(db, path, vfs);
    if (a.verdict == Verdict::usable) {
        out.db = std::move(db);
        out.persistent = true;
        return out;
    }
    db.close();
    out.warnings.push_back("cannot create a fresh " + path + " (" + a.why +
                           "); running from memory, nothing will be saved");
    return in_memory(std::move(out), nullptr, vfs);
}

}  // namespace s46::store
