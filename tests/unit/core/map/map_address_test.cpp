#include <catch2/catch.hpp>

#include "core/map/derivation.hpp"
#include "core/map/map_address.hpp"
#include "tests/unit/core/map/map_vectors.hpp"

using namespace s46;
using namespace s46::map;
using namespace s46::map::test;

TEST_CASE("MAP IPv6 address layouts (RFC 7597 §6 and draft-03)", "[map][rfc7597]") {
    const auto eup = p6("2001:db8:12:3400::/56");
    const auto ipv4 = v4("192.0.2.18");
    // RFC 7597 App. A Ex. 1: IID = 0000 | c000:0212 | 0034.
    CHECK(interface_id_address(eup, ipv4, 0x34).to_string() == "2001:db8:12:3400:0:c000:212:34");
    // draft-03 (mapcalc LEGACY=1: IPv4 at byte 9, PSID at bytes 13-14, byte 15 zero):
    // IID = 00 | c0 00 02 12 | 00 34 | 00.
    CHECK(interface_id_address(eup, ipv4, 0x34, IidLayout::draft03).to_string() == "2001:db8:12:3400:c0:2:1200:3400");
    // A /64 End-user prefix: the subnet-ID is empty and the IID follows directly.
    CHECK(interface_id_address(p6("2001:db8:1:2::/64"), ipv4, 0).to_string() == "2001:db8:1:2:0:c000:212:0");
}

TEST_CASE("an End-user prefix longer than /64 overwrites the top of the IID (RFC 7597 §6)", "[map][rfc7597]") {
    const auto ipv4 = v4("192.0.2.18");
    // /72: the first IID octet (otherwise zero) comes from the prefix.
    CHECK(interface_id_address(p6("2001:db8:1:2:ab00::/72"), ipv4, 0x34).to_string() == "2001:db8:1:2:ab00:c000:212:34");
    // /88: the prefix reaches into the IPv4 field, whose top octet it replaces.
    CHECK(interface_id_address(p6("2001:db8:1:2:ab:cd00::/88"), ipv4, 0x34).to_string() == "2001:db8:1:2:ab:cd00:212:34");
    // A whole /128 leaves nothing of the IID.
    CHECK(interface_id_address(p6("2001:db8::1/128"), ipv4, 0x34).to_string() == "2001:db8::1");
}

TEST_CASE("MAP address from a derived binding: prefix CEs carry the padded prefix and PSID 0", "[map][rfc7597]") {
    Rule rule;
    rule.ipv6_prefix = p6("2001:db8::/32");
    rule.ipv4_prefix = p4("20.0.0.0/8");
    rule.ea_len = 7;
    auto eup = p6("2001:db8:a800::/39");
    auto b = derive_binding(rule, eup, kMapEDefaultPsidOffset);
    REQUIRE(b.ok());
    CHECK(map_ipv6_address(eup, *b).to_string() == "2001:db8:a800::14a8:0:0");
    CHECK(map_ipv6_address(eup, *b, IidLayout::draft03).to_string() == "2001:db8:a800:0:14:a800::");
}

TEST_CASE("lw4o6 tunnel source: longest active prefix matching the bind prefix (RFC 7596 §5.1)", "[map][rfc7596]") {
    const auto ipv4 = v4("192.0.2.18");
    std::vector<net::Ipv6Prefix> active{p6("2001:db8::/32"), p6("2001:db8:12:3400::/56"), p6("2001:db8:99::/48")};

    // The bind prefix equals the delegated /56; the covering /32 also matches but is shorter.
    auto exact = lw4o6_tunnel_source(p6("2001:db8:12:3400::/56"), active, ipv4, 0x34);
    REQUIRE(exact.ok());
    CHECK(exact->to_string() == "2001:db8:12:3400:0:c000:212:34");

    // A shorter bind prefix selects the active prefix inside it.
    auto covering = lw4o6_tunnel_source(p6("2001:db8:98::/47"), active, ipv4, 0);
    REQUIRE(covering.ok());
    CHECK(covering->to_string() == "2001:db8:99::c000:212:0");

    auto none = lw4o6_tunnel_source(p6("2001:db9::/48"), active, ipv4, 0x34);
    REQUIRE_FALSE(none.ok());
    CHECK_THAT(none.error(), Catch::Contains("bind-ipv6-prefix 2001:db9::/48"));

    auto empty = lw4o6_tunnel_source(p6("2001:db8:12:3400::/56"), {}, ipv4, 0x34);
    REQUIRE_FALSE(empty.ok());
    CHECK_THAT(empty.error(), Catch::Contains("bind-ipv6-prefix"));
}
