#include <catch2/catch.hpp>

#include <vector>

#include "core/map/port_set.hpp"
#include "tests/unit/core/map/map_vectors.hpp"

using namespace s46::map;
using namespace s46::map::test;

namespace {

// Independent reference for membership: split the port with division instead of shifts and masks.
bool reference_owns(unsigned port, unsigned a, unsigned k, unsigned psid) {
    const unsigned block = 65536u >> a;           // 2^(16-a) ports share one value of A
    const unsigned m_size = 65536u >> (a + k);    // 2^m
    const unsigned field_a = port / block;
    const unsigned field_psid = (port % block) / m_size;
    return field_psid == psid && (a == 0 || field_a != 0);
}

}  // namespace

TEST_CASE("port_set_vectors from map.json", "[map][vectors][rfc7597]") {
    const auto& rows = map_vectors().at("port_set_vectors");
    REQUIRE(rows.size() >= 6);
    for (const auto& row : rows) {
        const std::string id = row.at("id");
        INFO(id);
        const auto& in = row.at("input");
        const auto& exp = row.at("expected");
        if (in.contains("port")) {
            // port -> PSID rows
            CHECK(PortSet::psid_of(in.at("port").get<std::uint16_t>(), in.at("a"), in.at("k")) == exp.at("psid").get<unsigned>());
            continue;
        }
        auto set = PortSet::make(in.at("a"), in.at("k"), in.at("psid"));
        REQUIRE(set.ok());
        CHECK(set->contiguous_bits() == in.at("m").get<unsigned>());
        auto texts = range_texts(set->ranges());
        for (const auto& [key, value] : exp.items()) {
            INFO(key);
            if (key == "first_ranges") CHECK(head(texts, value.size()) == value.get<std::vector<std::string>>());
            else if (key == "last_ranges") CHECK(tail(texts, value.size()) == value.get<std::vector<std::string>>());
            else if (key == "range_count") {
                CHECK(texts.size() == value.get<std::size_t>());
                CHECK(set->range_count() == value.get<unsigned>());
            } else FAIL("unhandled expected key " << key);
        }
        CHECK(set->port_count() == row.at("computed_total_ports").get<unsigned>());
    }
}

TEST_CASE("RFC 7597 App. A Ex. 1 port set: all 63 ranges", "[map][rfc7597]") {
    // a = 6, k = 8, PSID 0x34: range i (A = i, 1..63) starts at A*1024 + 0x34*4 and holds 4 ports.
    auto set = PortSet::make(6, 8, 0x34);
    REQUIRE(set.ok());
    auto ranges = set->ranges();
    REQUIRE(ranges.size() == 63);
    for (unsigned i = 0; i < 63; ++i) {
        INFO(i);
        CHECK(ranges[i].first == (i + 1) * 1024 + 0x34 * 4);
        CHECK(ranges[i].last == ranges[i].first + 3);
    }
    CHECK(set->port_count() == 252);
    CHECK(set->contains(1232));
    CHECK(set->contains(64723));
    CHECK_FALSE(set->contains(0x34 * 4));  // 208: A = 0 block, excluded by a > 0 (RFC 7597 §5.1)
    CHECK_FALSE(set->contains(1236));
}

TEST_CASE("every port of a set maps back to its PSID, and no port outside it does (exhaustive)", "[map][property]") {
    std::size_t combos = 0;
    for (unsigned a = 0; a <= 15; ++a) {
        for (unsigned k = 0; a + k <= 16; ++k) {
            const unsigned max_psid = (1u << k) - 1u;
            for (unsigned psid : {0u, 1u, max_psid / 2, max_psid / 3 + 1, max_psid}) {
                if (psid > max_psid) continue;
                auto set = PortSet::make(a, k, psid);
                REQUIRE(set.ok());
                ++combos;
                std::vector<bool> listed(65536, false);
                unsigned listed_count = 0, not_ascending = 0, wrong_psid = 0;
                int previous = -1;
                set->for_each_port([&](std::uint16_t p) {
                    if (int{p} <= previous) ++not_ascending;
                    previous = p;
                    listed[p] = true;
                    ++listed_count;
                    if (set->psid_of(p) != psid) ++wrong_psid;
                });
                unsigned contains_wrong = 0, reference_wrong = 0, psid_of_disagrees = 0;
                for (unsigned port = 0; port < 65536; ++port) {
                    const bool ref = reference_owns(port, a, k, psid);
                    const auto p16 = static_cast<std::uint16_t>(port);
                    if (set->contains(p16) != ref) ++contains_wrong;
                    if (listed[port] != ref) ++reference_wrong;
                    // The precomputed member and the static form are the same function of the port.
                    if (set->psid_of(p16) != PortSet::psid_of(p16, a, k)) ++psid_of_disagrees;
                }
                INFO("a=" << a << " k=" << k << " psid=" << psid);
                CHECK(not_ascending == 0);
                CHECK(wrong_psid == 0);
                CHECK(contains_wrong == 0);
                CHECK(reference_wrong == 0);
                CHECK(psid_of_disagrees == 0);
                CHECK(listed_count == set->port_count());
                CHECK(set->ranges().size() == set->range_count());
            }
        }
    }
    CHECK(combos > 500);
}

TEST_CASE("CEs sharing an address never share a port; together they cover every allowed port", "[map][property]") {
    for (unsigned a = 0; a <= 15; ++a) {
        for (unsigned k = 0; a + k <= 16; ++k) {
            std::vector<std::uint8_t> owners(65536, 0);
            for (unsigned psid = 0; psid < (1u << k); ++psid) {
                auto set = PortSet::make(a, k, psid);
                REQUIRE(set.ok());
                set->for_each_port([&](std::uint16_t p) { if (owners[p] < 255) ++owners[p]; });
            }
            const unsigned first_allowed = a == 0 ? 0u : 65536u >> a;
            unsigned shared = 0, orphaned = 0, excluded_owned = 0;
            for (unsigned port = 0; port < 65536; ++port) {
                if (owners[port] > 1) ++shared;
                if (port >= first_allowed && owners[port] == 0) ++orphaned;
                if (port < first_allowed && owners[port] != 0) ++excluded_owned;
            }
            INFO("a=" << a << " k=" << k);
            CHECK(shared == 0);
            CHECK(orphaned == 0);
            CHECK(excluded_owned == 0);
        }
    }
}

TEST_CASE("port set bounds: corner cases", "[map]") {
    auto all = PortSet::all();
    CHECK(all.port_count() == 65536);
    CHECK(all.contains(0));
    CHECK(all.contains(65535));
    CHECK(range_texts(all.ranges()) == std::vector<std::string>{"0-65535"});

    auto one = PortSet::make(0, 16, 4242);  // o = 48, r = 0 pins a single port (RFC 7597 §5.1: offset + PSID-len = 16)
    REQUIRE(one.ok());
    CHECK(one->port_count() == 1);
    CHECK(range_texts(one->ranges()) == std::vector<std::string>{"4242-4242"});

    auto no_share = PortSet::make(6, 0, 0);  // a > 0, k = 0: every port but 0-1023
    REQUIRE(no_share.ok());
    CHECK(no_share->port_count() == 64512);
    CHECK_FALSE(no_share->contains(1023));
    CHECK(no_share->contains(1024));

    auto top = PortSet::make(15, 1, 1);  // m = 0: single ports, 2^15 - 1 of them
    REQUIRE(top.ok());
    CHECK(top->port_count() == 32767);
    CHECK(top->ranges().front() == PortRange{3, 3});
    CHECK(top->ranges().back() == PortRange{65535, 65535});
}

TEST_CASE("port set rejections name the field", "[map][rejection]") {
    struct Row { unsigned a, k, psid; const char* field; };
    for (auto row : {Row{16, 0, 0, "offset 16"}, Row{0, 17, 0, "PSID-len 17"}, Row{6, 11, 0, "offset 6 + PSID-len 11"},
                     Row{0, 4, 16, "PSID 16"}, Row{0, 0, 1, "PSID 1"}}) {
        INFO(row.field);
        auto r = PortSet::make(row.a, row.k, row.psid);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error(), Catch::Contains(row.field));
    }
}
