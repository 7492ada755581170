// Selection, journal and binding-log rows <-> their tables. Modes and event kinds are stored as
// their names so operators can read the file with the sqlite3 shell.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "platform/store/sqlite_handle.hpp"
#include "platform/store/state_store.hpp"

namespace s46::store {

Result<std::optional<Selection>> read_selection(sql::Db& db);
int write_selection(sql::Db& db, const Selection& selection);

// Appends, then drops all but the newest `keep` rows (keep >= 1). SQLite codes; run inside a
// transaction so the append and the trim land together.
int append_event(sql::Db& db, const Event& event, std::size_t keep);
Result<std::vector<Event>> read_events(sql::Db& db, std::size_t limit, Seconds since);

int append_binding(sql::Db& db, const Binding& binding, std::size_t keep);
Result<std::vector<Binding>> read_bindings(sql::Db& db, std::size_t limit);

}  // namespace s46::store
