#include <catch2/catch.hpp>

#include "core/map/derivation.hpp"
#include "core/map/forwarding.hpp"
#include "core/map/map_address.hpp"
#include "tests/unit/core/map/map_vectors.hpp"

using namespace s46;
using namespace s46::map;
using namespace s46::map::test;

namespace {

// "2001:db8::/40 192.0.2.0/24 ea=16", the vectors' way of naming the rule that was used.
std::string vector_rule_name(const Rule& r) {
    return r.ipv6_prefix.to_string() + " " + r.ipv4_prefix.to_string() + " ea=" + std::to_string(r.ea_len);
}

Rule example1_fmr() {
    Rule r = example1_rule();
    r.forwarding = true;
    return r;
}

}  // namespace

TEST_CASE("forwarding_vectors from map.json", "[map][vectors][rfc7597]") {
    const auto& rows = map_vectors().at("forwarding_vectors");
    REQUIRE(rows.size() >= 6);
    for (const auto& row : rows) {
        const std::string id = row.at("id");
        INFO(id);
        const auto& in = row.at("input");
        std::vector<Rule> rules;
        for (const auto& f : in.at("fmrs")) {
            rules.push_back(rule_from_notation(f.get<std::string>()));
            REQUIRE(validate(rules.back()).ok());
        }
        const auto dst = v4(in.at("dst_ipv4"));
        const auto port = in.at("dst_port").get<std::uint16_t>();
        auto hop = next_hop(rules, v6(in.at("br")), dst, port, kMapEDefaultPsidOffset);
        REQUIRE(hop.ok());
        const auto fmr = select_fmr(rules, dst, port, kMapEDefaultPsidOffset);
        CHECK(fmr.has_value() == (hop->via == NextHop::Via::fmr));
        auto check = [&](const nlohmann::json& obj, const char* which) {
            for (const auto& [key, value] : obj.items()) {
                INFO(which << "." << key);
                if (key == "ipv6_dst") CHECK(hop->address.to_string() == value.get<std::string>());
                else if (key == "next_hop") {
                    const std::string v = value;
                    REQUIRE((v == "BR" || v == "CE (FMR)"));
                    CHECK(hop->via == (v == "BR" ? NextHop::Via::remote : NextHop::Via::fmr));
                } else if (key == "rule") {
                    REQUIRE(fmr);
                    CHECK(vector_rule_name(rules[*fmr]) == value.get<std::string>());
                } else FAIL("unhandled key " << key);
            }
        };
        check(row.at("expected"), "expected");
        check(row.at("computed"), "computed");
    }
}

TEST_CASE("FMR choice is the longest IPv4 match, not the first listed", "[map][rfc7597]") {
    Rule wide;  // 192.0.0.0/16, o = 24: q = 8
    wide.ipv6_prefix = p6("2001:db8::/40");
    wide.ipv4_prefix = p4("192.0.0.0/16");
    wide.ea_len = 24;
    wide.forwarding = true;
    std::vector<Rule> rules{wide, example1_fmr()};
    CHECK(select_fmr(rules, v4("192.0.2.18"), 1232, kMapEDefaultPsidOffset) == std::optional<std::size_t>(1));
    CHECK(select_fmr(rules, v4("192.0.3.18"), 1232, kMapEDefaultPsidOffset) == std::optional<std::size_t>(0));
    CHECK_FALSE(select_fmr(rules, v4("198.51.100.1"), 1232, kMapEDefaultPsidOffset));

    // The /16 rule on its own, worked by hand: EA = 0x0212 (address bits after /16) | PSID 0x34
    // (port 1232, a = 6, q = 8) = 0x021234 at bit 40; IID = 0 | 192.0.2.18 | 0x34.
    // (map.json's note on lpm-two-fmrs calls this a full address ending :0; with o + r = 40 > 32
    // it is shared, so the PSID is in the IID.)
    std::vector<Rule> only_wide{wide};
    auto hop = next_hop(only_wide, v6("2001:db8:ffff::1"), v4("192.0.2.18"), 1232, kMapEDefaultPsidOffset);
    REQUIRE(hop.ok());
    CHECK(hop->address.to_string() == "2001:db8:2:1234:0:c000:212:34");

    // Rules without the F flag never forward, however well they match (hub-and-spoke).
    rules[1].forwarding = false;
    CHECK(select_fmr(rules, v4("192.0.2.18"), 1232, kMapEDefaultPsidOffset) == std::optional<std::size_t>(0));
}

TEST_CASE("a single-CE rule with an explicit PSID is a port-aware route (App. A Ex. 5)", "[map][rfc7597]") {
    Rule ce;
    ce.ipv6_prefix = p6("2001:db8:12:3400::/56");
    ce.ipv4_prefix = p4("192.0.2.18/32");
    ce.ea_len = 0;
    ce.psid_offset = 6;
    ce.explicit_psid = ExplicitPsid{8, 0x34};
    ce.forwarding = true;
    REQUIRE(validate(ce).ok());
    std::vector<Rule> rules{ce};
    const auto br = v6("2001:db8:ffff::1");
    auto in_set = next_hop(rules, br, v4("192.0.2.18"), 1232, kMapEDefaultPsidOffset);
    REQUIRE(in_set.ok());
    CHECK(in_set->via == NextHop::Via::fmr);
    CHECK(in_set->address.to_string() == "2001:db8:12:3400:0:c000:212:34");
    auto other_psid = next_hop(rules, br, v4("192.0.2.18"), 1236, kMapEDefaultPsidOffset);
    REQUIRE(other_psid.ok());
    CHECK(other_psid->via == NextHop::Via::remote);
    CHECK(other_psid->address == br);
}

TEST_CASE("forwarding inverts derivation: every port of every CE leads to that CE", "[map][property][rfc7597]") {
    // For each of the 256 CEs sharing 192.0.2.18 under App. A Ex. 1 (and for other offsets), a
    // packet to any of its ports is sent to exactly its MAP address; and derived == computed for
    // CEs whose address is not shared.
    for (std::uint8_t offset : {std::uint8_t{0}, std::uint8_t{4}, std::uint8_t{6}}) {
        Rule rule = example1_fmr();
        rule.psid_offset = offset;
        std::vector<Rule> rules{rule};
        unsigned mismatches = 0, checked = 0;
        for (unsigned low = 0; low < 256; ++low) {
            const auto eup = example1_end_user_prefix(low);
            auto b = derive_binding(rule, eup, kMapEDefaultPsidOffset);
            REQUIRE(b.ok());
            const auto mine = map_ipv6_address(eup, *b);
            b->ports.for_each_port([&](std::uint16_t port) {
                auto hop = next_hop(rules, v6("2001:db8:ffff::1"), b->ipv4.address, port, kMapEDefaultPsidOffset);
                ++checked;
                if (!hop.ok() || hop->via != NextHop::Via::fmr || hop->address != mine) ++mismatches;
            });
        }
        INFO("offset " << unsigned{offset});
        CHECK(mismatches == 0);
        CHECK(checked == 256u * PortSet::make(offset, 8, 0)->port_count());
    }

    Rule prefix_rule;  // o + r < 32: CEs own prefixes; any address inside one leads to its CE
    prefix_rule.ipv6_prefix = p6("2001:db8::/32");
    prefix_rule.ipv4_prefix = p4("20.0.0.0/8");
    prefix_rule.ea_len = 7;
    prefix_rule.forwarding = true;
    std::vector<Rule> rules{prefix_rule};
    unsigned mismatches = 0;
    for (unsigned ea = 0; ea < 128; ++ea) {
        net::Ipv6Address a = v6("2001:db8::");
        a.set_bits(32, 7, ea);
        const net::Ipv6Prefix eup(a, 39);
        auto b = derive_binding(prefix_rule, eup, kMapEDefaultPsidOffset);
        REQUIRE(b.ok());
        for (std::uint32_t host : {0u, 1u, 0x1ffffu}) {
            auto hop = next_hop(rules, v6("2001:db8:ffff::1"), net::Ipv4Address(b->ipv4.address.value | host), 80, kMapEDefaultPsidOffset);
            if (!hop.ok() || hop->address != map_ipv6_address(eup, *b)) ++mismatches;
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("forwarding rejection names the offset that leaves no room for the PSID", "[map][rejection]") {
    Rule wide;  // r = 0, o = 48: q = 16, so only a = 0 works
    wide.ipv6_prefix = p6("2001:db8::/32");
    wide.ipv4_prefix = p4("0.0.0.0/0");
    wide.ea_len = 48;
    wide.forwarding = true;
    std::vector<Rule> rules{wide};
    auto hop = next_hop(rules, v6("2001:db8:ffff::1"), v4("192.0.2.18"), 1232, kMapEDefaultPsidOffset);
    REQUIRE_FALSE(hop.ok());
    CHECK_THAT(hop.error(), Catch::Contains("offset 6 + PSID-len 16"));
    auto fine = next_hop(rules, v6("2001:db8:ffff::1"), v4("192.0.2.18"), 1232, kLw4o6DefaultPsidOffset);
    REQUIRE(fine.ok());
    // EA = c0000212 | 04d0 (port 1232 is its own PSID with a = 0, k = 16) at bit 32.
    CHECK(fine->address.to_string() == "2001:db8:c000:212:4d0:c000:212:4d0");
}

TEST_CASE("routes_by_port: which FMRs need the destination port", "[map]") {
    Rule r = example1_fmr();
    CHECK(routes_by_port(r));  // o + r = 40 > 32: the EA bits carry a PSID
    r.ea_len = 8;
    CHECK_FALSE(routes_by_port(r));  // full addresses
    r.explicit_psid = ExplicitPsid{8, 0x34};
    CHECK(routes_by_port(r));  // one CE's explicit PSID on a full address (App. A Ex. 5 shape)
    r.ea_len = 4;
    CHECK_FALSE(routes_by_port(r));  // prefixes: the explicit PSID is discarded
}
