#include "platform/store/sqlite_store.hpp"

#include <sqlite3.h>

#include "platform/store/history_rows.hpp"
#include "platform/store/dhcp4o6_lease_rows.hpp"
#include "platform/store/lease_rows.hpp"
#include "platform/store/open_db.hpp"
#include "platform/store/queries.hpp"

namespace s46::store {
namespace {

// Failures that mean the disk (or the file on it) no longer takes writes. Busy/locked and SQL
// errors are not among them: those are reported and the next write tries the disk again.
bool disk_failure(int rc) {
    switch (rc & 0xff) {
        case SQLITE_READONLY:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_FULL:
        case SQLITE_PERM:
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
        case SQLITE_NOLFS:
            return true;
        default:
            return false;
    }
}

struct TxResult {
    int rc = SQLITE_OK;
    std::string message;
};

// One write transaction. The message is captured before ROLLBACK, which would overwrite it.
template <class Body>
TxResult transaction(sql::Db& db, Body& body) {
    int rc = db.exec("BEGIN IMMEDIATE");
    if (rc == SQLITE_OK) rc = body(db);
    if (rc == SQLITE_OK) rc = db.exec("COMMIT");
    if (rc == SQLITE_OK) return {};
    TxResult r{rc, db.message()};
    db.exec("ROLLBACK");  // may fail when SQLite already rolled back; nothing more to do then
    return r;
}

}  // namespace

Result<SqliteStore::Opened> SqliteStore::open(SqliteStoreOptions options) {
    if (options.journal_limit == 0) options.journal_limit = 1;
    if (options.binding_limit == 0) options.binding_limit = 1;
    auto db = open_state_db(options.path, options.vfs);
    if (!db) return fail("opening the state store " + options.path + ": " + db.error());
    Opened out;
    out.warnings = std::move(db->warnings);
    out.store.reset(new SqliteStore(std::move(options), std::move(db->db), db->persistent));
    return out;
}

SqliteStore::SqliteStore(SqliteStoreOptions options, sql::Db db, bool persistent)
    : options_(std::move(options)), db_(std::move(db)), persistent_(persistent) {}

template <class Body>
Result<void> SqliteStore::write(const std::string& what, Body body) {
    TxResult t = transaction(db_, body);
    if (t.rc == SQLITE_OK) {
        ++writes_;
        return ok();
    }
    std::string error = what + " in " + options_.path + ": " + t.message;
    if (!persistent_ || !disk_failure(t.rc)) return fail(error);

    // The disk stopped taking writes (remounted read-only after a flash error, full, gone).
    // Keep running from a copy in memory: the daemon's state stays queryable and consistent,
    // and this write still happens there. Reported once; persistent() tells from then on.
    auto mem = copy_to_memory(db_);
    if (!mem) {
        // A file that fails this badly may not even be readable; an empty start beats stopping.
        error += "; its contents could not be copied (" + mem.error() + "), memory starts empty";
        mem = empty_memory_db();
        if (!mem) return fail(error + "; cannot continue in memory either: " + mem.error());
    }
    db_ = std::move(*mem);
    persistent_ = false;
    TxResult again = transaction(db_, body);
    if (again.rc != SQLITE_OK) return fail(error + "; and in memory: " + again.message);
    ++writes_;
    return fail(error + "; running from memory from now on, nothing more will be saved");
}

Result<LeaseRestore> SqliteStore::load_lease(const time::ClockReading& now) {
    auto stored = read_lease(db_);
    if (!stored) return fail(stored.error());
    if (!*stored) return LeaseRestore{};
    return from_stored(**stored, now);
}

Result<void> SqliteStore::save_lease(const provision::Lease& boot_lease, const time::ClockReading& now) {
    // Compare first: a Renew that changes nothing must not rewrite flash. A failed read is not
    // fatal; the write below then simply happens.
    auto stored = read_lease(db_);
    if (stored && *stored && same_as_stored(**stored, boot_lease, now)) return ok();
    StoredLease row = to_stored(boot_lease, now);
    return write("saving the lease", [&](sql::Db& db) { return write_lease(db, row); });
}

Result<void> SqliteStore::clear_lease() {
    auto stored = read_lease(db_);
    auto stored4o6 = read_dhcp4o6_lease(db_);
    if (stored && !*stored && stored4o6 && !*stored4o6) return ok();
    // The DHCP 4o6 lease was obtained through this DHCPv6 lease's address or prefix: it goes too.
    return write("clearing the lease", [](sql::Db& db) {
        const int rc = delete_lease(db);
        return rc != SQLITE_OK ? rc : delete_dhcp4o6_lease(db);
    });
}

Result<Dhcp4o6LeaseRestore> SqliteStore::load_dhcp4o6_lease(const time::ClockReading& now) {
    auto stored = read_dhcp4o6_lease(db_);
    if (!stored) return fail(stored.error());
    if (!*stored) return Dhcp4o6LeaseRestore{};
    return from_stored(**stored, now);
}

Result<void> SqliteStore::save_dhcp4o6_lease(const Dhcp4o6Lease& boot_lease, const time::ClockReading& now) {
    StoredDhcp4o6Lease row = to_stored(boot_lease, now);
    // Not rewritten when equal but for a second of wall-clock rounding (flash wear).
    auto stored = read_dhcp4o6_lease(db_);
    if (stored && *stored) {
        StoredDhcp4o6Lease old = **stored;
        const std::int64_t diff = row.lease.obtained_at - old.lease.obtained_at;
        old.lease.obtained_at = row.lease.obtained_at;
        if (diff >= -1 && diff <= 1 && old == row) return ok();
    }
    return write("saving the DHCP 4o6 lease", [&](sql::Db& db) { return write_dhcp4o6_lease(db, row); });
}

Result<void> SqliteStore::clear_dhcp4o6_lease() {
    auto stored = read_dhcp4o6_lease(db_);
    if (stored && !*stored) return ok();
    return write("clearing the DHCP 4o6 lease", [](sql::Db& db) { return delete_dhcp4o6_lease(db); });
}

Result<std::optional<Selection>> SqliteStore::load_selection() { return read_selection(db_); }

Result<void> SqliteStore::save_selection(const Selection& selection) {
    auto stored = read_selection(db_);
    if (stored && *stored && **stored == selection) return ok();
    return write("saving the selection", [&](sql::Db& db) { return write_selection(db, selection); });
}

Result<void> SqliteStore::append(const Event& event) {
    return write("appending to the journal",
                 [&](sql::Db& db) { return append_event(db, event, options_.journal_limit); });
}

Result<std::vector<Event>> SqliteStore::journal(std::size_t limit, Seconds since) {
    return read_events(db_, limit, since);
}

Result<void> SqliteStore::record_binding(const Binding& binding) {
    // A restart re-activating the same binding adds nothing: the latest row still states it.
    auto latest = read_bindings(db_, 1);
    if (latest && !latest->empty() && latest->back().same_as(binding)) return ok();
    return write("recording the binding",
                 [&](sql::Db& db) { return append_binding(db, binding, options_.binding_limit); });
}

Result<std::vector<Binding>> SqliteStore::bindings(std::size_t limit) { return read_bindings(db_, limit); }

Result<void> SqliteStore::write_kernel_object(const char* verb, std::string_view query, const KernelObject& object) {
    return write(std::string(verb) + " kernel object " + object.kind + " " + object.key, [&](sql::Db& db) {
        sql::Stmt st;
        st.prepare(db, query);
        st.bind_text(1, object.kind);
        st.bind_text(2, object.key);
        return st.run();
    });
}

Result<void> SqliteStore::remember_kernel_object(const KernelObject& object) {
    return write_kernel_object("remembering", queries::kRememberKernelObject, object);
}

Result<void> SqliteStore::forget_kernel_object(const KernelObject& object) {
    return write_kernel_object("forgetting", queries::kForgetKernelObject, object);
}

Result<std::vector<KernelObject>> SqliteStore::kernel_objects() {
    std::vector<KernelObject> out;
    sql::Stmt st;
    st.prepare(db_, queries::kKernelObjects);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) out.push_back({st.text(0), st.text(1)});
    if (rc != SQLITE_DONE) return fail("reading the kernel objects in " + options_.path + ": " + db_.message());
    return out;
}

Result<void> SqliteStore::save_static_forward(const napt::StaticForward& f) {
    return write("saving static forward " + napt::describe(f), [&](sql::Db& db) {
        sql::Stmt st;
        st.prepare(db, queries::kSaveStaticForward);
        st.bind_text(1, std::string(napt::protocol_name(f.protocol)));
        st.bind_int(2, f.external_port);
        st.bind_text(3, f.lan_address.to_string());
        st.bind_int(4, f.lan_port);
        return st.run();
    });
}

Result<void> SqliteStore::delete_static_forward(napt::Protocol protocol, std::uint16_t external_port) {
    return write("deleting static forward " + std::string(napt::protocol_name(protocol)) + " " + std::to_string(external_port),
                 [&](sql::Db& db) {
                     sql::Stmt st;
                     st.prepare(db, queries::kDeleteStaticForward);
                     st.bind_text(1, std::string(napt::protocol_name(protocol)));
                     st.bind_int(2, external_port);
                     return st.run();
                 });
}

// A row that does not read back (edited by hand) is skipped with the reason in the error of the
// whole read: a forward must never be half-understood.
Result<std::vector<napt::StaticForward>> SqliteStore::static_forwards() {
    std::vector<napt::StaticForward> out;
    sql::Stmt st;
    st.prepare(db_, queries::kStaticForwards);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
        const std::string proto = st.text(0);
        const std::int64_t external = st.int64(1), lan_port = st.int64(3);
        auto p = napt::forward_protocol_named(proto);
        auto address = net::Ipv4Address::parse(st.text(2));
        if (!p || !address || external < 1 || external > 65535 || lan_port < 1 || lan_port > 65535)
            return fail("static forward row " + proto + " " + std::to_string(external) + " in " + options_.path + " is not valid");
        out.push_back({*p, static_cast<std::uint16_t>(external), *address, static_cast<std::uint16_t>(lan_port)});
    }
    if (rc != SQLITE_DONE) return fail("reading the static forwards in " + options_.path + ": " + db_.message());
    return out;
}

}  // namespace s46::store
