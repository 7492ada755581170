// An SQLite VFS for tests that wraps the default one and, on demand, refuses every write the
// way a filesystem remounted read-only after a flash error does. Lets the tests reach the
// store's "disk stopped taking writes" path, which file permissions cannot (an open file
// descriptor stays writable after chmod).
#pragma once

namespace s46::store::test {

// Registers the VFS on first use; pass the name as SqliteStoreOptions::vfs.
const char* faulty_vfs_name();
void set_fail_writes(bool fail);

// Turns write failures on for a scope.
struct FailWrites {
    FailWrites() { set_fail_writes(true); }
    ~FailWrites() { set_fail_writes(false); }
    FailWrites(const FailWrites&) = delete;
    FailWrites& operator=(const FailWrites&) = delete;
};

}  // namespace s46::store::test
