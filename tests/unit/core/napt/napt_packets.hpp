// Packets for the NAPT tests, and a from-scratch checksum check of a translated packet.
// Packets are built with the deliberately naive RFC 1071 sum of the packet-view tests
// (tests/unit/core/net/packet_builder.hpp); checks recompute every checksum with
// core/net/checksum.hpp and compare it with the field, so neither side is the incremental
// code under test.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "core/napt/napt.hpp"
#include "core/net/checksum.hpp"
#include "tests/unit/core/net/packet_builder.hpp"

namespace s46::napt::test {

using s46::test::Bytes;
using s46::test::get16;
using s46::test::put16;
using s46::test::put32;

constexpr std::uint32_t v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return net::Ipv4Address(a, b, c, d).value;
}

// Documentation addresses: LAN hosts in 192.168.1.0/24, remotes in 198.51.100.0/24 and
// 203.0.113.0/24, our external address 192.0.2.1.
inline constexpr std::uint32_t external_address = v4(192, 0, 2, 1);
inline constexpr std::uint32_t lan_a = v4(192, 168, 1, 10);
inline constexpr std::uint32_t lan_b = v4(192, 168, 1, 11);
inline constexpr std::uint32_t remote_x = v4(198, 51, 100, 7);
inline constexpr std::uint32_t remote_y = v4(203, 0, 113, 9);

inline Time at_s(std::int64_t s) { return std::chrono::seconds(s); }

// RFC 791 header with a correct checksum, no options. (Not packet_builder's ipv4_header:
// GCC 12 at -O3 reports a false -Warray-bounds in its empty-options insert.)
inline Bytes ipv4_header(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, std::size_t payload_len,
                         std::uint8_t ttl = 64) {
    Bytes h(20, 0);
    h[0] = 0x45;
    put16(h, 2, static_cast<std::uint16_t>(20 + payload_len));
    put16(h, 4, 0x1c46);
    put16(h, 6, 0x4000);  // DF
    h[8] = ttl;
    h[9] = proto;
    put32(h, 12, src);
    put32(h, 16, dst);
    put16(h, 10, s46::test::naive_checksum(h));
    return h;
}

inline Bytes concat(const Bytes& a, const Bytes& b) {
    Bytes out(a.size() + b.size());  // by index: GCC 12 -O3 misreads std::copy of empty ranges
    for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i];
    for (std::size_t i = 0; i < b.size(); ++i) out[a.size() + i] = b[i];
    return out;
}

inline Bytes udp_header_and_payload(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
    Bytes h(8, 0);
    put16(h, 0, sport);
    put16(h, 2, dport);
    put16(h, 4, static_cast<std::uint16_t>(8 + payload.size()));
    return concat(h, payload);
}

inline Bytes tcp_header_and_payload(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                                    std::uint8_t flags, const Bytes& payload) {
    Bytes h(20, 0);
    put16(h, 0, sport);
    put16(h, 2, dport);
    put32(h, 4, seq);
    put32(h, 8, ack);
    h[12] = 5 << 4;
    h[13] = flags;
    put16(h, 14, 65535);
    return concat(h, payload);
}

inline std::uint16_t naive_udp_like_checksum(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, const Bytes& l4) {
    return s46::test::naive_checksum(concat(s46::test::pseudo_v4(src, dst, proto, static_cast<std::uint16_t>(l4.size())), l4));
}

inline Bytes udp_packet(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
                        std::size_t payload_len = 8, bool no_checksum = false) {
    Bytes payload(payload_len);
    for (std::size_t i = 0; i < payload_len; ++i) payload[i] = static_cast<std::uint8_t>(0x30 + i);
    Bytes l4 = udp_header_and_payload(sport, dport, payload);
    if (!no_checksum) {
        std::uint16_t c = naive_udp_like_checksum(src, dst, 17, l4);
        put16(l4, 6, c == 0 ? 0xffff : c);
    }
    return concat(ipv4_header(src, dst, 17, l4.size()), l4);
}

inline Bytes tcp_packet(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
                        std::uint8_t flags, std::size_t payload_len = 0) {
    Bytes payload(payload_len, 0x5a);
    Bytes l4 = tcp_header_and_payload(sport, dport, 0x01020304, (flags & 0x10) ? 0x0a0b0c0d : 0, flags, payload);
    put16(l4, 16, naive_udp_like_checksum(src, dst, 6, l4));
    return concat(ipv4_header(src, dst, 6, l4.size()), l4);
}

inline Bytes icmp_message(std::uint8_t type, std::uint8_t code, std::uint32_t rest, const Bytes& body) {
    Bytes m(8, 0);
    m[0] = type;
    m[1] = code;
    put32(m, 4, rest);
    m = concat(m, body);
    put16(m, 2, s46::test::naive_checksum(m));
    return m;
}

inline Bytes echo_packet(std::uint32_t src, std::uint32_t dst, std::uint8_t type, std::uint16_t id, std::uint16_t seq = 1,
                         std::size_t payload_len = 16) {
    Bytes body(payload_len, 0xab);
    Bytes m = icmp_message(type, 0, (std::uint32_t{id} << 16) | seq, body);
    return concat(ipv4_header(src, dst, 1, m.size()), m);
}

// An ICMP error from `src` to `dst` quoting the first `quote_len` bytes of `offending`
// (all of it when quote_len is larger).
inline Bytes icmp_error(std::uint32_t src, std::uint32_t dst, std::uint8_t type, std::uint8_t code, const Bytes& offending,
                        std::size_t quote_len = 576) {
    Bytes quote(offending.begin(), offending.begin() + static_cast<std::ptrdiff_t>(std::min(quote_len, offending.size())));
    Bytes m = icmp_message(type, code, 0, quote);
    return concat(ipv4_header(src, dst, 1, m.size()), m);
}

struct Endpoints {
    std::uint32_t src = 0, dst = 0;
    std::uint16_t sport = 0, dport = 0;  // ICMP echo: the identifier in both
    friend bool operator==(const Endpoints&, const Endpoints&) = default;
};

inline Endpoints endpoints(const Bytes& p, std::size_t at = 0) {
    Endpoints e;
    e.src = (std::uint32_t{get16(p, at + 12)} << 16) | get16(p, at + 14);
    e.dst = (std::uint32_t{get16(p, at + 16)} << 16) | get16(p, at + 18);
    const std::size_t l4 = at + std::size_t{p[at] & 0x0fu} * 4;
    if (p[at + 9] == 1) {
        e.sport = e.dport = get16(p, l4 + 4);
    } else {
        e.sport = get16(p, l4);
        e.dport = get16(p, l4 + 2);
    }
    return e;
}

// Where the quoted datagram of an ICMP error starts.
inline std::size_t quote_offset(const Bytes& p) { return std::size_t{p[0] & 0x0fu} * 4 + 8; }

// The checksum a transport header should carry, computed from scratch with core/net.
inline std::uint16_t fresh_transport_checksum(std::span<const std::uint8_t> ip_header, std::span<const std::uint8_t> l4,
                                              std::uint8_t proto, std::size_t checksum_at) {
    std::uint64_t sum = 0;
    if (proto != 1) {
        const net::Ipv4Address src{net::load_be32(&ip_header[12])}, dst{net::load_be32(&ip_header[16])};
        sum = net::pseudo_header_sum_v4(src, dst, proto, static_cast<std::uint16_t>(l4.size()));
    }
    sum = net::checksum_add(l4.first(checksum_at), sum);
    sum = net::checksum_add(l4.subspan(checksum_at + 2), sum);
    std::uint16_t c = net::checksum_finish(sum);
    if (proto == 17 && c == 0) c = 0xffff;
    return c;
}

// Every checksum of a whole datagram (and of a complete quote inside an ICMP error)
// equals a recomputation from scratch. A UDP checksum of 0 must be 0 in `original` too.
inline bool checksums_match(const Bytes& p, const Bytes& original = {}, std::size_t at = 0, bool quoted = false) {
    const std::size_t hl = std::size_t{p[at] & 0x0fu} * 4;
    const std::size_t total = get16(p, at + 2);
    std::span<const std::uint8_t> all(p);
    if (at + total > p.size()) return quoted;  // a quote cut short: nothing more to check
    auto header = all.subspan(at, hl);
    Bytes h(header.begin(), header.end());
    put16(h, 10, 0);
    if (net::internet_checksum(h) != get16(p, at + 10)) return false;
    const std::uint8_t proto = p[at + 9];
    auto l4 = all.subspan(at + hl, total - hl);
    switch (proto) {
        case 17:
            if (get16(p, at + hl + 6) == 0) return original.empty() || get16(original, at + hl + 6) == 0;
            return fresh_transport_checksum(header, l4, 17, 6) == get16(p, at + hl + 6);
        case 6: return fresh_transport_checksum(header, l4, 6, 16) == get16(p, at + hl + 16);
        case 1: {
            std::uint16_t c = fresh_transport_checksum(header, l4, 1, 2);
            if (c != get16(p, at + hl + 2)) return false;
            const std::uint8_t type = p[at + hl];
            const bool error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
            if (error && !quoted) return checksums_match(p, original, at + hl + 8, true);
            return true;
        }
        default: return true;
    }
}

}  // namespace s46::napt::test
