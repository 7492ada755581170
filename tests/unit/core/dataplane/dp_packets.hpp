// Packet builders and checks for the data-path tests. Checksums use a deliberately naive
// RFC 1071 sum (byte pairs, fold after every word), never core/net's optimised one, so the code
// under test does not check itself. Packets are written into one buffer sized up front (no
// concatenation: GCC 12 reports false -Wstringop-overflow on inlined vector joins).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/net/ipv4.hpp"
#include "tests/unit/core/net/packet_builder.hpp"

namespace s46::dataplane::test {

using s46::test::Bytes;

constexpr std::uint32_t v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return net::Ipv4Address(a, b, c, d).value;
}

using s46::test::get16;
using s46::test::get32;
using s46::test::put16;
using s46::test::put32;

// Naive one's complement sum of `b` (odd tail padded), folded after every word, added to `sum`.
inline std::uint32_t naive_add(std::span<const std::uint8_t> b, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i < b.size(); i += 2) {
        std::uint32_t w = std::uint32_t{b[i]} << 8;
        if (i + 1 < b.size()) w |= b[i + 1];
        sum += w;
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}
inline std::uint32_t naive_add_word(std::uint32_t sum, std::uint32_t w) {
    sum += w;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}
inline std::uint32_t naive_pseudo_v4(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, std::size_t len) {
    std::uint32_t s = 0;
    for (std::uint32_t w : {src >> 16, src & 0xffff, dst >> 16, dst & 0xffff, std::uint32_t{proto},
                            static_cast<std::uint32_t>(len)})
        s = naive_add_word(s, w);
    return s;
}
inline std::uint16_t naive_finish(std::uint32_t sum) { return static_cast<std::uint16_t>(~sum); }

inline void fix_ipv4_checksum(Bytes& p, std::size_t at = 0) {
    const std::size_t hl = std::size_t{p[at] & 0x0fu} * 4;
    put16(p, at + 10, 0);
    put16(p, at + 10, naive_finish(naive_add(std::span<const std::uint8_t>(p).subspan(at, hl))));
}

// An IPv4 datagram: 20-byte header (DF set, TTL 64, TOS 0, id 0x1c46) and `l4` of `l4_len` bytes
// that `fill` writes at offset 20. The transport checksum is the caller's.
template <class Fill>
Bytes ipv4_datagram(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, std::size_t l4_len, Fill&& fill) {
    Bytes p(20 + l4_len, 0);
    p[0] = 0x45;
    put16(p, 2, static_cast<std::uint16_t>(20 + l4_len));
    put16(p, 4, 0x1c46);
    put16(p, 6, 0x4000);
    p[8] = 64;
    p[9] = proto;
    put32(p, 12, src);
    put32(p, 16, dst);
    fill(p);
    fix_ipv4_checksum(p);
    return p;
}

// UDP or TCP checksum over the pseudo-header and the segment at offset 20, written at `at`.
inline void fix_transport_checksum(Bytes& p, std::size_t at) {
    const std::size_t hl = std::size_t{p[0] & 0x0fu} * 4;
    const std::size_t len = get16(p, 2) - hl;
    put16(p, hl + at, 0);
    std::uint16_t c = naive_finish(naive_add(std::span<const std::uint8_t>(p).subspan(hl, len),
                                             naive_pseudo_v4(get32(p, 12), get32(p, 16), p[9], len)));
    if (p[9] == 17 && c == 0) c = 0xffff;
    put16(p, hl + at, c);
}

inline Bytes udp_packet(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
                        std::size_t payload_len = 8) {
    Bytes p = ipv4_datagram(src, dst, 17, 8 + payload_len, [&](Bytes& b) {
        put16(b, 20, sport);
        put16(b, 22, dport);
        put16(b, 24, static_cast<std::uint16_t>(8 + payload_len));
        for (std::size_t i = 0; i < payload_len; ++i) b[28 + i] = static_cast<std::uint8_t>(0x30 + i);
    });
    fix_transport_checksum(p, 6);
    return p;
}

// TCP with `flags`; with `mss` a 4-byte MSS option (RFC 9293 §3.7.1).
inline Bytes tcp_packet(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport, std::uint8_t flags,
                        std::uint16_t mss = 0, std::size_t payload_len = 0) {
    const std::size_t hl = mss ? 24 : 20;
    Bytes p = ipv4_datagram(src, dst, 6, hl + payload_len, [&](Bytes& b) {
        put16(b, 20, sport);
        put16(b, 22, dport);
        put32(b, 24, 0x01020304);
        if (flags & 0x10) put32(b, 28, 0x0a0b0c0d);
        b[32] = static_cast<std::uint8_t>((hl / 4) << 4);
        b[33] = flags;
        put16(b, 34, 65535);
        if (mss) {
            b[40] = 2;
            b[41] = 4;
            put16(b, 42, mss);
        }
        for (std::size_t i = 0; i < payload_len; ++i) b[20 + hl + i] = 0x5a;
    });
    fix_transport_checksum(p, 16);
    return p;
}

inline Bytes icmp_packet(std::uint32_t src, std::uint32_t dst, std::uint8_t type, std::uint8_t code, std::uint32_t rest,
                         std::span<const std::uint8_t> body) {
    Bytes p = ipv4_datagram(src, dst, 1, 8 + body.size(), [&](Bytes& b) {
        b[20] = type;
        b[21] = code;
        put32(b, 24, rest);
        for (std::size_t i = 0; i < body.size(); ++i) b[28 + i] = body[i];
    });
    put16(p, 22, naive_finish(naive_add(std::span<const std::uint8_t>(p).subspan(20))));
    return p;
}

inline Bytes echo_packet(std::uint32_t src, std::uint32_t dst, std::uint8_t type, std::uint16_t id, std::uint16_t seq = 1) {
    const Bytes body(16, 0xab);
    return icmp_packet(src, dst, type, 0, (std::uint32_t{id} << 16) | seq, body);
}

// An ICMPv4 error quoting at most `quote_len` bytes of `offending`.
inline Bytes icmp_error(std::uint32_t src, std::uint32_t dst, std::uint8_t type, std::uint8_t code, const Bytes& offending,
                        std::size_t quote_len = 548) {
    return icmp_packet(src, dst, type, code, 0,
                       std::span<const std::uint8_t>(offending).first(std::min(quote_len, offending.size())));
}

struct Endpoints {
    std::uint32_t src = 0, dst = 0;
    std::uint16_t sport = 0, dport = 0;  // ICMP: the echo identifier in both
    friend bool operator==(const Endpoints&, const Endpoints&) = default;
};

inline Endpoints endpoints(std::span<const std::uint8_t> p, std::size_t at = 0) {
    Endpoints e{get32(p, at + 12), get32(p, at + 16), 0, 0};
    const std::size_t l4 = at + std::size_t{p[at] & 0x0fu} * 4;
    if (p[at + 9] == 1) e.sport = e.dport = get16(p, l4 + 4);
    else e.sport = get16(p, l4), e.dport = get16(p, l4 + 2);
    return e;
}

// Every checksum of a datagram (and of the quote of an ICMP error, as far as it is whole) holds.
inline bool checksums_ok(std::span<const std::uint8_t> p, std::size_t at = 0, bool quoted = false) {
    const std::size_t hl = std::size_t{p[at] & 0x0fu} * 4;
    if (naive_add(p.subspan(at, hl)) != 0xffff) return false;
    const std::size_t total = get16(p, at + 2);
    if (at + total > p.size()) return quoted;  // a quote cut short: only its header can be checked
    auto l4 = p.subspan(at + hl, total - hl);
    switch (p[at + 9]) {
        case 17:
            if (get16(l4, 6) == 0) return true;
            [[fallthrough]];
        case 6: return naive_add(l4, naive_pseudo_v4(get32(p, at + 12), get32(p, at + 16), p[at + 9], l4.size())) == 0xffff;
        case 1: {
            if (naive_add(l4) != 0xffff) return false;
            const std::uint8_t t = l4[0];
            if (!quoted && (t == 3 || t == 11 || t == 12)) return checksums_ok(p, at + hl + 8, true);
            return true;
        }
        default: return true;
    }
}

}  // namespace s46::dataplane::test
