#include "platform/store/history_rows.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <limits>
#include <string>

#include "platform/store/queries.hpp"

namespace s46::store {
namespace {

// SQLite integers are signed 64-bit; a size_t limit past that means "all".
std::int64_t as_limit(std::size_t n) {
    constexpr auto max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(n > max ? max : n);
}

Result<select::Mode> mode_column(const sql::Stmt& st, int col, const char* table) {
    if (st.is_null(col)) return select::Mode::none;
    auto text = st.text(col);
    auto m = select::mode_from_string(text);
    if (!m) return fail(std::string("stored ") + table + ": unknown mode '" + text + "'");
    return *m;
}

void bind_mode(sql::Stmt& st, int i, select::Mode m) { st.bind_text(i, select::to_string(m)); }

// Runs the bound INSERT, then the table's trim down to the newest `keep` rows: the journal and
// the binding log are bounded so flash use stays fixed.
int run_and_trim(sql::Db& db, sql::Stmt& insert, std::string_view trim, std::size_t keep) {
    if (int rc = insert.run(); rc != SQLITE_OK) return rc;
    insert.prepare(db, trim);
    insert.bind_int(1, as_limit(keep));
    return insert.run();
}

}  // namespace

Result<std::optional<Selection>> read_selection(sql::Db& db) {
    sql::Stmt st;
    st.prepare(db, queries::kLoadSelection);
    int rc = st.step();
    if (rc == SQLITE_DONE) return std::optional<Selection>{};
    if (rc != SQLITE_ROW) return fail("reading the stored selection: " + db.message());
    auto mode = mode_column(st, 0, "selection");
    if (!mode) return fail(mode.error());
    return std::optional<Selection>{Selection{*mode, st.text(1), st.text(2)}};
}

int write_selection(sql::Db& db, const Selection& s) {
    sql::Stmt st;
    st.prepare(db, queries::kSaveSelection);
    bind_mode(st, 1, s.mode);
    st.bind_text(2, s.reason);
    st.bind_text(3, s.plan_json);
    return st.run();
}

int append_event(sql::Db& db, const Event& e, std::size_t keep) {
    sql::Stmt st;
    st.prepare(db, queries::kAppendEvent);
    st.bind_int(1, e.at);
    st.bind_text(2, to_string(e.kind));
    // from/to mean something only for a mode change; NULL elsewhere keeps the table honest.
    if (e.kind == EventKind::mode_changed) {
        bind_mode(st, 3, e.from);
        bind_mode(st, 4, e.to);
    } else {
        st.bind_null(3);
        st.bind_null(4);
    }
    st.bind_text(5, e.detail);
    return run_and_trim(db, st, queries::kTrimJournal, keep);
}

Result<std::vector<Event>> read_events(sql::Db& db, std::size_t limit, Seconds since) {
    std::vector<Event> out;
    sql::Stmt st;
    st.prepare(db, queries::kJournal);
    st.bind_int(1, since);
    st.bind_int(2, as_limit(limit));
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
        Event e;
        e.seq = st.int64(0);
        e.at = st.int64(1);
        auto kind_text = st.text(2);
        auto kind = event_kind_from_string(kind_text);
        if (!kind) return fail("stored journal row " + std::to_string(e.seq) + ": unknown event '" + kind_text + "'");
        e.kind = *kind;
        auto from = mode_column(st, 3, "journal");
        auto to = mode_column(st, 4, "journal");
        if (!from) return fail(from.error());
        if (!to) return fail(to.error());
        e.from = *from;
        e.to = *to;
        e.detail = st.text(5);
        out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) return fail("reading the journal: " + db.message());
    return out;
}

int append_binding(sql::Db& db, const Binding& b, std::size_t keep) {
    sql::Stmt st;
    st.prepare(db, queries::kAppendBinding);
    st.bind_int(1, b.at);
    bind_mode(st, 2, b.mode);
    st.bind_text(3, b.tunnel_address.to_string());
    st.bind_text_or_null(4, b.ipv4);
    st.bind_int(5, b.psid_offset);
    st.bind_int(6, b.psid_length);
    st.bind_int(7, b.psid);
    st.bind_text(8, b.port_ranges);
    return run_and_trim(db, st, queries::kTrimBindings, keep);
}

Result<std::vector<Binding>> read_bindings(sql::Db& db, std::size_t limit) {
    std::vector<Binding> out;
    sql::Stmt st;
    st.prepare(db, queries::kBindings);
    st.bind_int(1, as_limit(limit));
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
        Binding b;
        b.seq = st.int64(0);
        b.at = st.int64(1);
        const std::string row = "stored binding row " + std::to_string(b.seq);
        auto mode = mode_column(st, 2, "binding");
        if (!mode) return fail(mode.error());
        b.mode = *mode;
        auto v6 = net::Ipv6Address::parse(st.text(3));
        if (!v6) return fail(row + ": " + v6.error());
        b.tunnel_address = *v6;
        if (!st.is_null(4)) {
            auto v4 = net::Ipv4Address::parse(st.text(4));
            if (!v4) return fail(row + ": " + v4.error());
            b.ipv4 = *v4;
        }
        std::int64_t offset = st.int64(5), length = st.int64(6), psid = st.int64(7);
        if (offset < 0 || offset > 255 || length < 0 || length > 255 || psid < 0 || psid > 0xffff)
            return fail(row + ": PSID fields out of range");
        b.psid_offset = static_cast<std::uint8_t>(offset);
        b.psid_length = static_cast<std::uint8_t>(length);
        b.psid = static_cast<std::uint16_t>(psid);
        b.port_ranges = st.text(8);
        out.push_back(std::move(b));
    }
    if (rc != SQLITE_DONE) return fail("reading the binding log: " + db.message());
    return out;
}

}  // namespace s46::store
