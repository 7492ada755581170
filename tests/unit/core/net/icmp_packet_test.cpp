#include <catch2/catch.hpp>

#include "core/net/icmpv4_packet.hpp"
#include "core/net/icmpv6_packet.hpp"
#include "core/net/ip_protocol.hpp"
#include "core/net/ipv4_packet.hpp"
#include "core/net/ipv6_packet.hpp"
#include "core/net/udp_packet.hpp"
#include "tests/unit/core/net/packet_builder.hpp"

using namespace s46::net;
using namespace s46::test;

namespace {
constexpr std::uint32_t kSrc = 0xc0000201, kDst = 0xc6336407;

Bytes icmp_header(std::uint8_t type, std::uint8_t code, std::uint32_t rest) {
    Bytes h(8, 0);
    h[0] = type;
    h[1] = code;
    put32(h, 4, rest);
    return h;
}

Ipv6Address addr(const Bytes& b) {
    Ipv6Address a;
    std::copy(b.begin(), b.end(), a.bytes.begin());
    return a;
}
}  // namespace

TEST_CASE("ICMPv4 view: echo request fields and checksum", "[net][icmp]") {
    Bytes m = cat({icmp_header(icmpv4_type::echo_request, 0, 0x12340007), Bytes{'p', 'i', 'n', 'g', '!'}});
    auto v = Icmpv4View::parse(m);
    REQUIRE(v.ok());
    CHECK(v->type() == icmpv4_type::echo_request);
    CHECK(v->code() == 0);
    CHECK(v->is_echo());
    CHECK_FALSE(v->is_error());
    CHECK(v->identifier() == 0x1234);
    CHECK(v->sequence() == 7);
    CHECK(v->rest_of_header() == 0x12340007);
    CHECK(v->body().size() == 5);
    CHECK(v->embedded().empty());
    v->update_checksum();
    CHECK(v->checksum() == naive_checksum(cat({icmp_header(icmpv4_type::echo_request, 0, 0x12340007), Bytes{'p', 'i', 'n', 'g', '!'}})));
    CHECK(v->checksum_valid());
    // NAPT rewrites the identifier (RFC 5508 §3.1 treats it like a port).
    v->set_identifier(0x9999);
    v->adjust_checksum16(0x1234, 0x9999);
    CHECK(v->checksum() == v->compute_checksum());
    v->set_sequence(8);
    CHECK(v->sequence() == 8);
    v->set_type(icmpv4_type::echo_reply);
    v->set_code(0);
    v->update_checksum();
    CHECK(v->checksum_valid());
}

TEST_CASE("ICMPv4 view: fragmentation needed quotes the datagram", "[net][icmp]") {
    Bytes inner = cat({ipv4_header(kDst, kSrc, ip_protocol::udp, 500), udp(53, 40000, Bytes(492, 0))});
    Bytes quoted(inner.begin(), inner.begin() + 28);  // header + 64 bits (RFC 792)
    Bytes m = cat({icmp_header(icmpv4_type::destination_unreachable, icmpv4_code::fragmentation_needed, 1400), quoted});
    auto v = ConstIcmpv4View::parse(m);
    REQUIRE(v.ok());
    CHECK(v->is_error());
    CHECK(v->is_fragmentation_needed());
    CHECK(v->next_hop_mtu() == 1400);
    REQUIRE(v->embedded().size() == 28);
    auto ip = ConstIpv4View::parse_embedded(v->embedded());
    REQUIRE(ip.ok());
    CHECK(ip->truncated());
    CHECK(ip->src() == Ipv4Address{kDst});
    CHECK(ip->protocol() == ip_protocol::udp);
    // The quoted UDP header is whole, its data is not: Length runs past the quote.
    CHECK(ConstUdpView::parse(ip->payload()).error() == ParseError::udp_length_exceeds_buffer);
    CHECK(ip->payload().size() == 8);

    Bytes pp = icmp_header(icmpv4_type::parameter_problem, 0, 0x0c000000);
    CHECK(ConstIcmpv4View::parse(pp)->pointer() == 12);
    for (std::uint8_t t : {icmpv4_type::source_quench, icmpv4_type::redirect, icmpv4_type::time_exceeded,
                           icmpv4_type::parameter_problem, icmpv4_type::destination_unreachable})
        CHECK(ConstIcmpv4View::parse(icmp_header(t, 0, 0))->is_error());
    auto w = Icmpv4View::parse(m);
    w->set_next_hop_mtu(1280);
    CHECK(w->next_hop_mtu() == 1280);
    w->set_rest_of_header(0);
    CHECK(w->rest_of_header() == 0);
}

TEST_CASE("ICMPv4 view: an all-zero Echo Reply keeps checksum 0xFFFF through a rewrite", "[net][icmp]") {
    // Type 0 code 0, identifier 0, sequence 0, zero data: the one's complement sum is
    // +0, so the checksum is 0xFFFF. Plain RFC 1624 eqn. 3 turns a 0 -> 0 identifier
    // rewrite into 0x0000, which fails verification (found by packet_view_fuzz).
    Bytes m(12, 0);
    auto v = Icmpv4View::parse(m);
    REQUIRE(v.ok());
    v->update_checksum();
    REQUIRE(v->checksum() == 0xffff);
    REQUIRE(v->checksum_valid());
    CHECK(checksum_adjust16(0xffff, 0, 0) == 0x0000);  // the raw equation's answer
    v->adjust_checksum16(0, 0);
    CHECK(v->checksum() == 0xffff);
    CHECK(v->checksum_valid());
    v->set_identifier(0x1234);
    v->adjust_checksum16(0, 0x1234);
    CHECK(v->checksum() == v->compute_checksum());
    v->set_identifier(0);
    v->adjust_checksum16(0x1234, 0);  // back to all zero
    CHECK(v->checksum() == 0xffff);
    v->adjust_checksum32(0, 0);
    CHECK(v->checksum() == 0xffff);
    // A nonzero message whose sum is -0 legitimately has checksum 0x0000 and keeps it.
    Bytes n(12, 0);
    put16(n, 8, 0xffff);
    auto w = Icmpv4View::parse(n);
    w->update_checksum();
    REQUIRE(w->checksum() == 0x0000);
    w->adjust_checksum16(0, 0);
    CHECK(w->checksum() == 0x0000);
    CHECK(w->checksum_valid());
}

TEST_CASE("ICMPv4 view: truncated message refused", "[net][icmp]") {
    CHECK(ConstIcmpv4View::parse(Bytes(7, 0)).error() == ParseError::icmpv4_truncated);
    CHECK(ConstIcmpv4View::parse(Bytes(8, 0)).ok());
}

TEST_CASE("ICMPv6 view: echo request over the IPv6 pseudo-header", "[net][icmp]") {
    Bytes m = cat({icmp_header(icmpv6_type::echo_request, 0, 0xabcd0001), Bytes{1, 2, 3}});
    auto v = Icmpv6View::parse(m);
    REQUIRE(v.ok());
    CHECK(v->is_echo());
    CHECK_FALSE(v->is_error());
    CHECK(v->identifier() == 0xabcd);
    CHECK(v->sequence() == 1);
    CHECK(v->embedded().empty());
    auto pseudo = pseudo_header_sum_v6(addr(v6_a), addr(v6_b), static_cast<std::uint32_t>(m.size()), ip_protocol::icmpv6);
    v->update_checksum(pseudo);
    Bytes zeroed = m;
    put16(zeroed, 2, 0);
    CHECK(v->checksum() == naive_checksum(cat({pseudo_v6(v6_a, v6_b, static_cast<std::uint32_t>(m.size()), 58), zeroed})));
    CHECK(v->checksum_valid(pseudo));
    // The checksum depends on the addresses: the same bytes fail under another pseudo-header.
    CHECK_FALSE(v->checksum_valid(pseudo_header_sum_v6(addr(v6_b), addr(v6_a), 0, ip_protocol::icmpv6)));
    v->set_identifier(0x0102);
    v->adjust_checksum16(0xabcd, 0x0102);
    CHECK(v->checksum() == v->compute_checksum(pseudo));
    Ipv6Address other = *Ipv6Address::parse("2001:db8:1::5");
    v->adjust_checksum_bytes(addr(v6_a).bytes, other.bytes);
    auto pseudo2 = pseudo_header_sum_v6(other, addr(v6_b), static_cast<std::uint32_t>(m.size()), ip_protocol::icmpv6);
    CHECK(v->checksum() == v->compute_checksum(pseudo2));
    v->set_sequence(2);
    v->adjust_checksum32(0x01020001, 0x01020002);
    CHECK(v->checksum_valid(pseudo2));
}

TEST_CASE("ICMPv6 view: packet too big carries a 32-bit MTU and the invoking packet", "[net][icmp]") {
    Bytes inner = cat({ipv6_header(v6_b, v6_a, ip_protocol::tcp, 1400), Bytes(1400, 0)});
    Bytes quoted(inner.begin(), inner.begin() + 1232);  // as much as fits in 1280 (RFC 4443 §3.2)
    Bytes m = cat({icmp_header(icmpv6_type::packet_too_big, 0, 1280), quoted});
    auto v = Icmpv6View::parse(m);
    REQUIRE(v.ok());
    CHECK(v->is_error());
    CHECK(v->mtu() == 1280);
    v->set_mtu(0x00010000);  // 32 bits, unlike ICMPv4's 16
    CHECK(v->mtu() == 0x00010000);
    auto ip = ConstIpv6View::parse_embedded(v->embedded());
    REQUIRE(ip.ok());
    CHECK(ip->truncated());
    CHECK(ip->src() == addr(v6_b));
    Bytes pp = icmp_header(icmpv6_type::parameter_problem, 1, 40);
    CHECK(ConstIcmpv6View::parse(pp)->pointer() == 40);
    auto w = Icmpv6View::parse(pp);
    w->set_type(icmpv6_type::time_exceeded);
    w->set_code(0);
    w->set_word(0);
    CHECK(w->type() == icmpv6_type::time_exceeded);
    CHECK(w->word() == 0);
}

TEST_CASE("ICMPv6 view: truncated message refused", "[net][icmp]") {
    CHECK(ConstIcmpv6View::parse(Bytes(7, 0)).error() == ParseError::icmpv6_truncated);
    CHECK(ConstIcmpv6View::parse(Bytes(8, 0)).ok());
}
