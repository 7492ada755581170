#include "platform/store/dhcp4o6_lease_rows.hpp"

#include <sqlite3.h>

#include <string>

#include "platform/store/queries.hpp"

namespace s46::store {
namespace {

Result<std::int64_t> in_range(const sql::Stmt& st, int col, const char* what, std::int64_t lo, std::int64_t hi) {
    const std::int64_t v = st.int64(col);
    if (v < lo || v > hi) return fail(std::string("stored DHCP 4o6 lease: ") + what + " " + std::to_string(v) + " is out of range");
    return v;
}

// Larger times (about 31,700 years) were not written by us and could overflow in milliseconds.
constexpr std::int64_t kMaxAbsSeconds = 1'000'000'000'000LL;

}  // namespace

Result<std::optional<StoredDhcp4o6Lease>> read_dhcp4o6_lease(sql::Db& db) {
    sql::Stmt st;
    st.prepare(db, queries::kLoadDhcp4o6Lease);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return std::optional<StoredDhcp4o6Lease>{};
    if (rc != SQLITE_ROW) return fail("reading the stored DHCP 4o6 lease: " + db.message());

    StoredDhcp4o6Lease s;
    Dhcp4o6Lease& l = s.lease;
    auto address = net::Ipv4Address::parse(st.text(0));
    if (!address) return fail("stored DHCP 4o6 lease: address: " + address.error());
    l.binding.ipv4 = *address;
    if (!st.is_null(1)) {
        // RFC 7618 §4: offset 0..15, PSID length 0..16 with offset + length <= 16, PSID < 2^length.
        auto offset = in_range(st, 1, "PSID offset", 0, 15);
        auto length = in_range(st, 2, "PSID length", 0, 16);
        if (!offset) return fail(offset.error());
        if (!length) return fail(length.error());
        if (*offset + *length > 16) return fail("stored DHCP 4o6 lease: PSID offset + length exceed 16");
        auto psid = in_range(st, 3, "PSID", 0, (std::int64_t{1} << *length) - 1);
        if (!psid) return fail(psid.error());
        l.binding.port_params = provision::PortParams{static_cast<std::uint8_t>(*offset), static_cast<std::uint8_t>(*length),
                                                      static_cast<std::uint16_t>(*psid)};
    }
    auto source = net::Ipv6Address::parse(st.text(4));
    if (!source) return fail("stored DHCP 4o6 lease: softwire source: " + source.error());
    l.binding.softwire_source = *source;
    auto server = net::Ipv4Address::parse(st.text(5));
    if (!server) return fail("stored DHCP 4o6 lease: server id: " + server.error());
    l.server_id = *server;
    auto lease_time = in_range(st, 6, "lease time", 1, 0xffffffffLL);
    auto t1 = in_range(st, 7, "T1", 0, 0xffffffffLL);
    auto t2 = in_range(st, 8, "T2", 0, 0xffffffffLL);
    auto obtained = in_range(st, 9, "obtained_at", -kMaxAbsSeconds, kMaxAbsSeconds);
    auto boot = in_range(st, 10, "obtained_at_boot", -kMaxAbsSeconds, kMaxAbsSeconds);
    auto synced = in_range(st, 12, "wall_synchronized", 0, 1);
    for (const auto* r : {&lease_time, &t1, &t2, &obtained, &boot, &synced})
        if (!*r) return fail(r->error());
    l.lease_time = static_cast<std::uint32_t>(*lease_time);
    l.t1 = static_cast<std::uint32_t>(*t1);
    l.t2 = static_cast<std::uint32_t>(*t2);
    l.obtained_at = *obtained;
    s.obtained_at_boot = *boot;
    s.boot_id = st.text(11);
    s.wall_synchronized = *synced == 1;
    return std::optional<StoredDhcp4o6Lease>{std::move(s)};
}

int delete_dhcp4o6_lease(sql::Db& db) { return db.exec(std::string(queries::kClearDhcp4o6Lease).c_str()); }

int write_dhcp4o6_lease(sql::Db& db, const StoredDhcp4o6Lease& s) {
    const Dhcp4o6Lease& l = s.lease;
    sql::Stmt st;
    st.prepare(db, queries::kSaveDhcp4o6Lease);
    st.bind_text(1, l.binding.ipv4.to_string());
    const auto& p = l.binding.port_params;
    st.bind_int_or_null(2, p ? std::optional<int>(p->offset) : std::nullopt);
    st.bind_int_or_null(3, p ? std::optional<int>(p->psid_len) : std::nullopt);
    st.bind_int_or_null(4, p ? std::optional<int>(p->psid) : std::nullopt);
    st.bind_text(5, l.binding.softwire_source.to_string());
    st.bind_text(6, l.server_id.to_string());
    st.bind_int(7, l.lease_time);
    st.bind_int(8, l.t1);
    st.bind_int(9, l.t2);
    st.bind_int(10, l.obtained_at);
    st.bind_int(11, s.obtained_at_boot);
    st.bind_text(12, s.boot_id);
    st.bind_int(13, s.wall_synchronized ? 1 : 0);
    return st.run();
}

}  // namespace s46::store
