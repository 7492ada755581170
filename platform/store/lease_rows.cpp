#include "platform/store/lease_rows.hpp"

#include <sqlite3.h>

#include <string>

#include "platform/store/queries.hpp"

namespace s46::store {
namespace {

// Lifetimes, IAIDs and T1/T2 are 32-bit on the wire; anything else in the file was not
// written by us.
bool fits_u32(std::int64_t v) { return v >= 0 && v <= 0xffffffffLL; }

Result<std::uint32_t> u32(const sql::Stmt& st, int col, const char* what) {
    std::int64_t v = st.int64(col);
    if (!fits_u32(v)) return fail(std::string("stored lease: ") + what + " " + std::to_string(v) + " is out of range");
    return static_cast<std::uint32_t>(v);
}

// Times are converted to milliseconds (lease_time.cpp); a value this large (about 31,700 years)
// was not written by us, and multiplying it could overflow.
constexpr std::int64_t kMaxAbsSeconds = 1'000'000'000'000LL;

Result<std::int64_t> seconds(const sql::Stmt& st, int col, const char* what) {
    std::int64_t v = st.int64(col);
    if (v > kMaxAbsSeconds || v < -kMaxAbsSeconds)
        return fail(std::string("stored lease: ") + what + " " + std::to_string(v) + " is out of range");
    return v;
}

// "addr/len" back into the exact value stored: Ipv6Prefix::parse would mask host bits, and
// a round trip must not change what the DHCPv6 layer handed over.
Result<net::Ipv6Prefix> exact_prefix(const std::string& text) {
    auto slash = text.rfind('/');
    if (slash == std::string::npos) return fail("stored lease: prefix '" + text + "' has no length");
    auto a = net::Ipv6Address::parse(std::string_view(text).substr(0, slash));
    if (!a) return fail("stored lease: prefix: " + a.error());
    std::string len_text = text.substr(slash + 1);
    if (len_text.empty() || len_text.size() > 3 || len_text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(len_text) > 255)
        return fail("stored lease: prefix '" + text + "' has a bad length");
    net::Ipv6Prefix p;
    p.address = *a;
    p.length = static_cast<std::uint8_t>(std::stoi(len_text));
    return p;
}

// One row per address or prefix. pos keeps the order the server sent them in, so the loaded
// Lease compares equal.
template <class Leased, class Value>
int insert_lifetime_rows(sql::Db& db, std::string_view query, const std::vector<Leased>& rows, Value Leased::*value) {
    sql::Stmt st;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        st.prepare(db, query);
        st.bind_int(1, static_cast<std::int64_t>(i));
        st.bind_text(2, (rows[i].*value).to_string());
        st.bind_int(3, rows[i].preferred_lifetime);
        st.bind_int(4, rows[i].valid_lifetime);
        if (int rc = st.run(); rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

}  // namespace

Result<std::optional<StoredLease>> read_lease(sql::Db& db) {
    StoredLease stored;
    provision::Lease& lease = stored.lease;
    sql::Stmt st;
    st.prepare(db, queries::kLoadLease);
    int rc = st.step();
    if (rc == SQLITE_DONE) return std::optional<StoredLease>{};
    if (rc != SQLITE_ROW) return fail("reading the stored lease: " + db.message());

    lease.server_duid = st.blob(0);
    if (!st.is_null(1)) {
        auto a = net::Ipv6Address::parse(st.text(1));
        if (!a) return fail("stored lease: server address: " + a.error());
        lease.server_address = *a;
    }
    auto iaid_na = u32(st, 2, "IAID (IA_NA)");
    auto iaid_pd = u32(st, 3, "IAID (IA_PD)");
    auto t1 = u32(st, 4, "T1");
    auto t2 = u32(st, 5, "T2");
    for (const auto* r : {&iaid_na, &iaid_pd, &t1, &t2})
        if (!*r) return fail(r->error());
    lease.iaid_na = *iaid_na;
    lease.iaid_pd = *iaid_pd;
    lease.t1 = *t1;
    lease.t2 = *t2;
    auto obtained = seconds(st, 6, "obtained_at");
    if (!obtained) return fail(obtained.error());
    lease.obtained_at = *obtained;
    lease.options = st.blob(7);
    if (!st.is_null(8)) {
        auto boot = seconds(st, 8, "obtained_at_boot");
        if (!boot) return fail(boot.error());
        stored.obtained_at_boot = *boot;
    }
    stored.boot_id = st.text(9);  // NULL (version 1) reads as "", unknown
    if (!st.is_null(10)) {
        std::int64_t synced = st.int64(10);
        if (synced != 0 && synced != 1)
            return fail("stored lease: wall_synchronized " + std::to_string(synced) + " is not 0 or 1");
        stored.wall_synchronized = synced == 1;
    }

    st.prepare(db, queries::kLoadLeaseAddresses);
    while ((rc = st.step()) == SQLITE_ROW) {
        auto a = net::Ipv6Address::parse(st.text(0));
        if (!a) return fail("stored lease: address: " + a.error());
        auto pref = u32(st, 1, "preferred lifetime");
        auto valid = u32(st, 2, "valid lifetime");
        if (!pref) return fail(pref.error());
        if (!valid) return fail(valid.error());
        lease.addresses.push_back({*a, *pref, *valid});
    }
    if (rc != SQLITE_DONE) return fail("reading the stored lease addresses: " + db.message());

    st.prepare(db, queries::kLoadLeasePrefixes);
    while ((rc = st.step()) == SQLITE_ROW) {
        auto p = exact_prefix(st.text(0));
        if (!p) return fail(p.error());
        auto pref = u32(st, 1, "preferred lifetime");
        auto valid = u32(st, 2, "valid lifetime");
        if (!pref) return fail(pref.error());
        if (!valid) return fail(valid.error());
        lease.prefixes.push_back({*p, *pref, *valid});
    }
    if (rc != SQLITE_DONE) return fail("reading the stored lease prefixes: " + db.message());
    return std::optional<StoredLease>{std::move(stored)};
}

int delete_lease(sql::Db& db) { return db.exec(std::string(queries::kClearLease).c_str()); }

int write_lease(sql::Db& db, const StoredLease& stored) {
    const provision::Lease& lease = stored.lease;
    int rc = delete_lease(db);
    if (rc != SQLITE_OK) return rc;

    sql::Stmt st;
    st.prepare(db, queries::kInsertLease);
    st.bind_blob(1, lease.server_duid);
    st.bind_text_or_null(2, lease.server_address);
    st.bind_int(3, lease.iaid_na);
    st.bind_int(4, lease.iaid_pd);
    st.bind_int(5, lease.t1);
    st.bind_int(6, lease.t2);
    st.bind_int(7, lease.obtained_at);
    st.bind_blob(8, lease.options);
    st.bind_int_or_null(9, stored.obtained_at_boot);
    st.bind_text(10, stored.boot_id);
    st.bind_int_or_null(11, stored.wall_synchronized);
    if ((rc = st.run()) != SQLITE_OK) return rc;

    if ((rc = insert_lifetime_rows(db, queries::kInsertLeaseAddress, lease.addresses, &provision::LeasedAddress::address)) != SQLITE_OK)
        return rc;
    return insert_lifetime_rows(db, queries::kInsertLeasePrefix, lease.prefixes, &provision::LeasedPrefix::prefix);
}

}  // namespace s46::store
