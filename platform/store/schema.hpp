// The database layout, versioned with PRAGMA user_version. Each migration takes the file from
// version N-1 to N inside one transaction; a new layout is a new entry at the end of the list,
// never an edit of an old one (files in the field are at every older version).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "platform/store/sqlite_handle.hpp"

namespace s46::store::schema {

struct Migration {
    int to_version;
    std::string_view sql;
};

std::span<const Migration> migrations();
int latest_version();

// What went wrong while reading or migrating, with SQLite's code so the opener can tell a
// damaged or foreign file (move it aside) from an unwritable one (run from memory).
struct Failure {
    int code = 0;  // SQLite result code; 0 when the file is readable but not ours
    std::string message;
};

// Reads PRAGMA user_version; -1 with `failure` set when the file cannot be read.
int read_version(sql::Db& db, Failure& failure);

// Applies every migration past the file's version. Returns false with `failure` set.
bool migrate(sql::Db& db, Failure& failure);

}  // namespace s46::store::schema
