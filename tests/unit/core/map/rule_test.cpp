#include <catch2/catch.hpp>

#include "core/map/rule.hpp"
#include "tests/unit/core/map/map_vectors.hpp"

using namespace s46;
using namespace s46::map;
using namespace s46::map::test;

TEST_CASE("a valid rule validates to itself", "[map]") {
    auto r = validate(example1_rule());
    REQUIRE(r.ok());
    CHECK(*r == example1_rule());
    CHECK(r->ea_psid_bits() == 8);
    CHECK(r->ea_ipv4_bits() == 8);
    CHECK(to_string(*r) == "2001:db8::/40 192.0.2.0/24 ea-len 16");
}

TEST_CASE("rule rejections name the field", "[map][rejection]") {
    struct Case {
        const char* field;  // what the error must name
        Rule rule;
    };
    std::vector<Case> cases;
    auto add = [&](const char* field, auto edit) {
        Rule r = example1_rule();
        edit(r);
        cases.push_back({field, r});
    };
    add("prefix6-len 129", [](Rule& r) { r.ipv6_prefix.length = 129; });
    add("prefix4-len 33", [](Rule& r) { r.ipv4_prefix.length = 33; });
    add("ipv6-prefix", [](Rule& r) { r.ipv6_prefix.address = v6("2001:db8:0:1::"); });      // host bits past /40
    add("ipv4-prefix", [](Rule& r) { r.ipv4_prefix.address = v4("192.0.2.1"); });          // host bits past /24
    add("ea-len 49", [](Rule& r) { r.ea_len = 49; });
    add("ea-len 48 after prefix6-len 96", [](Rule& r) { r.ipv6_prefix = p6("2001:db8::/96"); r.ea_len = 48; });
    add("ea-len 20 with prefix4-len 32", [](Rule& r) { r.ipv4_prefix = p4("192.0.2.18/32"); r.ea_len = 20; });
    add("offset 16", [](Rule& r) { r.psid_offset = 16; });
    add("PSID-len 0", [](Rule& r) { r.explicit_psid = ExplicitPsid{0, 0}; });
    add("PSID-len 17", [](Rule& r) { r.explicit_psid = ExplicitPsid{17, 0}; });
    add("PSID 16", [](Rule& r) { r.explicit_psid = ExplicitPsid{4, 16}; });
    add("offset 10 + PSID-len 8", [](Rule& r) { r.psid_offset = 10; r.explicit_psid = ExplicitPsid{8, 1}; });
    add("offset 9 + PSID-len 8 (from ea-len and prefix4-len)", [](Rule& r) { r.psid_offset = 9; });  // q = 8 from EA
    for (const auto& c : cases) {
        INFO(c.field);
        auto r = validate(c.rule);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error(), Catch::Contains(c.field));
    }
}

TEST_CASE("bounds that are allowed stay allowed", "[map]") {
    Rule r = example1_rule();
    r.ipv4_prefix = p4("0.0.0.0/0");
    r.ipv6_prefix = p6("2001:db8::/32");
    r.ea_len = 48;         // r = 0, o = 48: k = 16
    r.psid_offset = 0;     // ...which only a = 0 leaves room for
    CHECK(validate(r).ok());
    r.psid_offset = 1;
    CHECK_FALSE(validate(r).ok());

    Rule explicit_only = example1_rule();
    explicit_only.ipv4_prefix = p4("192.0.2.18/32");
    explicit_only.ea_len = 0;
    explicit_only.psid_offset = 0;
    explicit_only.explicit_psid = ExplicitPsid{16, 65535};
    CHECK(validate(explicit_only).ok());
}

TEST_CASE("from_provision: rule-level port parameters win over the container's", "[map]") {
    provision::Rule pr;
    pr.forwarding = true;
    pr.ea_len = 16;
    pr.ipv4_prefix = p4("192.0.2.0/24");
    pr.ipv6_prefix = p6("2001:db8::/40");

    auto bare = from_provision(pr, std::nullopt);
    REQUIRE(bare.ok());
    CHECK(bare->forwarding);
    CHECK_FALSE(bare->psid_offset);
    CHECK_FALSE(bare->explicit_psid);

    auto from_container = from_provision(pr, provision::PortParams{4, 0, 0});
    REQUIRE(from_container.ok());
    CHECK(from_container->psid_offset == std::optional<std::uint8_t>(4));
    CHECK_FALSE(from_container->explicit_psid);  // PSID-len 0: the PSID field is ignored (RFC 7598 §4.5)

    pr.port_params = provision::PortParams{0, 8, 0x34};
    auto own = from_provision(pr, provision::PortParams{4, 0, 0});
    REQUIRE(own.ok());
    CHECK(own->psid_offset == std::optional<std::uint8_t>(0));
    REQUIRE(own->explicit_psid);
    CHECK(*own->explicit_psid == ExplicitPsid{8, 0x34});

    pr.port_params = provision::PortParams{12, 8, 1};  // a + k > 16
    auto bad = from_provision(pr, std::nullopt);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error(), Catch::Contains("offset 12 + PSID-len 8"));
}
