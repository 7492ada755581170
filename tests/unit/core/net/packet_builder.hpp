// Hand-rolled packet construction and a deliberately naive RFC 1071 checksum for the
// packet-view tests. Nothing here uses the code under test, so the tests compare the
// optimised implementation with an independent, obviously-correct one.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

namespace s46::test {

using Bytes = std::vector<std::uint8_t>;

// Byte at a time, 16-bit big-endian words, fold after every addition (RFC 1071 §4.1 style).
inline std::uint16_t naive_sum(const Bytes& b) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < b.size(); i += 2) {
        std::uint32_t word = std::uint32_t{b[i]} << 8;
        if (i + 1 < b.size()) word |= b[i + 1];
        sum += word;
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<std::uint16_t>(sum);
}

inline std::uint16_t naive_checksum(const Bytes& b) { return static_cast<std::uint16_t>(~naive_sum(b)); }

inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

inline void put16(Bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}

inline void put32(Bytes& b, std::size_t at, std::uint32_t v) {
    put16(b, at, static_cast<std::uint16_t>(v >> 16));
    put16(b, at + 2, static_cast<std::uint16_t>(v));
}

inline std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
inline std::uint32_t get32(std::span<const std::uint8_t> b, std::size_t at) {
    return (std::uint32_t{get16(b, at)} << 16) | get16(b, at + 2);
}

// RFC 791 header with a correct checksum; `options` must be a multiple of 4 bytes.
inline Bytes ipv4_header(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, std::size_t payload_len,
                         const Bytes& options = {}, std::uint8_t ttl = 64) {
    Bytes h(20, 0);
    h[0] = static_cast<std::uint8_t>(0x40 | ((20 + options.size()) / 4));
    h[1] = 0xb8;  // DSCP EF (46), ECN 0
    put16(h, 2, static_cast<std::uint16_t>(20 + options.size() + payload_len));
    put16(h, 4, 0x1c46);
    put16(h, 6, 0x4000);  // DF
    h[8] = ttl;
    h[9] = proto;
    put32(h, 12, src);
    put32(h, 16, dst);
    h.insert(h.end(), options.begin(), options.end());
    put16(h, 10, naive_checksum(h));
    return h;
}

// RFC 8200 header.
inline Bytes ipv6_header(const Bytes& src16, const Bytes& dst16, std::uint8_t next, std::size_t payload_len,
                         std::uint8_t hop = 64) {
    Bytes h{0x6b, 0x8a, 0xbc, 0xde};  // version 6, traffic class 0xb8, flow label 0xabcde
    h.resize(8);
    put16(h, 4, static_cast<std::uint16_t>(payload_len));
    h[6] = next;
    h[7] = hop;
    return cat({h, src16, dst16});
}

// The pseudo-headers, as bytes (RFC 9293 §3.1, RFC 8200 §8.1).
inline Bytes pseudo_v4(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, std::uint16_t len) {
    Bytes p(12, 0);
    put32(p, 0, src);
    put32(p, 4, dst);
    p[9] = proto;
    put16(p, 10, len);
    return p;
}

inline Bytes pseudo_v6(const Bytes& src16, const Bytes& dst16, std::uint32_t len, std::uint8_t next) {
    Bytes tail(8, 0);
    put32(tail, 0, len);
    tail[7] = next;
    return cat({src16, dst16, tail});
}

inline Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
    Bytes h(8, 0);
    put16(h, 0, sport);
    put16(h, 2, dport);
    put16(h, 4, static_cast<std::uint16_t>(8 + payload.size()));
    return cat({h, payload});
}

// TCP header without checksum; `options` must be a multiple of 4 bytes.
inline Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                 const Bytes& options, const Bytes& payload) {
    Bytes h(20, 0);
    put16(h, 0, sport);
    put16(h, 2, dport);
    put32(h, 4, seq);
    put32(h, 8, ack);
    h[12] = static_cast<std::uint8_t>(((20 + options.size()) / 4) << 4);
    h[13] = flags;
    put16(h, 14, 65535);
    put16(h, 18, 0);
    return cat({h, options, payload});
}

inline const Bytes v6_a{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};  // 2001:db8::1
inline const Bytes v6_b{0x20, 0x01, 0x0d, 0xb8, 0, 0x12, 0x34, 0, 0, 0, 0xc0, 0, 0x02, 0x12, 0, 0x34};  // 2001:db8:12:3400:0:c000:212:34

}  // namespace s46::test
