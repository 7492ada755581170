// Opening the state file, deciding what to do when it cannot be used, and the in-memory
// fallback. The daemon must start whatever the disk holds: a damaged or foreign file is moved
// aside and replaced; an unwritable one (read-only mount, permissions, full disk) leaves the
// daemon running from an in-memory copy. Each such decision becomes a warning for the caller.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "platform/store/sqlite_handle.hpp"

namespace s46::store {

struct OpenedDb {
    sql::Db db;               // migrated to the latest schema, every query prepares
    bool persistent = false;  // false: an in-memory database, nothing reaches the disk
    std::vector<std::string> warnings;
};

// `vfs` empty means SQLite's default (tests pass a fault-injecting one). Fails only when not
// even an in-memory database can be created.
Result<OpenedDb> open_state_db(const std::string& path, const std::string& vfs = {});

// A fresh in-memory database holding a copy of `from`, for when the disk stops taking writes.
Result<sql::Db> copy_to_memory(sql::Db& from);
// An empty in-memory database at the latest schema, for when even that copy fails.
Result<sql::Db> empty_memory_db();

}  // namespace s46::store
