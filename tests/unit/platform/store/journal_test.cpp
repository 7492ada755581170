// The journal and binding log: oldest first, newest kept, bounded.
#include <catch2/catch.hpp>

#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

namespace {

Event lease_event(Seconds at, std::string detail) {
    Event e;
    e.at = at;
    e.kind = EventKind::lease_renewed;
    e.detail = std::move(detail);
    return e;
}

}  // namespace

TEST_CASE("store: journal rows come back oldest first with every field", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    std::vector<Event> in = {
        {0, 100, EventKind::lease_obtained, select::Mode::none, select::Mode::none, "2001:db8::100, PD /56"},
        {0, 101, EventKind::mode_changed, select::Mode::none, select::Mode::mape, "OPTION_S46_CONT_MAPE present"},
        {0, 150, EventKind::provisioning_error, select::Mode::none, select::Mode::none, "BMR: EA-len 40 > 32"},
        {0, 160, EventKind::lease_rebound, select::Mode::none, select::Mode::none, ""},
        {0, 170, EventKind::mode_changed, select::Mode::mape, select::Mode::dslite, "MAP-E withdrawn"},
        {0, 180, EventKind::lease_expired, select::Mode::none, select::Mode::none, "valid lifetime over"},
        {0, 190, EventKind::lease_released, select::Mode::none, select::Mode::none, "shutdown"},
    };
    {
        auto opened = open_store(path);
        REQUIRE(opened.ok());
        for (const auto& e : in) REQUIRE(opened->store->append(e).ok());
    }
    auto opened = open_store(path);
    REQUIRE(opened.ok());
    auto out = opened->store->journal(100);
    REQUIRE(out.ok());
    REQUIRE(out->size() == in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        auto expect = in[i];
        expect.seq = (*out)[i].seq;
        CHECK((*out)[i] == expect);
        if (i > 0) CHECK((*out)[i].seq > (*out)[i - 1].seq);
    }

    auto last_two = opened->store->journal(2);
    REQUIRE(last_two.ok());
    REQUIRE(last_two->size() == 2);
    CHECK((*last_two)[0].kind == EventKind::lease_expired);
    CHECK((*last_two)[1].kind == EventKind::lease_released);

    auto since = opened->store->journal(100, 160);
    REQUIRE(since.ok());
    REQUIRE(since->size() == 4);
    CHECK(since->front().at == 160);

    auto none = opened->store->journal(0);
    REQUIRE(none.ok());
    CHECK(none->empty());
}

TEST_CASE("store: the journal keeps only the newest N rows", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    const auto path = dir.file("state.db");
    auto opened = open_store(path, 5);
    REQUIRE(opened.ok());
    for (int i = 0; i < 12; ++i) REQUIRE(opened->store->append(lease_event(1000 + i, std::to_string(i))).ok());

    auto out = opened->store->journal(100);
    REQUIRE(out.ok());
    REQUIRE(out->size() == 5);
    for (int i = 0; i < 5; ++i) CHECK((*out)[i].detail == std::to_string(7 + i));
    CHECK(sql_value(path, "SELECT count(*) FROM journal") == "5");

    // A smaller bound on the next start trims on the next append.
    opened->store.reset();
    auto smaller = open_store(path, 2);
    REQUIRE(smaller.ok());
    REQUIRE(smaller->store->append(lease_event(2000, "12")).ok());
    auto two = smaller->store->journal(100);
    REQUIRE(two.ok());
    REQUIRE(two->size() == 2);
    CHECK((*two)[0].detail == "11");
    CHECK((*two)[1].detail == "12");
}

TEST_CASE("store: the binding log is ordered, complete and bounded", "[store]") {
    TempDir dir;
    REQUIRE(dir.ok());
    SqliteStoreOptions o;
    o.path = dir.file("state.db");
    o.binding_limit = 3;
    auto opened = SqliteStore::open(o);
    REQUIRE(opened.ok());
    auto& store = *opened->store;

    Binding dslite;
    dslite.at = 50;
    dslite.mode = select::Mode::dslite;
    dslite.tunnel_address = v6("2001:db8::2");
    REQUIRE(store.record_binding(dslite).ok());
    for (std::uint16_t p = 1; p <= 3; ++p) REQUIRE(store.record_binding(sample_binding(100 * p, p)).ok());

    auto rows = store.bindings(10);
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 3);  // the DS-Lite row fell off the bound
    for (std::uint16_t i = 0; i < 3; ++i) {
        auto expect = sample_binding(100 * (i + 1), static_cast<std::uint16_t>(i + 1));
        expect.seq = (*rows)[i].seq;
        CHECK((*rows)[i] == expect);
    }
    auto newest = store.bindings(1);
    REQUIRE(newest.ok());
    REQUIRE(newest->size() == 1);
    CHECK(newest->front().psid == 3);

    // No IPv4 address (DS-Lite) reads back as absent, not 0.0.0.0.
    REQUIRE(store.record_binding(dslite).ok());
    auto back = store.bindings(1);
    REQUIRE(back.ok());
    CHECK_FALSE(back->front().ipv4.has_value());
    CHECK(back->front().same_as(dslite));
}
