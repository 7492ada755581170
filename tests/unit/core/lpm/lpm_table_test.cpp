#include <catch2/catch.hpp>

#include <vector>

#include "core/lpm/lpm_builder.hpp"
#include "core/lpm/ranges.hpp"

using namespace s46::lpm;
using s46::net::Ipv4Address;
using s46::net::Ipv4Prefix;

namespace {

Ipv4Prefix P(const char* text) { return *Ipv4Prefix::parse(text); }
std::uint32_t A(const char* text) { return Ipv4Address::parse(text)->value; }

// Every direct-table size must give the same answers, from one big chunk to 2^20 small ones.
std::vector<LpmTable> all_tables(const LpmBuilder& b) {
    std::vector<LpmTable> out;
    for (unsigned d : {1u, 2u, 4u, 8u, 12u, 16u, 20u}) out.push_back(b.build(d));
    out.push_back(b.build());
    return out;
}

}  // namespace

TEST_CASE("An empty table routes nothing", "[lpm]") {
    LpmTable def;
    CHECK(def.lookup(0u) == kNoRoute);
    CHECK(def.lookup(0xffffffffu) == kNoRoute);
    CHECK(def.memory_bytes() > 0);
    LpmBuilder b;
    CHECK(b.empty());
    for (const LpmTable& t : all_tables(b))
        for (std::uint32_t a : {0u, 1u, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu}) CHECK(t.lookup(a) == kNoRoute);
}

TEST_CASE("The default route and /0 are the same route", "[lpm]") {
    LpmBuilder b;
    b.set_default(7);
    CHECK(b.find(P("0.0.0.0/0")) == 7u);
    for (const LpmTable& t : all_tables(b))
        for (std::uint32_t a : {0u, 0x0a000001u, 0xffffffffu}) CHECK(t.lookup(a) == 7u);
    CHECK_FALSE(b.insert(P("0.0.0.0/0"), 9));  // replaces
    CHECK(b.build().lookup(A("198.51.100.1")) == 9u);
    b.remove_default();
    CHECK(b.empty());
    CHECK(b.build().lookup(A("198.51.100.1")) == kNoRoute);
}

TEST_CASE("A /32 matches exactly one address", "[lpm]") {
    LpmBuilder b;
    b.set_default(0);
    b.insert(P("192.0.2.1/32"), 5);
    b.insert(P("0.0.0.0/32"), 6);
    b.insert(P("255.255.255.255/32"), 8);
    for (const LpmTable& t : all_tables(b)) {
        CHECK(t.lookup(A("192.0.2.0")) == 0u);
        CHECK(t.lookup(A("192.0.2.1")) == 5u);
        CHECK(t.lookup(A("192.0.2.2")) == 0u);
        CHECK(t.lookup(0u) == 6u);
        CHECK(t.lookup(1u) == 0u);
        CHECK(t.lookup(0xfffffffeu) == 0u);
        CHECK(t.lookup(0xffffffffu) == 8u);
    }
}

TEST_CASE("Nested prefixes resolve to the longest match at every edge", "[lpm]") {
    LpmBuilder b;
    b.insert(P("10.0.0.0/8"), 1);
    b.insert(P("10.1.0.0/16"), 2);
    b.insert(P("10.1.2.0/24"), 3);
    b.insert(P("10.1.2.128/25"), 4);
    b.insert(P("10.1.2.255/32"), 5);
    b.insert(P("10.255.255.0/24"), 6);  // shares its last address with 10/8
    for (const LpmTable& t : all_tables(b)) {
        CHECK(t.lookup(A("9.255.255.255")) == kNoRoute);
        CHECK(t.lookup(A("10.0.0.0")) == 1u);
        CHECK(t.lookup(A("10.0.255.255")) == 1u);
        CHECK(t.lookup(A("10.1.0.0")) == 2u);
        CHECK(t.lookup(A("10.1.1.255")) == 2u);
        CHECK(t.lookup(A("10.1.2.0")) == 3u);
        CHECK(t.lookup(A("10.1.2.127")) == 3u);
        CHECK(t.lookup(A("10.1.2.128")) == 4u);
        CHECK(t.lookup(A("10.1.2.254")) == 4u);
        CHECK(t.lookup(A("10.1.2.255")) == 5u);
        CHECK(t.lookup(A("10.1.3.0")) == 2u);
        CHECK(t.lookup(A("10.2.0.0")) == 1u);
        CHECK(t.lookup(A("10.255.254.255")) == 1u);
        CHECK(t.lookup(A("10.255.255.0")) == 6u);
        CHECK(t.lookup(A("10.255.255.255")) == 6u);
        CHECK(t.lookup(A("11.0.0.0")) == kNoRoute);
    }
}

TEST_CASE("Overlapping prefixes with the same start: the longer one wins inside it", "[lpm]") {
    LpmBuilder b;
    b.insert(P("172.16.0.0/12"), 1);
    b.insert(P("172.16.0.0/16"), 2);
    b.insert(P("172.16.0.0/24"), 3);
    b.insert(P("172.31.0.0/16"), 4);  // ends where the /12 ends
    for (const LpmTable& t : all_tables(b)) {
        CHECK(t.lookup(A("172.16.0.0")) == 3u);
        CHECK(t.lookup(A("172.16.0.255")) == 3u);
        CHECK(t.lookup(A("172.16.1.0")) == 2u);
        CHECK(t.lookup(A("172.17.0.0")) == 1u);
        CHECK(t.lookup(A("172.30.255.255")) == 1u);
        CHECK(t.lookup(A("172.31.0.0")) == 4u);
        CHECK(t.lookup(A("172.31.255.255")) == 4u);
        CHECK(t.lookup(A("172.32.0.0")) == kNoRoute);
    }
}

TEST_CASE("Removing a route uncovers its parent", "[lpm]") {
    LpmBuilder b;
    b.insert(P("10.0.0.0/8"), 1);
    b.insert(P("10.1.0.0/16"), 2);
    CHECK(b.build().lookup(A("10.1.0.1")) == 2u);
    CHECK(b.remove(P("10.1.0.0/16")));
    CHECK_FALSE(b.remove(P("10.1.0.0/16")));
    CHECK_FALSE(b.remove(P("10.0.0.0/9")));  // not a route, even though it overlaps one
    CHECK(b.size() == 1);
    for (const LpmTable& t : all_tables(b)) CHECK(t.lookup(A("10.1.0.1")) == 1u);
    CHECK(b.remove(P("10.0.0.0/8")));
    CHECK(b.build().lookup(A("10.1.0.1")) == kNoRoute);
}

TEST_CASE("Inserting a prefix again replaces its next hop", "[lpm]") {
    LpmBuilder b;
    CHECK(b.insert(P("198.51.100.0/24"), 1));
    CHECK_FALSE(b.insert(P("198.51.100.0/24"), 2));
    // Host bits are ignored, so this is the same prefix too.
    CHECK_FALSE(b.insert(Ipv4Prefix{Ipv4Address(198, 51, 100, 77), 24}, 3));
    CHECK(b.size() == 1);
    CHECK(b.find(P("198.51.100.0/24")) == 3u);
    CHECK_FALSE(b.find(P("198.51.100.0/25")).has_value());
    for (const LpmTable& t : all_tables(b)) CHECK(t.lookup(A("198.51.100.9")) == 3u);
}

TEST_CASE("A route to kNoRoute punches a hole", "[lpm]") {
    LpmBuilder b;
    b.set_default(1);
    b.insert(P("192.168.0.0/16"), kNoRoute);
    b.insert(P("192.168.1.0/24"), 2);
    for (const LpmTable& t : all_tables(b)) {
        CHECK(t.lookup(A("192.167.255.255")) == 1u);
        CHECK(t.lookup(A("192.168.0.1")) == kNoRoute);
        CHECK(t.lookup(A("192.168.1.1")) == 2u);
        CHECK(t.lookup(A("192.169.0.0")) == 1u);
    }
}

TEST_CASE("Chunks of more than 16 ranges take the unbounded search", "[lpm]") {
    LpmBuilder b;
    for (unsigned i = 0; i < 100; ++i) b.insert(Ipv4Prefix(Ipv4Address(0x0a000000u + 2 * i), 32), i);
    const LpmTable t = b.build(16);
    CHECK(t.big_chunk_count() == 1);
    for (unsigned i = 0; i < 100; ++i) {
        CHECK(t.lookup(0x0a000000u + 2 * i) == i);
        CHECK(t.lookup(0x0a000000u + 2 * i + 1) == kNoRoute);
    }
}

TEST_CASE("Batch lookup matches single lookups", "[lpm]") {
    LpmBuilder b;
    b.insert(P("10.0.0.0/8"), 1);
    b.insert(P("10.1.2.0/24"), 2);
    const LpmTable t = b.build();
    const std::vector<std::uint32_t> keys = {A("10.1.2.3"), A("10.9.9.9"), A("11.0.0.0"), 0u};
    std::vector<NextHopId> out(keys.size(), 12345);
    t.lookup_batch(keys, out);
    CHECK(out == std::vector<NextHopId>{2, 1, kNoRoute, kNoRoute});
}

TEST_CASE("Range expansion merges equal neighbours and covers the space", "[lpm]") {
    const std::vector<Route> routes = {{P("10.0.0.0/8"), 1}, {P("10.0.0.0/9"), 1}, {P("10.128.0.0/9"), 2}};
    const std::vector<Range> ranges = expand_to_ranges(routes);
    CHECK(ranges == std::vector<Range>{{0, kNoRoute}, {A("10.0.0.0"), 1}, {A("10.128.0.0"), 2}, {A("11.0.0.0"), kNoRoute}});
    CHECK(expand_to_ranges({}) == std::vector<Range>{{0, kNoRoute}});
}

TEST_CASE("Auto D grows with the table and stops at 16", "[lpm]") {
    CHECK(LpmBuilder::auto_direct_bits(0) == 2);
    CHECK(LpmBuilder::auto_direct_bits(16) == 7);
    CHECK(LpmBuilder::auto_direct_bits(1000) == 12);
    CHECK(LpmBuilder::auto_direct_bits(4000) == 12);
    CHECK(LpmBuilder::auto_direct_bits(10000) == 13);
    CHECK(LpmBuilder::auto_direct_bits(30000) == 14);
    CHECK(LpmBuilder::auto_direct_bits(65536) == 16);
    CHECK(LpmBuilder::auto_direct_bits(100000) == 16);
    CHECK(LpmBuilder::auto_direct_bits(1000000) == 16);
    LpmBuilder b;
    b.insert(P("10.0.0.0/8"), 1);
    CHECK(b.build().memory_bytes() < 1024);
}

TEST_CASE("Narrow ranges need D >= 16 and next-hop ids below 0x8000", "[lpm]") {
    LpmBuilder b;
    b.insert(P("10.0.0.0/8"), 1);
    b.insert(P("10.1.2.0/24"), LpmTable::kNarrowHopLimit - 1);
    b.insert(P("10.1.3.0/24"), kNoRoute);
    CHECK(b.build(16).narrow());
    CHECK(b.build(20).narrow());
    CHECK_FALSE(b.build(15).narrow());
    for (unsigned d : {15u, 16u, 20u}) {
        const LpmTable t = b.build(d);
        CHECK(t.lookup(A("10.1.2.9")) == LpmTable::kNarrowHopLimit - 1);
        CHECK(t.lookup(A("10.1.3.9")) == kNoRoute);
        CHECK(t.lookup(A("10.1.4.0")) == 1u);
    }
    b.insert(P("10.1.4.0/24"), LpmTable::kNarrowHopLimit);
    const LpmTable wide = b.build(16);
    CHECK_FALSE(wide.narrow());
    CHECK(wide.lookup(A("10.1.4.0")) == LpmTable::kNarrowHopLimit);
    CHECK(wide.lookup(A("10.1.2.9")) == LpmTable::kNarrowHopLimit - 1);
    b.insert(P("10.1.5.0/24"), kNoRoute - 1);
    CHECK(b.build(16).lookup(A("10.1.5.5")) == kNoRoute - 1);
}

TEST_CASE("Search steps follow the largest chunk", "[lpm]") {
    LpmBuilder b;
    b.insert(P("10.0.0.0/8"), 1);
    CHECK(b.build(8).search_steps() == 0);   // every chunk is one range
    CHECK(b.build(16).search_steps() == 0);
    b.insert(P("10.0.0.0/24"), 2);
    CHECK(b.build(16).search_steps() == 1);  // [10.0.0.0, 10.0.1.0)
    b.insert(P("10.0.2.0/24"), 3);
    CHECK(b.build(16).search_steps() == 2);  // four ranges
}
