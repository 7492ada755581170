// RAII ownership of sqlite3 and sqlite3_stmt handles, with the few calls the store makes.
// Calls return SQLite's result code so the caller can tell corruption from an unwritable disk;
// message() explains the last failure. sqlite3.h stays out of this header (forward
// declarations), so users of the store do not see SQLite.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace s46::store::sql {

class Db {
public:
    Db() = default;
    ~Db() { close(); }
    Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
    Db& operator=(Db&& o) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    // As sqlite3_open_v2; `vfs` empty means the default. On failure the handle is kept
    // (SQLite allocates one anyway) so message() can say why.
    int open(const std::string& filename, int flags, const std::string& vfs = {});
    void close();
    bool is_open() const { return db_ != nullptr; }

    int exec(const char* sql);  // one or more statements, results discarded
    // Copies the whole "main" database into `dest` (the SQLite backup API).
    int copy_into(Db& dest);
    bool read_only() const;     // the file was opened without write access
    // Whether closing the last connection folds the -wal into the file and deletes it (SQLite's
    // default). Off while a file is still suspect, so a bad file's -wal is kept as found.
    void checkpoint_on_close(bool on);
    std::string message() const;
    sqlite3* get() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

class Stmt {
public:
    Stmt() = default;
    ~Stmt();
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    int prepare(Db& db, std::string_view sql);  // replaces any statement held; a failure sticks to step()

    // Parameters count from 1, as in SQLite. A failed bind is remembered and returned by the
    // next step(), so callers check one code per statement instead of one per parameter.
    void bind_int(int i, std::int64_t v);
    void bind_text(int i, std::string_view text);
    void bind_blob(int i, std::span<const std::uint8_t> bytes);  // empty binds a 0-byte blob, not NULL
    void bind_null(int i);
    // An optional column: NULL when absent, so a missing value is never stored as a made-up one.
    template <class T>  // an integer or a bool (stored as 1/0)
    void bind_int_or_null(int i, const std::optional<T>& v) {
        if (v) bind_int(i, static_cast<std::int64_t>(*v));
        else bind_null(i);
    }
    template <class T>  // T has to_string() (addresses)
    void bind_text_or_null(int i, const std::optional<T>& v) {
        if (v) bind_text(i, v->to_string());
        else bind_null(i);
    }

    int step();  // SQLITE_ROW, SQLITE_DONE or an error code
    int run();   // steps a statement that returns no rows: SQLITE_OK or an error code

    // Columns count from 0.
    bool is_null(int col) const;
    std::int64_t int64(int col) const;
    std::string text(int col) const;  // NULL reads as ""
    std::vector<std::uint8_t> blob(int col) const;

private:
    void note(int rc);

    sqlite3_stmt* st_ = nullptr;
    int bind_rc_ = 0;
};

}  // namespace s46::store::sql
