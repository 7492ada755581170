// StoredLease <-> the lease, lease_address and lease_prefix tables, exactly: every field,
// the order of addresses and prefixes, an absent server address, empty byte strings, and the
// NULL boot columns of a version-1 row. Times are converted in lease_time, not here.
#pragma once

#include <optional>

#include "core/result.hpp"
#include "platform/store/lease_time.hpp"
#include "platform/store/sqlite_handle.hpp"

namespace s46::store {

Result<std::optional<StoredLease>> read_lease(sql::Db& db);
// Replaces whatever lease is stored. Returns SQLite's code; run inside a transaction.
int write_lease(sql::Db& db, const StoredLease& stored);
int delete_lease(sql::Db& db);

}  // namespace s46::store
