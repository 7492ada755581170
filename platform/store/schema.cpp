#include "platform/store/schema.hpp"

#include <sqlite3.h>

#include <string>

namespace s46::store::schema {
namespace {

// v1. Addresses are stored as text so `sqlite3 state.db` is readable for operators; they
// round-trip exactly through the core parsers. The lease and the selection are single rows
// (id = 1). The journal has no index on `at`: it is bounded, a scan is cheap, and an index
// would double the flash writes of every append.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    server_duid BLOB NOT NULL,
    server_address TEXT,
    iaid_na INTEGER NOT NULL,
    iaid_pd INTEGER NOT NULL,
    t1 INTEGER NOT NULL,
    t2 INTEGER NOT NULL,
    obtained_at INTEGER NOT NULL,
    options BLOB NOT NULL
);
CREATE TABLE lease_address (
    pos INTEGER PRIMARY KEY,
    address TEXT NOT NULL,
    preferred_lifetime INTEGER NOT NULL,
    valid_lifetime INTEGER NOT NULL
);
CREATE TABLE lease_prefix (
    pos INTEGER PRIMARY KEY,
    prefix TEXT NOT NULL,
    preferred_lifetime INTEGER NOT NULL,
    valid_lifetime INTEGER NOT NULL
);
CREATE TABLE selection (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    mode TEXT NOT NULL,
    reason TEXT NOT NULL,
    plan_json TEXT NOT NULL
);
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    mode_from TEXT,
    mode_to TEXT,
    detail TEXT NOT NULL
);
CREATE TABLE binding (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    mode TEXT NOT NULL,
    tunnel_address TEXT NOT NULL,
    ipv4_address TEXT,
    psid_offset INTEGER NOT NULL,
    psid_length INTEGER NOT NULL,
    psid INTEGER NOT NULL,
    port_ranges TEXT NOT NULL
);
)sql";

// v2. The lease's times at the store boundary (platform/store/lease_time.hpp): obtained_at stays
// wall-clock seconds; these add the same instant on the boot clock, the boot it belongs to and
// whether the wall clock was synchronised at save. Version-1 rows get NULLs, read as "unknown
// boot, synchronisation unknown" (docs/time.md).
constexpr std::string_view kV2 = R"sql(
ALTER TABLE lease ADD COLUMN obtained_at_boot INTEGER;
ALTER TABLE lease ADD COLUMN boot_id TEXT;
ALTER TABLE lease ADD COLUMN wall_synchronized INTEGER;
)sql";

// v3. What the kernel data plane created (docs/dataplane.md): a row is written before the
// object is created and deleted after the object is gone, so after a crash the next start
// removes exactly what s46d left behind and nothing else. `kind` says what `key` names
// (e.g. "link" / "s46tnl0", "address6" / "eth0 2001:db8::1").
constexpr std::string_view kV3 = R"sql(
CREATE TABLE kernel_object (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
)sql";

// v4. The operator's static port forwards (s46ctl portmap add; docs/napt.md "Static port
// forwards"). Only the configuration: whether one is enabled follows from the active plan's
// port set and is worked out again at every start. Protocol as text ("tcp", "udp"), the LAN
// address as text, like every address here.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE static_forward (
    protocol TEXT NOT NULL,
    external_port INTEGER NOT NULL,
    lan_address TEXT NOT NULL,
    lan_port INTEGER NOT NULL,
    PRIMARY KEY (protocol, external_port)
);
)sql";

// v5. The DHCPv4-over-DHCPv6 lease (RFC 7341, RFC 8539; docs/dhcp4o6-client.md "Daemon wiring"),
// next to the DHCPv6 lease and cleared with it. One row. The port set (option 159, RFC 7618 §4)
// is NULL when the server gave a full address. Times as in the lease table since v2.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE dhcp4o6_lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    address TEXT NOT NULL,
    psid_offset INTEGER,
    psid_length INTEGER,
    psid INTEGER,
    softwire_source TEXT NOT NULL,
    server_id TEXT NOT NULL,
    lease_time INTEGER NOT NULL,
    t1 INTEGER NOT NULL,
    t2 INTEGER NOT NULL,
    obtained_at INTEGER NOT NULL,
    obtained_at_boot INTEGER NOT NULL,
    boot_id TEXT NOT NULL,
    wall_synchronized INTEGER NOT NULL
);
)sql";

constexpr Migration kMigrations[] = {
    {1, kV1},
    {2, kV2},
    {3, kV3},
    {4, kV4},
    {5, kV5},
    // {6, "ALTER TABLE ...;"},  // the next layout goes here
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_version() { return kMigrations[std::size(kMigrations) - 1].to_version; }

int read_version(sql::Db& db, Failure& failure) {
    sql::Stmt st;
    int rc = st.prepare(db, "PRAGMA user_version");
    if (rc == SQLITE_OK) rc = st.step();
    if (rc != SQLITE_ROW) {
        failure = {rc, "reading the schema version: " + db.message()};
        return -1;
    }
    return static_cast<int>(st.int64(0));
}

bool migrate(sql::Db& db, Failure& failure) {
    int version = read_version(db, failure);
    if (version < 0) return false;
    for (const auto& m : migrations()) {
        if (m.to_version <= version) continue;
        // The layout and its version number commit together, so a power cut leaves either
        // the old version or the new one, never a half-built file claiming the old number.
        std::string sql = "BEGIN IMMEDIATE;\n" + std::string(m.sql) +
                          "\nPRAGMA user_version = " + std::to_string(m.to_version) + ";\nCOMMIT;";
        int rc = db.exec(sql.c_str());
        if (rc != SQLITE_OK) {
            failure = {rc, "migrating the schema to version " + std::to_string(m.to_version) + ": " + db.message()};
            db.exec("ROLLBACK");
            return false;
        }
        version = m.to_version;
    }
    return true;
}

}  // namespace s46::store::schema
