#include <catch2/catch.hpp>

#include <cstdio>
#include <set>

#include "core/map/bmr.hpp"
#include "core/map/derivation.hpp"
#include "core/map/map_address.hpp"
#include "tests/unit/core/map/map_vectors.hpp"

using namespace s46;
using namespace s46::map;
using namespace s46::map::test;

namespace {

std::string hex(unsigned v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

// Checks one key of a vector's expected/computed object against a derived binding.
// Returns false for keys this checker does not know.
bool check_binding_key(const std::string& key, const nlohmann::json& value, const CeBinding& b, const net::Ipv6Address& map_address) {
    const bool shared = b.kind == Ipv4Kind::shared_address;
    auto texts = range_texts(b.ports.ranges());
    if (key == "kind") CHECK(to_string(b.kind) == value.get<std::string>());
    else if (key == "ipv4") CHECK(b.ipv4.address.to_string() == value.get<std::string>());
    else if (key == "ipv4_len") CHECK(unsigned{b.ipv4.length} == value.get<unsigned>());
    else if (key == "psid") CHECK(b.ports.psid() == value.get<unsigned>());
    else if (key == "psid_hex") CHECK(hex(b.ports.psid()) == value.get<std::string>());
    else if (key == "psid_len") CHECK(b.ports.psid_len() == value.get<unsigned>());
    else if (key == "offset") {
        // null: the address is not shared, so there is no port-set offset.
        if (value.is_null()) CHECK_FALSE(shared);
        else { CHECK(shared); CHECK(b.ports.offset() == value.get<unsigned>()); }
    } else if (key == "ea_bits") CHECK(b.ea_bits == value.get<std::uint64_t>());
    else if (key == "port_ranges_count") CHECK(texts.size() == value.get<std::size_t>());
    else if (key == "ports_per_range") CHECK((1u << b.ports.contiguous_bits()) == value.get<unsigned>());
    else if (key == "total_ports") CHECK(b.ports.port_count() == value.get<unsigned>());
    else if (key == "first_ranges") CHECK(head(texts, value.size()) == value.get<std::vector<std::string>>());
    else if (key == "last_ranges") CHECK(tail(texts, value.size()) == value.get<std::vector<std::string>>());
    else if (key == "map_ipv6_address") CHECK(map_address.to_string() == value.get<std::string>());
    else if (key == "notes") {
        // Free text: the same notes, each saying the same thing up to its citation.
        REQUIRE(b.notes.size() == value.size());
        for (std::size_t i = 0; i < b.notes.size(); ++i) {
            const std::string note = value[i];
            CHECK_THAT(b.notes[i], Catch::Contains(note.substr(0, note.find(':'))));
        }
    }
    else return false;
    return true;
}

}  // namespace

TEST_CASE("map_bmr_vectors from map.json", "[map][vectors][rfc7597][rfc7598]") {
    const auto& rows = map_vectors().at("map_bmr_vectors");
    REQUIRE(rows.size() >= 8);
    std::size_t derivation_rows = 0, lw4o6_rows = 0;
    for (const auto& row : rows) {
        const std::string id = row.at("id");
        INFO(id);
        const auto& in = row.at("input");
        const auto& exp = row.at("expected");

        if (in.contains("bind_prefix")) {  // lw4o6: RFC 7596 §5.1
            ++lw4o6_rows;
            std::vector<net::Ipv6Prefix> active{p6(in.at("delegated_prefix"))};
            auto ports = PortSet::make(in.at("offset"), in.at("psid_len"), in.at("psid"));
            REQUIRE(ports.ok());
            auto b4 = lw4o6_tunnel_source(p6(in.at("bind_prefix")), active, v4(in.at("bind_ipv4")), ports->psid());
            REQUIRE(b4.ok());
            for (const auto& [key, value] : exp.items()) {
                INFO(key);
                if (key == "b4_ipv6_address") CHECK(b4->to_string() == value.get<std::string>());
                else if (key == "port_ranges") CHECK(range_texts(ports->ranges()) == value.get<std::vector<std::string>>());
                else FAIL("unhandled expected key " << key);
            }
            CHECK(ports->range_count() == row.at("computed").at("port_ranges_count").get<unsigned>());
            continue;
        }

        ++derivation_rows;
        Rule rule = rule_from_json(in.at("rule"));
        REQUIRE(validate(rule).ok());
        auto eup = p6(in.at("end_user_prefix"));
        auto binding = derive_binding(rule, eup, in.at("default_psid_offset").get<std::uint8_t>());

        if (exp.contains("error")) {
            REQUIRE_FALSE(binding.ok());
            // The vector's message ends in a parenthesised citation whose spelling may differ ("5.2" vs "§5.2").
            std::string what = exp.at("error").get<std::string>();
            what = what.substr(0, what.find(" ("));
            CHECK_THAT(binding.error(), Catch::Contains(what));
            // The same rule offered as the only candidate: BMR selection reports the same reason.
            auto choice = select_bmr(std::span<const Rule>(&rule, 1), eup, in.at("default_psid_offset").get<std::uint8_t>());
            REQUIRE_FALSE(choice.ok());
            CHECK_THAT(choice.error(), Catch::Contains(what));
            continue;
        }
        REQUIRE(binding.ok());
        const auto address = map_ipv6_address(eup, *binding);
        for (const auto& [key, value] : exp.items()) {
            INFO("expected." << key);
            if (!check_binding_key(key, value, *binding, address)) FAIL("unhandled expected key " << key);
        }
        // The generator's full output: every field this checker knows must agree too.
        for (const auto& [key, value] : row.at("computed").items()) {
            INFO("computed." << key);
            if (key == "ea_len") CHECK(unsigned{rule.ea_len} == value.get<unsigned>());
            else if (!check_binding_key(key, value, *binding, address)) FAIL("unhandled computed key " << key);
        }
    }
    CHECK(derivation_rows >= 7);
    CHECK(lw4o6_rows >= 1);
}

TEST_CASE("derivation: the three IPv4 cases of RFC 7597 §5.2", "[map][rfc7597]") {
    Rule rule;
    rule.ipv6_prefix = p6("2001:db8::/40");
    rule.ipv4_prefix = p4("192.0.2.0/24");

    SECTION("o + r < 32: a prefix; an explicit PSID is discarded (RFC 7598 §4.5)") {
        rule.ea_len = 4;
        rule.explicit_psid = ExplicitPsid{4, 3};
        auto b = derive_binding(rule, p6("2001:db8:a0::/44"), kMapEDefaultPsidOffset);
        REQUIRE(b.ok());
        CHECK(b->kind == Ipv4Kind::prefix);
        CHECK(b->ipv4.to_string() == "192.0.2.160/28");
        CHECK(b->ports == PortSet::all());
        REQUIRE(b->notes.size() == 1);
        CHECK_THAT(b->notes[0], Catch::Contains("explicit PSID discarded"));
    }
    SECTION("o + r = 32: a full address, every port") {
        rule.ea_len = 8;
        auto b = derive_binding(rule, p6("2001:db8:ff::/48"), kMapEDefaultPsidOffset);
        REQUIRE(b.ok());
        CHECK(b->kind == Ipv4Kind::full_address);
        CHECK(b->ipv4.to_string() == "192.0.2.255/32");
        CHECK(b->ports.port_count() == 65536);
    }
    SECTION("o + r = 32 with an explicit PSID: shared, PSID and k from PORTPARAMS") {
        rule.ea_len = 8;
        rule.psid_offset = 4;
        rule.explicit_psid = ExplicitPsid{6, 9};
        auto b = derive_binding(rule, p6("2001:db8:ff::/48"), kMapEDefaultPsidOffset);
        REQUIRE(b.ok());
        CHECK(b->kind == Ipv4Kind::shared_address);
        CHECK(b->ports.offset() == 4);
        CHECK(b->ports.psid_len() == 6);
        CHECK(b->ports.psid() == 9);
        CHECK(b->notes.empty());
    }
    SECTION("o + r > 32: shared address, PSID from the low q EA bits") {
        rule.ea_len = 12;  // q = 4
        auto b = derive_binding(rule, p6("2001:db8:12:3000::/52"), kMapEDefaultPsidOffset);
        REQUIRE(b.ok());
        CHECK(b->kind == Ipv4Kind::shared_address);
        CHECK(b->ipv4.to_string() == "192.0.2.18/32");
        CHECK(b->ports.psid_len() == 4);
        CHECK(b->ports.psid() == 3);
        CHECK(b->ports.offset() == 6);
    }
    SECTION("o + r > 32 with an explicit PSID: the CE's own binding uses it, a peer reads the EA bits") {
        rule.ea_len = 12;
        rule.explicit_psid = ExplicitPsid{8, 0x34};
        auto own = derive_binding(rule, p6("2001:db8:12:3000::/52"), kMapEDefaultPsidOffset);
        REQUIRE(own.ok());
        CHECK(own->ports.psid_len() == 8);
        CHECK(own->ports.psid() == 0x34);
        REQUIRE(own->notes.size() == 1);
        CHECK_THAT(own->notes[0], Catch::Contains("overrides the 4-bit PSID"));
        auto peer = binding_from_ea(rule, 0x123, kMapEDefaultPsidOffset, Perspective::peer);
        REQUIRE(peer.ok());
        CHECK(peer->ports.psid_len() == 4);
        CHECK(peer->ports.psid() == 3);
    }
    SECTION("the default offset is a parameter: lw4o6 uses 0") {
        rule.ea_len = 12;
        auto b = derive_binding(rule, p6("2001:db8:12:3000::/52"), kLw4o6DefaultPsidOffset);
        REQUIRE(b.ok());
        CHECK(b->ports.offset() == 0);
        CHECK(range_texts(b->ports.ranges()) == std::vector<std::string>{"12288-16383"});
    }
    SECTION("r = 0: the whole address is in the EA bits") {
        rule.ipv4_prefix = p4("0.0.0.0/0");
        rule.ea_len = 32;
        rule.ipv6_prefix = p6("2001:db8::/32");
        auto b = derive_binding(rule, p6("2001:db8:c000:212::/64"), kMapEDefaultPsidOffset);
        REQUIRE(b.ok());
        CHECK(b->kind == Ipv4Kind::full_address);
        CHECK(b->ipv4.to_string() == "192.0.2.18/32");
    }
}

TEST_CASE("CEs that derive the same shared address get disjoint port sets", "[map][property][rfc7597]") {
    // App. A Ex. 1 rule: the 256 End-user prefixes 2001:db8:12:XX00::/56 all map to 192.0.2.18.
    const Rule rule = example1_rule();
    std::vector<std::uint8_t> owners(65536, 0);
    std::set<std::uint16_t> psids;
    for (unsigned low = 0; low < 256; ++low) {
        auto b = derive_binding(rule, example1_end_user_prefix(low), kMapEDefaultPsidOffset);
        REQUIRE(b.ok());
        REQUIRE(b->ipv4.address == v4("192.0.2.18"));
        psids.insert(b->ports.psid());
        b->ports.for_each_port([&](std::uint16_t p) { ++owners[p]; });
    }
    CHECK(psids.size() == 256);
    unsigned shared = 0, free_above_1023 = 0;
    for (unsigned p = 0; p < 65536; ++p) {
        if (owners[p] > 1) ++shared;
        if (p >= 1024 && owners[p] == 0) ++free_above_1023;
    }
    CHECK(shared == 0);
    CHECK(free_above_1023 == 0);
}

TEST_CASE("derivation and BMR rejections name the field", "[map][rejection]") {
    const Rule rule = example1_rule();

    auto outside = derive_binding(rule, p6("2001:db9::/56"), kMapEDefaultPsidOffset);
    REQUIRE_FALSE(outside.ok());
    CHECK_THAT(outside.error(), Catch::Contains("not inside the rule's ipv6-prefix"));

    auto too_short = derive_binding(rule, p6("2001:db8:12::/48"), kMapEDefaultPsidOffset);
    REQUIRE_FALSE(too_short.ok());
    CHECK_THAT(too_short.error(), Catch::Contains("n+o exceeds End-user prefix length"));
    CHECK_THAT(too_short.error(), Catch::Contains("prefix6-len 40 + ea-len 16"));

    Rule wide = rule;  // o = 48, r = 0: k = 16, which the default offset 6 leaves no room for
    wide.ipv4_prefix = p4("0.0.0.0/0");
    wide.ipv6_prefix = p6("2001:db8::/32");
    wide.ea_len = 48;
    auto no_room = derive_binding(wide, p6("2001:db8::/80"), kMapEDefaultPsidOffset);
    REQUIRE_FALSE(no_room.ok());
    CHECK_THAT(no_room.error(), Catch::Contains("offset 6 + PSID-len 16"));
    CHECK_THAT(no_room.error(), Catch::Contains("default offset"));
    CHECK(derive_binding(wide, p6("2001:db8::/80"), kLw4o6DefaultPsidOffset).ok());

    std::vector<Rule> rules{rule};
    auto none = select_bmr(rules, p6("2001:db9::/56"), kMapEDefaultPsidOffset);
    REQUIRE_FALSE(none.ok());
    CHECK_THAT(none.error(), Catch::Contains("no rule's ipv6-prefix contains End-user prefix 2001:db9::/56"));
}

TEST_CASE("BMR selection: longest usable IPv6 match", "[map][rfc7597]") {
    Rule short_rule;
    short_rule.ipv6_prefix = p6("2001:db8::/32");
    short_rule.ipv4_prefix = p4("198.51.100.0/24");
    short_rule.ea_len = 16;  // n + o = 48
    const Rule long_rule = example1_rule();  // n + o = 56
    Rule elsewhere;
    elsewhere.ipv6_prefix = p6("2001:db8:ff00::/40");
    elsewhere.ipv4_prefix = p4("203.0.113.0/24");
    elsewhere.ea_len = 16;
    std::vector<Rule> rules{short_rule, elsewhere, long_rule};

    auto choice = select_bmr(rules, p6("2001:db8:12:3400::/56"), kMapEDefaultPsidOffset);
    REQUIRE(choice.ok());
    CHECK(choice->index == 2);
    CHECK(choice->binding.ipv4.address == v4("192.0.2.18"));

    // A /48 is too short for the /40 rule (n + o = 56) but fits the /32 one: the usable rule serves.
    auto fallback = select_bmr(rules, p6("2001:db8:12::/48"), kMapEDefaultPsidOffset);
    REQUIRE(fallback.ok());
    CHECK(fallback->index == 0);
    CHECK(fallback->binding.ipv4.address == v4("198.51.100.0"));

    // Only the /40 rule matches and it is unusable: the error says why.
    std::vector<Rule> only_long{long_rule};
    auto unusable = select_bmr(only_long, p6("2001:db8:12::/48"), kMapEDefaultPsidOffset);
    REQUIRE_FALSE(unusable.ok());
    CHECK_THAT(unusable.error(), Catch::Contains("n+o exceeds End-user prefix length"));

    // Equal lengths: the first rule listed wins.
    Rule twin = long_rule;
    twin.ipv4_prefix = p4("203.0.113.0/24");
    std::vector<Rule> twins{twin, long_rule};
    auto tie = select_bmr(twins, p6("2001:db8:12:3400::/56"), kMapEDefaultPsidOffset);
    REQUIRE(tie.ok());
    CHECK(tie->index == 0);
}
