#include <catch2/catch.hpp>

#include "core/net/ip_protocol.hpp"
#include "core/net/ipv4_packet.hpp"
#include "tests/unit/core/net/packet_builder.hpp"

using namespace s46::net;
using namespace s46::test;

namespace {
constexpr std::uint32_t kSrc = 0xc0000201;  // 192.0.2.1
constexpr std::uint32_t kDst = 0xc6336407;  // 198.51.100.7
}  // namespace

TEST_CASE("IPv4 view: every field of a hand-built datagram", "[net][ipv4]") {
    Bytes options{0x01, 0x01, 0x01, 0x00};  // NOP NOP NOP EOL
    Bytes payload{1, 2, 3, 4, 5, 6, 7};
    Bytes pkt = cat({ipv4_header(kSrc, kDst, ip_protocol::udp, payload.size(), options, 17), payload});
    pkt.push_back(0xee);  // link-layer padding after Total Length
    auto v = ConstIpv4View::parse(pkt);
    REQUIRE(v.ok());
    CHECK(v->version() == 4);
    CHECK(v->ihl() == 6);
    CHECK(v->header_length() == 24);
    CHECK(v->tos() == 0xb8);
    CHECK(v->dscp() == 46);
    CHECK(v->ecn() == 0);
    CHECK(v->total_length() == 31);
    CHECK(v->identification() == 0x1c46);
    CHECK(v->dont_fragment());
    CHECK_FALSE(v->more_fragments());
    CHECK(v->fragment_offset() == 0);
    CHECK_FALSE(v->is_fragment());
    CHECK(v->ttl() == 17);
    CHECK(v->protocol() == ip_protocol::udp);
    CHECK(v->src() == Ipv4Address{kSrc});
    CHECK(v->dst() == Ipv4Address{kDst});
    CHECK(v->checksum_valid());
    CHECK(v->compute_checksum() == v->checksum());
    CHECK(v->options().size() == 4);
    CHECK(v->options().data() == pkt.data() + 20);
    REQUIRE(v->payload().size() == payload.size());
    CHECK(v->payload().data() == pkt.data() + 24);
    CHECK(v->datagram().size() == 31);  // the padding byte is outside
    CHECK_FALSE(v->truncated());
}

TEST_CASE("IPv4 view: setters write their field and nothing else", "[net][ipv4]") {
    Bytes pkt = cat({ipv4_header(kSrc, kDst, ip_protocol::tcp, 4), Bytes{9, 9, 9, 9}});
    const Bytes before = pkt;
    auto v = Ipv4View::parse(pkt);
    REQUIRE(v.ok());
    v->set_dscp(10);
    CHECK(v->dscp() == 10);
    CHECK(v->ecn() == 0);
    v->set_ecn(3);
    CHECK(v->ecn() == 3);
    CHECK(v->dscp() == 10);
    v->set_tos(0xb8);
    v->set_identification(0xbeef);
    CHECK(v->identification() == 0xbeef);
    v->set_dont_fragment(false);
    v->set_more_fragments(true);
    v->set_fragment_offset(0x1fff);
    CHECK_FALSE(v->dont_fragment());
    CHECK(v->more_fragments());
    CHECK(v->fragment_offset() == 0x1fff);
    CHECK(v->is_fragment());
    v->set_fragment_offset(0xffff);  // only 13 bits exist
    CHECK(v->fragment_offset() == 0x1fff);
    CHECK(v->more_fragments());
    v->set_more_fragments(false);
    v->set_fragment_offset(0);
    v->set_dont_fragment(true);
    v->set_identification(0x1c46);
    v->set_ttl(1);
    v->set_protocol(ip_protocol::icmp);
    v->set_src(Ipv4Address(10, 0, 0, 1));
    v->set_dst(Ipv4Address(10, 0, 0, 2));
    CHECK(v->ttl() == 1);
    CHECK(v->protocol() == ip_protocol::icmp);
    CHECK(v->src() == Ipv4Address(10, 0, 0, 1));
    CHECK(v->dst() == Ipv4Address(10, 0, 0, 2));
    CHECK_FALSE(v->checksum_valid());
    v->update_checksum();
    CHECK(v->checksum_valid());
    Bytes expect = before;
    expect[8] = 1;
    expect[9] = ip_protocol::icmp;
    put32(expect, 12, 0x0a000001);
    put32(expect, 16, 0x0a000002);
    put16(expect, 10, 0);
    put16(expect, 10, naive_checksum(Bytes(expect.begin(), expect.begin() + 20)));
    CHECK(pkt == expect);
}

TEST_CASE("IPv4 view: incremental checksum helpers match recomputation", "[net][ipv4]") {
    Bytes pkt = ipv4_header(kSrc, kDst, ip_protocol::udp, 0);
    auto v = Ipv4View::parse(pkt);
    REQUIRE(v.ok());
    // TTL decrement: the word at offset 8 holds TTL and protocol.
    std::uint16_t old_word = get16(pkt, 8);
    v->set_ttl(static_cast<std::uint8_t>(v->ttl() - 1));
    v->adjust_checksum16(old_word, get16(pkt, 8));
    CHECK(v->checksum_valid());
    CHECK(v->checksum() == v->compute_checksum());
    Ipv4Address old_src = v->src();
    v->set_src(Ipv4Address(203, 0, 113, 9));
    v->adjust_checksum32(old_src.value, v->src().value);
    CHECK(v->checksum() == v->compute_checksum());
}

TEST_CASE("IPv4 view: a mutable view converts to a read-only one", "[net][ipv4]") {
    Bytes pkt = ipv4_header(kSrc, kDst, ip_protocol::udp, 0);
    auto v = Ipv4View::parse(pkt);
    REQUIRE(v.ok());
    ConstIpv4View c = *v;
    CHECK(c.src() == Ipv4Address{kSrc});
    CHECK(c.datagram().data() == pkt.data());
}

TEST_CASE("IPv4 view: each malformed buffer is refused with its reason", "[net][ipv4]") {
    const Bytes good = cat({ipv4_header(kSrc, kDst, ip_protocol::udp, 4), Bytes{1, 2, 3, 4}});
    auto reason = [](const Bytes& b) { return ConstIpv4View::parse(b).error(); };

    CHECK(reason(good) == ParseError::none);
    CHECK(reason({}) == ParseError::ipv4_truncated);
    CHECK(reason(Bytes(good.begin(), good.begin() + 19)) == ParseError::ipv4_truncated);

    Bytes b = good;
    b[0] = 0x65;  // version 6
    CHECK(reason(b) == ParseError::ipv4_bad_version);

    for (std::uint8_t ihl = 0; ihl < 5; ++ihl) {
        b = good;
        b[0] = static_cast<std::uint8_t>(0x40 | ihl);
        CHECK(reason(b) == ParseError::ipv4_ihl_too_small);
    }

    b = good;
    b[0] = 0x47;  // 28-byte header in a 24-byte buffer
    CHECK(reason(b) == ParseError::ipv4_header_exceeds_buffer);

    b = good;
    put16(b, 2, 19);
    CHECK(reason(b) == ParseError::ipv4_total_length_below_header);

    b = good;
    put16(b, 2, 25);
    CHECK(reason(b) == ParseError::ipv4_total_length_exceeds_buffer);

    // A bad checksum is not a parse error: the caller decides whether to verify.
    b = good;
    b[10] ^= 1;
    CHECK(reason(b) == ParseError::none);
    CHECK_FALSE(ConstIpv4View::parse(b)->checksum_valid());
}

TEST_CASE("IPv4 view: embedded datagrams may be cut short, headers may not", "[net][ipv4]") {
    Bytes full = cat({ipv4_header(kSrc, kDst, ip_protocol::tcp, 40), Bytes(40, 0xaa)});
    Bytes quoted(full.begin(), full.begin() + 28);  // header + 64 bits (RFC 792)
    CHECK(ConstIpv4View::parse(quoted).error() == ParseError::ipv4_total_length_exceeds_buffer);
    auto e = ConstIpv4View::parse_embedded(quoted);
    REQUIRE(e.ok());
    CHECK(e->truncated());
    CHECK(e->total_length() == 60);
    CHECK(e->payload().size() == 8);
    auto whole = ConstIpv4View::parse_embedded(full);
    REQUIRE(whole.ok());
    CHECK_FALSE(whole->truncated());
    CHECK(ConstIpv4View::parse_embedded(Bytes(full.begin(), full.begin() + 19)).error() == ParseError::ipv4_truncated);
    Bytes short_total = full;
    put16(short_total, 2, 10);
    CHECK(ConstIpv4View::parse_embedded(short_total).error() == ParseError::ipv4_total_length_below_header);
}

TEST_CASE("IPv4 view: the pseudo-header sum uses the header's addresses", "[net][ipv4]") {
    Bytes pkt = ipv4_header(kSrc, kDst, ip_protocol::udp, 0);
    auto v = ConstIpv4View::parse(pkt);
    REQUIRE(v.ok());
    CHECK(checksum_fold(v->pseudo_header_sum(ip_protocol::udp, 12)) == naive_sum(pseudo_v4(kSrc, kDst, 17, 12)));
}

TEST_CASE("parse errors all have a description", "[net]") {
    for (int e = 0; e <= static_cast<int>(ParseError::icmpv6_truncated); ++e) {
        auto text = describe(static_cast<ParseError>(e));
        INFO(e);
        CHECK_FALSE(text.empty());
        CHECK(text != "unknown parse error");
    }
    Parsed<ConstIpv4View> p = ParseError::ipv4_bad_version;
    CHECK_FALSE(p);
    CHECK(p.what().find("version") != std::string_view::npos);
}
