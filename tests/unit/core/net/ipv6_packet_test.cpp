#include <catch2/catch.hpp>

#include "core/net/ip_protocol.hpp"
#include "core/net/ipv6_packet.hpp"
#include "tests/unit/core/net/packet_builder.hpp"

using namespace s46::net;
using namespace s46::test;

TEST_CASE("IPv6 view: every field of a hand-built packet", "[net][ipv6]") {
    Bytes payload{1, 2, 3, 4, 5};
    Bytes pkt = cat({ipv6_header(v6_a, v6_b, ip_protocol::ipv4, payload.size(), 7), payload, Bytes{0xee, 0xee}});
    auto v = ConstIpv6View::parse(pkt);
    REQUIRE(v.ok());
    CHECK(v->version() == 6);
    CHECK(v->traffic_class() == 0xb8);
    CHECK(v->dscp() == 46);
    CHECK(v->ecn() == 0);
    CHECK(v->flow_label() == 0xabcde);
    CHECK(v->payload_length() == 5);
    CHECK(v->next_header() == ip_protocol::ipv4);
    CHECK(v->hop_limit() == 7);
    CHECK(v->src().to_string() == "2001:db8::1");
    CHECK(v->dst().to_string() == "2001:db8:12:3400:0:c000:212:34");
    CHECK(v->src_bytes().data() == pkt.data() + 8);
    CHECK(v->dst_bytes().data() == pkt.data() + 24);
    CHECK(v->payload().size() == 5);
    CHECK(v->payload().data() == pkt.data() + 40);
    CHECK(v->packet().size() == 45);  // trailing bytes outside
    CHECK_FALSE(v->truncated());
}

TEST_CASE("IPv6 view: setters keep neighbouring bit fields intact", "[net][ipv6]") {
    Bytes pkt = ipv6_header(v6_a, v6_b, ip_protocol::udp, 0);
    auto v = Ipv6View::parse(pkt);
    REQUIRE(v.ok());
    v->set_traffic_class(0x03);
    CHECK(v->traffic_class() == 0x03);
    CHECK(v->version() == 6);
    CHECK(v->flow_label() == 0xabcde);
    v->set_flow_label(0xfff12345);  // only 20 bits exist
    CHECK(v->flow_label() == 0x12345);
    CHECK(v->traffic_class() == 0x03);
    CHECK(v->version() == 6);
    v->set_next_header(ip_protocol::icmpv6);
    v->set_hop_limit(255);
    v->set_src(*Ipv6Address::parse("fe80::1"));
    v->set_dst(*Ipv6Address::parse("ff02::2"));
    CHECK(v->next_header() == ip_protocol::icmpv6);
    CHECK(v->hop_limit() == 255);
    CHECK(v->src().to_string() == "fe80::1");
    CHECK(v->dst().to_string() == "ff02::2");
    CHECK(v->payload_length() == 0);
    ConstIpv6View c = *v;
    CHECK(c.hop_limit() == 255);
}

TEST_CASE("IPv6 view: each malformed buffer is refused with its reason", "[net][ipv6]") {
    const Bytes good = cat({ipv6_header(v6_a, v6_b, ip_protocol::udp, 3), Bytes{1, 2, 3}});
    auto reason = [](const Bytes& b) { return ConstIpv6View::parse(b).error(); };
    CHECK(reason(good) == ParseError::none);
    CHECK(reason({}) == ParseError::ipv6_truncated);
    CHECK(reason(Bytes(good.begin(), good.begin() + 39)) == ParseError::ipv6_truncated);
    Bytes b = good;
    b[0] = 0x4b;
    CHECK(reason(b) == ParseError::ipv6_bad_version);
    b = good;
    put16(b, 4, 4);
    CHECK(reason(b) == ParseError::ipv6_payload_length_exceeds_buffer);
    // Payload Length 0 is an empty payload (no jumbogram support).
    b = good;
    put16(b, 4, 0);
    REQUIRE(reason(b) == ParseError::none);
    CHECK(ConstIpv6View::parse(b)->payload().empty());
}

TEST_CASE("IPv6 view: embedded packets may be cut short", "[net][ipv6]") {
    Bytes full = cat({ipv6_header(v6_a, v6_b, ip_protocol::tcp, 100), Bytes(100, 0x55)});
    Bytes quoted(full.begin(), full.begin() + 60);
    CHECK(ConstIpv6View::parse(quoted).error() == ParseError::ipv6_payload_length_exceeds_buffer);
    auto e = ConstIpv6View::parse_embedded(quoted);
    REQUIRE(e.ok());
    CHECK(e->truncated());
    CHECK(e->payload().size() == 20);
    CHECK(ConstIpv6View::parse_embedded(Bytes(full.begin(), full.begin() + 39)).error() == ParseError::ipv6_truncated);
}

TEST_CASE("IPv6 view: pseudo-header sum", "[net][ipv6]") {
    Bytes pkt = ipv6_header(v6_a, v6_b, ip_protocol::udp, 0);
    auto v = ConstIpv6View::parse(pkt);
    REQUIRE(v.ok());
    CHECK(checksum_fold(v->pseudo_header_sum(ip_protocol::udp, 1234)) == naive_sum(pseudo_v6(v6_a, v6_b, 1234, 17)));
}
