#include <catch2/catch.hpp>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"

using namespace s46::net;

TEST_CASE("IPv4 addresses parse and format", "[net]") {
    auto a = Ipv4Address::parse("192.0.2.18");
    REQUIRE(a.ok());
    CHECK(a->value == 0xc0000212u);
    CHECK(a->to_string() == "192.0.2.18");
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.4 ", "-1.2.3.4"}) {
        INFO(bad);
        auto r = Ipv4Address::parse(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().find("invalid IPv4 address") != std::string::npos);
    }
}

TEST_CASE("IPv4 prefixes reject host bits unless asked", "[net]") {
    auto p = Ipv4Prefix::parse("192.0.2.0/24");
    REQUIRE(p.ok());
    CHECK(p->contains(Ipv4Address(192, 0, 2, 200)));
    CHECK_FALSE(p->contains(Ipv4Address(192, 0, 3, 0)));
    CHECK(p->to_string() == "192.0.2.0/24");
    CHECK_FALSE(Ipv4Prefix::parse("192.0.2.1/24").ok());
    CHECK(Ipv4Prefix::parse("192.0.2.1/24", true)->to_string() == "192.0.2.0/24");
    CHECK_FALSE(Ipv4Prefix::parse("192.0.2.0/33").ok());
    CHECK(Ipv4Prefix::parse("0.0.0.0/0")->contains(Ipv4Address(1, 2, 3, 4)));
    CHECK(Ipv4Prefix::parse("10.0.0.1")->length == 32);
}

TEST_CASE("IPv6 addresses follow RFC 5952 on output", "[net]") {
    struct Row { const char* in; const char* out; };
    for (auto [in, out] : {Row{"2001:db8::1", "2001:db8::1"}, Row{"2001:0db8:0:0:0:0:2:1", "2001:db8::2:1"},
                           Row{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, Row{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
                           Row{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, Row{"::", "::"}, Row{"::1", "::1"},
                           Row{"::ffff:192.0.2.1", "::ffff:c000:201"}, Row{"2001:DB8::ABCD", "2001:db8::abcd"},
                           Row{"2001:db8:12:3400:0:c000:212:34", "2001:db8:12:3400:0:c000:212:34"}}) {
        INFO(in);
        auto a = Ipv6Address::parse(in);
        REQUIRE(a.ok());
        CHECK(a->to_string() == out);
    }
    for (const char* bad : {"", ":", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::", ":1::", "1:::2", "::1.2.3", "1:2:3:4:5:6:7::8:9"}) {
        INFO(bad);
        CHECK_FALSE(Ipv6Address::parse(bad).ok());
    }
}

TEST_CASE("IPv6 bit fields read and write from the top bit", "[net]") {
    auto a = *Ipv6Address::parse("2001:db8:12:3400::");
    CHECK(a.bits(0, 16) == 0x2001);
    CHECK(a.bits(40, 16) == 0x1234);  // the EA bits of RFC 7597 Appendix A, example 1
    Ipv6Address b;
    b.set_bits(40, 16, 0x1234);
    CHECK(b.bits(40, 16) == 0x1234);
    CHECK(b.to_string() == "0:0:12:3400::");
    b.set_bits(44, 4, 0);
    CHECK(b.bits(40, 16) == 0x1034);
}

TEST_CASE("IPv6 prefixes contain and canonicalise", "[net]") {
    auto p = *Ipv6Prefix::parse("2001:db8::/40");
    CHECK(p.contains(*Ipv6Address::parse("2001:db8:12:3400::1")));
    CHECK_FALSE(p.contains(*Ipv6Address::parse("2001:db9::")));
    CHECK(p.contains(*Ipv6Prefix::parse("2001:db8:12:3400::/56")));
    CHECK_FALSE(Ipv6Prefix::parse("2001:db8:12:3400::/39").ok());
    CHECK_FALSE(Ipv6Prefix::parse("2001:db8::/129").ok());
    CHECK(Ipv6Prefix::parse("2001:db8:12:3401::/56", true)->to_string() == "2001:db8:12:3400::/56");
}
