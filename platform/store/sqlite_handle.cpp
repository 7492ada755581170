#include "platform/store/sqlite_handle.hpp"

#include <sqlite3.h>

namespace s46::store::sql {

Db& Db::operator=(Db&& o) noexcept {
    if (this != &o) {
        close();
        db_ = o.db_;
        o.db_ = nullptr;
    }
    return *this;
}

int Db::open(const std::string& filename, int flags, const std::string& vfs) {
    close();
    return sqlite3_open_v2(filename.c_str(), &db_, flags, vfs.empty() ? nullptr : vfs.c_str());
}

void Db::close() {
    // sqlite3_close_v2 defers the close if a statement is still alive instead of failing.
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
}

int Db::exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

int Db::copy_into(Db& dest) {
    sqlite3_backup* b = sqlite3_backup_init(dest.db_, "main", db_, "main");
    if (!b) return sqlite3_errcode(dest.db_);
    int rc = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    return rc == SQLITE_DONE ? fin : rc;
}

bool Db::read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

void Db::checkpoint_on_close(bool on) { sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, on ? 0 : 1, nullptr); }

std::string Db::message() const { return db_ ? sqlite3_errmsg(db_) : "out of memory"; }

Stmt::~Stmt() { sqlite3_finalize(st_); }

int Stmt::prepare(Db& db, std::string_view sql) {
    sqlite3_finalize(st_);
    st_ = nullptr;
    // A failed prepare is also remembered, so prepare-bind-step needs one check at the end.
    bind_rc_ = sqlite3_prepare_v2(db.get(), sql.data(), static_cast<int>(sql.size()), &st_, nullptr);
    return bind_rc_;
}

void Stmt::note(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind_int(int i, std::int64_t v) { note(sqlite3_bind_int64(st_, i, v)); }

void Stmt::bind_text(int i, std::string_view text) {
    // A null data pointer would bind SQL NULL; "" is a non-null empty string.
    note(sqlite3_bind_text64(st_, i, text.empty() ? "" : text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Stmt::bind_blob(int i, std::span<const std::uint8_t> bytes) {
    // Likewise a null pointer would bind NULL; a non-null one with length 0 binds an empty blob.
    static const std::uint8_t kEmpty = 0;
    const void* p = bytes.empty() ? &kEmpty : bytes.data();
    note(sqlite3_bind_blob64(st_, i, p, bytes.size(), SQLITE_TRANSIENT));
}

void Stmt::bind_null(int i) { note(sqlite3_bind_null(st_, i)); }

int Stmt::step() { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(st_); }

int Stmt::run() {
    int rc = step();
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

std::int64_t Stmt::int64(int col) const { return sqlite3_column_int64(st_, col); }

std::string Stmt::text(int col) const {
    const unsigned char* p = sqlite3_column_text(st_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(st_, col)) : std::string();
}

std::vector<std::uint8_t> Stmt::blob(int col) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st_, col));
    return p ? std::vector<std::uint8_t>(p, p + sqlite3_column_bytes(st_, col)) : std::vector<std::uint8_t>();
}

}  // namespace s46::store::sql
