// Every statement the store runs against the latest layout. Opening prepares each one once:
// a file that claims our schema version but lacks a table or column is caught at start-up
// (and moved aside) instead of failing the first write hours later.
#pragma once

#include <array>
#include <string_view>

namespace s46::store::queries {

inline constexpr std::string_view kLoadLease =
    "SELECT server_duid, server_address, iaid_na, iaid_pd, t1, t2, obtained_at, options, obtained_at_boot, boot_id, "
    "wall_synchronized FROM lease WHERE id = 1";
inline constexpr std::string_view kLoadLeaseAddresses =
    "SELECT address, preferred_lifetime, valid_lifetime FROM lease_address ORDER BY pos";
inline constexpr std::string_view kLoadLeasePrefixes =
    "SELECT prefix, preferred_lifetime, valid_lifetime FROM lease_prefix ORDER BY pos";
inline constexpr std::string_view kClearLease =
    "DELETE FROM lease; DELETE FROM lease_address; DELETE FROM lease_prefix;";
inline constexpr std::string_view kInsertLease =
    "INSERT INTO lease (id, server_duid, server_address, iaid_na, iaid_pd, t1, t2, obtained_at, options, "
    "obtained_at_boot, boot_id, wall_synchronized) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
inline constexpr std::string_view kInsertLeaseAddress =
    "INSERT INTO lease_address (pos, address, preferred_lifetime, valid_lifetime) VALUES (?1, ?2, ?3, ?4)";
inline constexpr std::string_view kInsertLeasePrefix =
    "INSERT INTO lease_prefix (pos, prefix, preferred_lifetime, valid_lifetime) VALUES (?1, ?2, ?3, ?4)";

inline constexpr std::string_view kLoadSelection = "SELECT mode, reason, plan_json FROM selection WHERE id = 1";
inline constexpr std::string_view kSaveSelection =
    "INSERT OR REPLACE INTO selection (id, mode, reason, plan_json) VALUES (1, ?1, ?2, ?3)";

inline constexpr std::string_view kAppendEvent =
    "INSERT INTO journal (at, kind, mode_from, mode_to, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
// Keeps the newest ?1 rows. OFFSET finds the oldest row to keep, so gaps in seq do not matter;
// with fewer rows the subquery is NULL and nothing is deleted.
inline constexpr std::string_view kTrimJournal =
    "DELETE FROM journal WHERE seq < (SELECT seq FROM journal ORDER BY seq DESC LIMIT 1 OFFSET ?1 - 1)";
inline constexpr std::string_view kJournal =
    "SELECT seq, at, kind, mode_from, mode_to, detail FROM "
    "(SELECT * FROM journal WHERE at >= ?1 ORDER BY seq DESC LIMIT ?2) ORDER BY seq";

inline constexpr std::string_view kAppendBinding =
    "INSERT INTO binding (at, mode, tunnel_address, ipv4_address, psid_offset, psid_length, psid, port_ranges) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
inline constexpr std::string_view kTrimBindings =
    "DELETE FROM binding WHERE seq < (SELECT seq FROM binding ORDER BY seq DESC LIMIT 1 OFFSET ?1 - 1)";
inline constexpr std::string_view kBindings =
    "SELECT seq, at, mode, tunnel_address, ipv4_address, psid_offset, psid_length, psid, port_ranges FROM "
    "(SELECT * FROM binding ORDER BY seq DESC LIMIT ?1) ORDER BY seq";

// rowid keeps the order objects were remembered in (teardown runs it backwards).
inline constexpr std::string_view kRememberKernelObject = "INSERT OR IGNORE INTO kernel_object (kind, key) VALUES (?1, ?2)";
inline constexpr std::string_view kForgetKernelObject = "DELETE FROM kernel_object WHERE kind = ?1 AND key = ?2";
inline constexpr std::string_view kKernelObjects = "SELECT kind, key FROM kernel_object ORDER BY rowid";

// rowid keeps the order forwards were added in (s46ctl portmap list shows them so).
inline constexpr std::string_view kSaveStaticForward =
    "INSERT OR REPLACE INTO static_forward (protocol, external_port, lan_address, lan_port) VALUES (?1, ?2, ?3, ?4)";
inline constexpr std::string_view kDeleteStaticForward = "DELETE FROM static_forward WHERE protocol = ?1 AND external_port = ?2";
inline constexpr std::string_view kStaticForwards =
    "SELECT protocol, external_port, lan_address, lan_port FROM static_forward ORDER BY rowid";

// One row (id = 1), replaced as a whole: the DHCP 4o6 lease (schema version 5).
inline constexpr std::string_view kLoadDhcp4o6Lease =
    "SELECT address, psid_offset, psid_length, psid, softwire_source, server_id, lease_time, t1, t2, obtained_at, "
    "obtained_at_boot, boot_id, wall_synchronized FROM dhcp4o6_lease WHERE id = 1";
inline constexpr std::string_view kSaveDhcp4o6Lease =
    "INSERT OR REPLACE INTO dhcp4o6_lease (id, address, psid_offset, psid_length, psid, softwire_source, server_id, "
    "lease_time, t1, t2, obtained_at, obtained_at_boot, boot_id, wall_synchronized) "
    "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
inline constexpr std::string_view kClearDhcp4o6Lease = "DELETE FROM dhcp4o6_lease";

// kClearLease is left out: it is three statements and prepare would check only the first; the
// three loads cover the same tables.
inline constexpr std::array kAll = {
    kLoadLease,  kLoadLeaseAddresses, kLoadLeasePrefixes, kInsertLease,  kInsertLeaseAddress,
    kInsertLeasePrefix, kLoadSelection, kSaveSelection, kAppendEvent, kTrimJournal,
    kJournal, kAppendBinding, kTrimBindings, kBindings, kRememberKernelObject, kForgetKernelObject, kKernelObjects,
    kSaveStaticForward, kDeleteStaticForward, kStaticForwards, kLoadDhcp4o6Lease, kSaveDhcp4o6Lease, kClearDhcp4o6Lease,
};

}  // namespace s46::store::queries
