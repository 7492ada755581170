// Renames a database that cannot be used to `<file>.corrupt-<UTC timestamp>` so the daemon can
// start clean while the bad file stays available for a bug report (or, for a zero-length file
// whose -wal holds the commits, for recovery by hand).
#pragma once

#include <string>

#include "core/result.hpp"

namespace s46::store {

// Moves `path` and its -wal file (the pair stays openable together); the -shm index is
// derived data and is deleted. Returns the new name of `path`.
Result<std::string> move_aside(const std::string& path);

// Moves a -wal whose database file is missing to `<file>.corrupt-<UTC timestamp>-wal` (SQLite
// would create an empty `path` and delete the -wal). Returns the new name of the -wal.
Result<std::string> move_aside_wal(const std::string& path);

}  // namespace s46::store
