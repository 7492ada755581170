#include <catch2/catch.hpp>

#include "core/net/ip_protocol.hpp"
#include "core/net/udp_packet.hpp"
#include "tests/unit/core/net/packet_builder.hpp"

using namespace s46::net;
using namespace s46::test;

namespace {
constexpr std::uint32_t kSrc = 0xc0000201, kDst = 0xc6336407;
std::uint64_t pseudo4(std::uint16_t len) { return pseudo_header_sum_v4(Ipv4Address{kSrc}, Ipv4Address{kDst}, 17, len); }
}  // namespace

TEST_CASE("UDP view: fields, payload bounded by Length", "[net][udp]") {
    Bytes d = udp(5353, 53, Bytes{0xde, 0xad, 0xbe});
    d.push_back(0x77);  // beyond Length
    auto v = ConstUdpView::parse(d);
    REQUIRE(v.ok());
    CHECK(v->src_port() == 5353);
    CHECK(v->dst_port() == 53);
    CHECK(v->length() == 11);
    CHECK(v->checksum() == 0);
    CHECK(v->payload().size() == 3);
    CHECK(v->payload().data() == d.data() + 8);
    CHECK(v->datagram().size() == 11);
}

TEST_CASE("UDP view: each malformed buffer is refused with its reason", "[net][udp]") {
    const Bytes good = udp(1, 2, Bytes{1, 2});
    auto reason = [](const Bytes& b) { return ConstUdpView::parse(b).error(); };
    CHECK(reason(good) == ParseError::none);
    CHECK(reason(Bytes(7, 0)) == ParseError::udp_truncated);
    Bytes b = good;
    put16(b, 4, 7);
    CHECK(reason(b) == ParseError::udp_length_below_header);
    put16(b, 4, 11);
    CHECK(reason(b) == ParseError::udp_length_exceeds_buffer);
    put16(b, 4, 8);
    REQUIRE(reason(b) == ParseError::none);
    CHECK(ConstUdpView::parse(b)->payload().empty());
}

TEST_CASE("UDP view: checksum over the IPv4 pseudo-header", "[net][udp]") {
    Bytes d = udp(40000, 53, Bytes{'h', 'e', 'l', 'l', 'o'});
    auto v = UdpView::parse(d);
    REQUIRE(v.ok());
    CHECK(v->verify_checksum(pseudo4(v->length())) == ChecksumStatus::absent);
    v->update_checksum(pseudo4(v->length()));
    CHECK(v->checksum() == naive_checksum(cat({pseudo_v4(kSrc, kDst, 17, 13), Bytes(d.begin(), d.begin() + 6), Bytes{0, 0},
                                               Bytes(d.begin() + 8, d.end())})));
    CHECK(v->verify_checksum(pseudo4(v->length())) == ChecksumStatus::valid);
    d.back() ^= 0x40;
    CHECK(v->verify_checksum(pseudo4(v->length())) == ChecksumStatus::invalid);
}

TEST_CASE("UDP view: a computed zero is sent as 0xFFFF (RFC 768)", "[net][udp]") {
    // Choose the last payload word so that the one's complement sum is 0xFFFF, making
    // the computed checksum 0x0000.
    Bytes d = udp(1000, 2000, Bytes{0, 0});
    std::uint16_t partial = naive_sum(cat({pseudo_v4(kSrc, kDst, 17, 10), d}));
    put16(d, 8, static_cast<std::uint16_t>(~partial));
    REQUIRE(naive_sum(cat({pseudo_v4(kSrc, kDst, 17, 10), d})) == 0xffff);
    auto v = UdpView::parse(d);
    REQUIRE(v.ok());
    CHECK(v->compute_checksum(pseudo4(10)) == 0xffff);
    v->update_checksum(pseudo4(10));
    CHECK(v->checksum() == 0xffff);
    CHECK(v->verify_checksum(pseudo4(10)) == ChecksumStatus::valid);
}

TEST_CASE("UDP view: incremental updates keep zero and map a zero result", "[net][udp]") {
    Bytes d = udp(1000, 2000, Bytes{1, 2, 3, 4});
    auto v = UdpView::parse(d);
    REQUIRE(v.ok());
    // Absent checksum (IPv4): NAPT rewrites the port and leaves it absent.
    v->set_src_port(3000);
    v->adjust_checksum16(1000, 3000);
    CHECK(v->checksum() == 0);
    v->adjust_checksum32(kSrc, 0x0a000001);
    CHECK(v->checksum() == 0);

    // Present: after a port rewrite the incremental result equals a full recompute.
    v->update_checksum(pseudo4(12));
    v->set_src_port(4000);
    v->adjust_checksum16(3000, 4000);
    CHECK(v->checksum() == v->compute_checksum(pseudo4(12)));

    // Force the post-rewrite sum to 0xFFFF: the adjusted value must be 0xFFFF, not 0x0000.
    std::uint16_t others = naive_sum(cat({pseudo_v4(kSrc, kDst, 17, 12), Bytes(d.begin() + 2, d.begin() + 6),
                                          Bytes(d.begin() + 8, d.end())}));
    std::uint16_t port_for_zero = static_cast<std::uint16_t>(~others);
    if (port_for_zero == 0) port_for_zero = 0xffff;  // same one's complement value
    v->set_src_port(port_for_zero);
    v->adjust_checksum16(4000, port_for_zero);
    CHECK(v->compute_checksum(pseudo4(12)) == 0xffff);
    CHECK(v->checksum() == 0xffff);
    CHECK(v->verify_checksum(pseudo4(12)) == ChecksumStatus::valid);
}

TEST_CASE("UDP view: over IPv6, the pseudo-header has a 32-bit length", "[net][udp]") {
    Bytes d = udp(546, 547, Bytes{1, 2, 3});
    auto v = UdpView::parse(d);
    REQUIRE(v.ok());
    Ipv6Address a, b;
    std::copy(v6_a.begin(), v6_a.end(), a.bytes.begin());
    std::copy(v6_b.begin(), v6_b.end(), b.bytes.begin());
    v->update_checksum(pseudo_header_sum_v6(a, b, v->length(), ip_protocol::udp));
    Bytes zeroed = d;
    put16(zeroed, 6, 0);
    CHECK(v->checksum() == naive_checksum(cat({pseudo_v6(v6_a, v6_b, 11, 17), zeroed})));
    // Rewriting the source address (e.g. NPTv6 or a translator) adjusts by bytes.
    Ipv6Address c = *Ipv6Address::parse("2001:db8:ffff::99");
    v->adjust_checksum_bytes(a.bytes, c.bytes);
    CHECK(v->checksum() == v->compute_checksum(pseudo_header_sum_v6(c, b, v->length(), ip_protocol::udp)));
}
