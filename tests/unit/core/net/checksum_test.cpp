// RFC 1071 sums, pseudo-headers and RFC 1624 incremental updates against known values
// and against the naive byte-wise reference in packet_builder.hpp.
#include <catch2/catch.hpp>

#include <random>

#include "core/net/checksum.hpp"
#include "tests/unit/core/net/packet_builder.hpp"

using namespace s46::net;
using namespace s46::test;

TEST_CASE("checksum: RFC 1071 §3 numerical example", "[net][checksum]") {
    Bytes b{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK(checksum_fold(checksum_add(b)) == 0xddf2);
    CHECK(internet_checksum(b) == 0x220d);
}

TEST_CASE("checksum: a captured IPv4 header", "[net][checksum]") {
    // 192.168.0.1 -> 192.168.0.199, UDP, the well-known worked example with checksum 0xb861.
    Bytes h{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
            0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    CHECK(internet_checksum(h) == 0xb861);
    put16(h, 10, 0xb861);
    CHECK(checksum_fold(checksum_add(h)) == 0xffff);  // verification sums to -0
}

TEST_CASE("checksum: fold edge cases", "[net][checksum]") {
    CHECK(checksum_fold(0) == 0);
    CHECK(checksum_fold(0xffff) == 0xffff);
    CHECK(checksum_fold(0x10000) == 1);
    CHECK(checksum_fold(0x1fffe) == 0xffff);
    CHECK(checksum_fold(0xffffffffffffffffull) == 0xffff);
    CHECK(checksum_fold(0x0001000000000000ull) == 1);  // 2^48 = 1 mod 2^16-1
    CHECK(checksum_finish(0) == 0xffff);              // only all-zero data finishes to 0xFFFF
}

TEST_CASE("checksum: empty input and odd lengths", "[net][checksum]") {
    CHECK(checksum_add({}) == 0);
    CHECK(checksum_add(Bytes{0xab}) == 0xab00);  // RFC 1071 §1: pad the odd byte on the right
    CHECK(checksum_add(Bytes{0x12, 0x34, 0x56}) == 0x1234 + 0x5600);
}

TEST_CASE("checksum: fast sum equals the naive sum for every length and alignment", "[net][checksum]") {
    std::mt19937 rng(1071);
    std::uniform_int_distribution<int> byte(0, 255);
    Bytes pool(600);
    for (auto& x : pool) x = static_cast<std::uint8_t>(byte(rng));
    for (std::size_t off = 0; off < 8; ++off) {
        for (std::size_t len = 0; len <= 300; ++len) {
            Bytes b(pool.begin() + static_cast<long>(off), pool.begin() + static_cast<long>(off + len));
            std::span<const std::uint8_t> s(pool.data() + off, len);
            INFO("offset " << off << " length " << len);
            REQUIRE(checksum_fold(checksum_add(s)) == naive_sum(b));
        }
    }
    // All-ones data stresses the end-around carry of the 64-bit accumulators.
    Bytes ones(1500, 0xff);
    CHECK(checksum_fold(checksum_add(ones)) == naive_sum(ones));
    Bytes near(1501, 0xfe);
    CHECK(checksum_fold(checksum_add(near)) == naive_sum(near));
}

TEST_CASE("checksum: sums of even-length pieces add up", "[net][checksum]") {
    Bytes b(203);
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 37 + 11);
    std::span<const std::uint8_t> s(b);
    for (std::size_t cut = 0; cut <= b.size(); cut += 2) {
        std::uint64_t split = checksum_add(s.subspan(cut), checksum_add(s.first(cut)));
        REQUIRE(checksum_fold(split) == naive_sum(b));
    }
}

TEST_CASE("checksum: pseudo-header sums match the byte layouts", "[net][checksum]") {
    std::uint32_t src = 0xc0000201, dst = 0xc6336407;
    CHECK(checksum_fold(pseudo_header_sum_v4(Ipv4Address{src}, Ipv4Address{dst}, 17, 0x1234)) ==
          naive_sum(pseudo_v4(src, dst, 17, 0x1234)));
    Ipv6Address a, b;
    std::copy(v6_a.begin(), v6_a.end(), a.bytes.begin());
    std::copy(v6_b.begin(), v6_b.end(), b.bytes.begin());
    for (std::uint32_t len : {0u, 8u, 1280u, 0x12345u}) {
        INFO(len);
        CHECK(checksum_fold(pseudo_header_sum_v6(a, b, len, 58)) == naive_sum(pseudo_v6(v6_a, v6_b, len, 58)));
    }
}

TEST_CASE("checksum: RFC 1624 §3 worked example yields +0, not -0", "[net][checksum]") {
    // Sum of the other header words 0xCD7A; a field changes 0x5555 -> 0x3285.
    std::uint16_t hc = static_cast<std::uint16_t>(~checksum_fold(0xcd7a + 0x5555));
    REQUIRE(hc == 0xdd2f);
    std::uint16_t recomputed = static_cast<std::uint16_t>(~checksum_fold(0xcd7a + 0x3285));
    REQUIRE(recomputed == 0x0000);
    CHECK(checksum_adjust16(hc, 0x5555, 0x3285) == 0x0000);
    // RFC 1141's HC' = HC + m - m' gets -0 here, which is what eqn. 3 exists to avoid.
    std::uint32_t rfc1141 = hc + 0x5555u + static_cast<std::uint16_t>(~0x3285u);
    CHECK(checksum_fold(rfc1141) == 0xffff);
}

TEST_CASE("checksum: incremental helpers on a fixed header", "[net][checksum]") {
    Bytes h{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
            0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    // TTL 64 -> 63 changes the TTL/protocol word.
    std::uint16_t hc = checksum_adjust16(0xb861, 0x4011, 0x3f11);
    h[8] = 0x3f;
    put16(h, 10, 0);
    CHECK(hc == naive_checksum(h));
    // Source 192.168.0.1 -> 203.0.113.9 (a NAPT rewrite).
    std::uint16_t hc2 = checksum_adjust32(hc, 0xc0a80001, 0xcb007109);
    put32(h, 12, 0xcb007109);
    CHECK(hc2 == naive_checksum(h));
    // The byte-span form agrees with the 32-bit form.
    Bytes o{0xc0, 0xa8, 0x00, 0x01}, n{0xcb, 0x00, 0x71, 0x09};
    CHECK(checksum_adjust_bytes(hc, o, n) == hc2);
}

TEST_CASE("checksum: a 16-bit field at an odd offset is adjusted byte-swapped", "[net][checksum]") {
    Bytes d{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x11};
    std::uint16_t hc = naive_checksum(d);
    // Change bytes 3..4 (0x78 0x9a -> 0x05 0xb4): they straddle the words at 2 and 4.
    Bytes o{0x78, 0x9a}, n{0x05, 0xb4};
    d[3] = 0x05;
    d[4] = 0xb4;
    CHECK(checksum_adjust_bytes(hc, o, n, true) == naive_checksum(d));
    CHECK(checksum_adjust16(hc, byte_swap16(0x789a), byte_swap16(0x05b4)) == naive_checksum(d));
    CHECK(checksum_adjust16(hc, 0x789a, 0x05b4) != naive_checksum(d));
}
