// Property: for random packets and random field rewrites, the RFC 1624 incremental
// update gives bit-for-bit the checksum a full recomputation gives. A quarter of the
// rewrites are steered so that the new one's complement sum is exactly 0xFFFF, the
// RFC 1624 §3 case where the new checksum must be 0x0000 (and, for UDP, 0xFFFF on the wire).
#include <catch2/catch.hpp>

#include <random>

#include "core/net/ip_protocol.hpp"
#include "core/net/ipv4_packet.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/icmpv6_packet.hpp"
#include "core/net/tcp_packet.hpp"
#include "core/net/udp_packet.hpp"
#include "tests/unit/core/net/packet_builder.hpp"

using namespace s46::net;
using namespace s46::test;

namespace {

constexpr int kIterations = 20000;

struct Gen {
    std::mt19937_64 rng{0x51624};
    std::uint32_t u32() { return static_cast<std::uint32_t>(rng()); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(rng()); }
    std::uint8_t u8() { return static_cast<std::uint8_t>(rng()); }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng() % n); }
    bool one_in(unsigned n) { return rng() % n == 0; }
    Bytes bytes(std::size_t n) {
        Bytes b(n);
        for (auto& x : b) x = u8();
        return b;
    }
};

// The new value for the 16-bit word at `at` that makes the sum of `region` (checksum
// field at `csum_at` counted as zero) exactly 0xFFFF, so the checksum is 0x0000.
std::uint16_t word_for_zero_checksum(Bytes region, std::size_t at, std::size_t csum_at) {
    put16(region, at, 0);
    put16(region, csum_at, 0);
    return static_cast<std::uint16_t>(~naive_sum(region));
}

Ipv6Address random_v6(Gen& g) {
    Ipv6Address a;
    for (auto& b : a.bytes) b = g.u8();
    return a;
}

}  // namespace

TEST_CASE("property: IPv4 header rewrites, incremental == recomputed", "[net][checksum][property]") {
    Gen g;
    int zero_results = 0;
    for (int i = 0; i < kIterations; ++i) {
        Bytes opts = g.bytes(4 * g.below(11));
        Bytes pkt = ipv4_header(g.u32(), g.u32(), g.u8(), 0, opts, g.u8());
        auto v = Ipv4View::parse(pkt);
        REQUIRE(v.ok());
        REQUIRE(v->checksum_valid());
        if (g.one_in(3)) {
            // A 32-bit rewrite of an address, as NAPT does.
            bool src = g.one_in(2);
            Ipv4Address old_a = src ? v->src() : v->dst(), new_a{g.u32()};
            src ? v->set_src(new_a) : v->set_dst(new_a);
            v->adjust_checksum32(old_a.value, new_a.value);
        } else {
            // Any 16-bit word but the version/IHL one (that would change the layout) and the checksum.
            std::size_t at = 2 * (1 + g.below(pkt.size() / 2 - 1));
            if (at == 10) at = 8;
            std::uint16_t old_w = get16(pkt, at);
            std::uint16_t new_w = g.one_in(4) ? word_for_zero_checksum(pkt, at, 10) : g.u16();
            if (at == 2) new_w = old_w;  // Total Length is cached by the view; keep it consistent
            put16(pkt, at, new_w);
            v->adjust_checksum16(old_w, new_w);
        }
        INFO("iteration " << i);
        REQUIRE(v->checksum() == v->compute_checksum());
        REQUIRE(v->checksum_valid());
        zero_results += v->checksum() == 0;
    }
    CHECK(zero_results > kIterations / 20);  // the RFC 1624 §3 case was exercised
}

TEST_CASE("property: TCP rewrites (ports, addresses, seq, MSS, payload), incremental == recomputed",
          "[net][checksum][property]") {
    Gen g;
    int zero_results = 0, odd_mss = 0;
    for (int i = 0; i < kIterations; ++i) {
        // Options: 0-3 NOPs then an MSS option, padded to a multiple of 4; places the
        // MSS value at even and odd offsets.
        Bytes opts(g.below(4), tcp_option::nop);
        std::uint16_t mss = g.u16();
        opts.insert(opts.end(), {tcp_option::mss, 4, static_cast<std::uint8_t>(mss >> 8), static_cast<std::uint8_t>(mss)});
        while (opts.size() % 4) opts.push_back(tcp_option::eol);
        Bytes seg = tcp(g.u16(), g.u16(), g.u32(), g.u32(), g.u8(), opts, g.bytes(g.below(64)));
        std::uint32_t src = g.u32(), dst = g.u32();
        auto pseudo = [&] {
            return pseudo_header_sum_v4(Ipv4Address{src}, Ipv4Address{dst}, ip_protocol::tcp, static_cast<std::uint16_t>(seg.size()));
        };
        auto v = TcpView::parse(seg);
        REQUIRE(v.ok());
        v->update_checksum(pseudo());
        switch (g.below(5)) {
            case 0: {  // port; sometimes steered to the zero-checksum edge
                std::uint16_t old_p = v->src_port();
                std::uint16_t new_p = g.u16();
                if (g.one_in(2)) {
                    Bytes region = cat({pseudo_v4(src, dst, ip_protocol::tcp, static_cast<std::uint16_t>(seg.size())), seg});
                    new_p = word_for_zero_checksum(region, 12, 12 + 16);
                }
                v->set_src_port(new_p);
                v->adjust_checksum16(old_p, new_p);
                break;
            }
            case 1: {  // address in the pseudo-header
                std::uint32_t n = g.u32();
                v->adjust_checksum32(src, n);
                src = n;
                break;
            }
            case 2: {  // sequence number (a 32-bit field in the header)
                std::uint32_t old_s = v->seq(), n = g.u32();
                v->set_seq(n);
                v->adjust_checksum32(old_s, n);
                break;
            }
            case 3: {  // MSS clamp; the value sits at an odd offset after an odd number of NOPs
                std::uint16_t limit = g.u16();
                odd_mss += (v->option_range().find(tcp_option::mss)->offset % 2) && mss > limit;
                v->clamp_mss(limit);
                REQUIRE(*v->mss() == std::min(mss, limit));
                break;
            }
            default: {  // an arbitrary byte range anywhere past the checksum, odd offsets included
                std::size_t at = 18 + g.below(seg.size() - 18);
                std::size_t len = 1 + g.below(std::min<std::size_t>(16, seg.size() - at));
                Bytes old_b(seg.begin() + static_cast<long>(at), seg.begin() + static_cast<long>(at + len));
                Bytes new_b = g.bytes(len);
                std::copy(new_b.begin(), new_b.end(), seg.begin() + static_cast<long>(at));
                v->set_checksum(checksum_adjust_bytes(v->checksum(), old_b, new_b, at % 2 != 0));
                break;
            }
        }
        INFO("iteration " << i);
        REQUIRE(v->checksum() == v->compute_checksum(pseudo()));
        REQUIRE(v->checksum_valid(pseudo()));
        zero_results += v->checksum() == 0;
    }
    CHECK(zero_results > kIterations / 20);
    CHECK(odd_mss > kIterations / 40);
}

TEST_CASE("property: UDP rewrites over IPv4 and IPv6, zero semantics preserved", "[net][checksum][property]") {
    Gen g;
    int ffff_results = 0;
    for (int i = 0; i < kIterations; ++i) {
        Bytes d = udp(g.u16(), g.u16(), g.bytes(g.below(64)));
        auto v = UdpView::parse(d);
        REQUIRE(v.ok());
        bool v6 = g.one_in(2);
        std::uint32_t src4 = g.u32(), dst4 = g.u32();
        Ipv6Address src6 = random_v6(g), dst6 = random_v6(g);
        auto pseudo = [&] {
            return v6 ? pseudo_header_sum_v6(src6, dst6, v->length(), ip_protocol::udp)
                      : pseudo_header_sum_v4(Ipv4Address{src4}, Ipv4Address{dst4}, ip_protocol::udp, v->length());
        };
        bool absent = !v6 && g.one_in(8);
        if (!absent) v->update_checksum(pseudo());
        if (g.one_in(2)) {
            std::uint16_t old_p = v->dst_port(), new_p = g.u16();
            if (g.one_in(2)) {
                Bytes region = v6 ? cat({pseudo_v6(Bytes(src6.bytes.begin(), src6.bytes.end()),
                                                   Bytes(dst6.bytes.begin(), dst6.bytes.end()), v->length(), 17), d})
                                  : cat({pseudo_v4(src4, dst4, 17, v->length()), d});
                std::size_t base = v6 ? 40 : 12;
                new_p = word_for_zero_checksum(region, base + 2, base + 6);
            }
            v->set_dst_port(new_p);
            v->adjust_checksum16(old_p, new_p);
        } else if (v6) {
            Ipv6Address n = random_v6(g);
            v->adjust_checksum_bytes(src6.bytes, n.bytes);
            src6 = n;
        } else {
            std::uint32_t n = g.u32();
            v->adjust_checksum32(src4, n);
            src4 = n;
        }
        INFO("iteration " << i);
        if (absent) {
            REQUIRE(v->checksum() == 0);
            REQUIRE(v->verify_checksum(pseudo()) == ChecksumStatus::absent);
        } else {
            REQUIRE(v->checksum() == v->compute_checksum(pseudo()));
            REQUIRE(v->verify_checksum(pseudo()) == ChecksumStatus::valid);
            ffff_results += v->checksum() == 0xffff;
        }
    }
    CHECK(ffff_results > kIterations / 20);
}

TEST_CASE("property: ICMPv4 echo identifier rewrites, all-zero messages included", "[net][checksum][property]") {
    // ICMPv4 has no pseudo-header, so a message can be entirely zero (Echo Reply, id 0,
    // seq 0, zero data); one in eight here is, to exercise the 0xFFFF case.
    Gen g;
    int all_zero = 0;
    for (int i = 0; i < kIterations / 4; ++i) {
        bool zero = g.one_in(8);
        Bytes m = zero ? Bytes(8 + g.below(32), 0) : cat({Bytes{0, 0, 0, 0}, g.bytes(4 + g.below(64))});
        auto v = Icmpv4View::parse(m);
        REQUIRE(v.ok());
        v->update_checksum();
        std::uint16_t old_id = v->identifier();
        std::uint16_t new_id = zero && g.one_in(2) ? 0 : g.u16();
        v->set_identifier(new_id);
        v->adjust_checksum16(old_id, new_id);
        INFO("iteration " << i);
        REQUIRE(v->checksum() == v->compute_checksum());
        REQUIRE(v->checksum_valid());
        all_zero += v->checksum() == 0xffff;
    }
    CHECK(all_zero > kIterations / 100);
}

TEST_CASE("property: ICMPv6 identifier and address rewrites", "[net][checksum][property]") {
    Gen g;
    for (int i = 0; i < kIterations / 4; ++i) {
        Bytes m = cat({Bytes{icmpv6_type::echo_request, 0, 0, 0}, g.bytes(4 + g.below(64))});
        auto v = Icmpv6View::parse(m);
        REQUIRE(v.ok());
        Ipv6Address src = random_v6(g), dst = random_v6(g);
        auto pseudo = [&] { return pseudo_header_sum_v6(src, dst, static_cast<std::uint32_t>(m.size()), ip_protocol::icmpv6); };
        v->update_checksum(pseudo());
        std::uint16_t old_id = v->identifier(), new_id = g.u16();
        v->set_identifier(new_id);
        v->adjust_checksum16(old_id, new_id);
        Ipv6Address n = random_v6(g);
        v->adjust_checksum_bytes(dst.bytes, n.bytes);
        dst = n;
        INFO("iteration " << i);
        REQUIRE(v->checksum() == v->compute_checksum(pseudo()));
    }
}
