// StateStore on an SQLite file (WAL). Opening never fails for the disk's sake: a damaged,
// foreign or future-version file is moved aside to <file>.corrupt-<UTC time> and replaced, and
// so is a zero-length or unreadable file next to a non-empty -wal (SQLite would open it as a new
// database and delete the -wal, losing every commit in it); the -wal goes with it, and a -wal
// whose file is missing is moved aside alone. An
// unwritable file (read-only mount, permissions) leaves the store running from memory. Either
// way the caller gets warnings to log. The files are mode 0600 (state.db is created so, SQLite
// gives -wal and -shm its mode); the directory is prepare_state_dir()'s (state_dir.hpp). A write that fails later because the disk stopped taking
// writes returns an error once and the store carries on from an in-memory copy, so the daemon
// keeps its state until the next restart.
//
// Not thread-safe: one owner (the daemon's event loop) calls it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "platform/store/sqlite_handle.hpp"
#include "platform/store/state_store.hpp"

namespace s46::store {

struct SqliteStoreOptions {
    std::string path;                   // e.g. /var/lib/s46d/state.db
    std::size_t journal_limit = 10000;  // newest rows kept; at least 1
    std::size_t binding_limit = 10000;  // likewise for the binding log
    std::string vfs;                    // SQLite VFS name; empty for the default (tests inject faults)
};

class SqliteStore final : public StateStore {
public:
    struct Opened {
        std::unique_ptr<SqliteStore> store;  // never null
        std::vector<std::string> warnings;   // what was moved aside or why nothing is saved
    };
    // Fails only when not even an in-memory database can be created.
    static Result<Opened> open(SqliteStoreOptions options);

    Result<LeaseRestore> load_lease(const time::ClockReading& now) override;
    Result<void> save_lease(const provision::Lease& boot_lease, const time::ClockReading& now) override;
    Result<void> clear_lease() override;
    Result<Dhcp4o6LeaseRestore> load_dhcp4o6_lease(const time::ClockReading& now) override;
    Result<void> save_dhcp4o6_lease(const Dhcp4o6Lease& boot_lease, const time::ClockReading& now) override;
    Result<void> clear_dhcp4o6_lease() override;

    Result<std::optional<Selection>> load_selection() override;
    Result<void> save_selection(const Selection& selection) override;

    Result<void> append(const Event& event) override;
    Result<std::vector<Event>> journal(std::size_t limit, Seconds since = 0) override;

    Result<void> record_binding(const Binding& binding) override;
    Result<std::vector<Binding>> bindings(std::size_t limit) override;
    Result<void> remember_kernel_object(const KernelObject& object) override;
    Result<void> forget_kernel_object(const KernelObject& object) override;
    Result<std::vector<KernelObject>> kernel_objects() override;
    Result<void> save_static_forward(const napt::StaticForward& forward) override;
    Result<void> delete_static_forward(napt::Protocol protocol, std::uint16_t external_port) override;
    Result<std::vector<napt::StaticForward>> static_forwards() override;

    // False once the store runs from memory (at open or after a failed write).
    bool persistent() const { return persistent_; }
    const std::string& path() const { return options_.path; }
    // Committed write transactions since open (migrations excluded). Tests use it to prove that
    // storing an unchanged value touches nothing; the daemon can export it as a flash-wear gauge.
    std::uint64_t write_count() const { return writes_; }

private:
    SqliteStore(SqliteStoreOptions options, sql::Db db, bool persistent);
    template <class Body>
    Result<void> write(const std::string& what, Body body);
    // One statement over (kind, key) of the kernel_object table.
    Result<void> write_kernel_object(const char* verb, std::string_view query, const KernelObject& object);

    SqliteStoreOptions options_;
    sql::Db db_;
    bool persistent_;
    std::uint64_t writes_ = 0;
};

}  // namespace s46::store
