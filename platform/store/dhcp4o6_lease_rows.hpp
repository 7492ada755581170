// StoredDhcp4o6Lease <-> the dhcp4o6_lease table (schema version 5). Times are converted in
// dhcp4o6_lease.cpp, not here.
#pragma once

#include <optional>

#include "core/result.hpp"
#include "platform/store/dhcp4o6_lease.hpp"
#include "platform/store/sqlite_handle.hpp"

namespace s46::store {

Result<std::optional<StoredDhcp4o6Lease>> read_dhcp4o6_lease(sql::Db& db);
// Replaces whatever is stored. Returns SQLite's code; run inside a transaction.
int write_dhcp4o6_lease(sql::Db& db, const StoredDhcp4o6Lease& stored);
int delete_dhcp4o6_lease(sql::Db& db);

}  // namespace s46::store
