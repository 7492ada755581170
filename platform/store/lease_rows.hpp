// provision::Lease <-> the lease, lease_address and lease_prefix tables, exactly: every field,
// the order of addresses and prefixes, an absent server address, empty byte strings.
#pragma once

#include <optional>

#include "core/provision/lease.hpp"
#include "core/result.hpp"
#include "platform/store/sqlite_handle.hpp"

namespace s46::store {

Result<std::optional<provision::Lease>> read_lease(sql::Db& db);
// Replaces whatever lease is stored. Returns SQLite's code; run inside a transaction.
int write_lease(sql::Db& db, const provision::Lease& lease);
int delete_lease(sql::Db& db);

}  // namespace s46::store
