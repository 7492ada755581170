// The Internet checksum (RFC 1071), the TCP/UDP/ICMPv6 pseudo-header sums, and the
// RFC 1624 incremental update that NAPT uses when it rewrites addresses and ports.
//
// Vocabulary: a "sum" is an unfolded one's complement accumulation of 16-bit
// big-endian words held in a uint64_t. Sums of separate pieces simply add with `+`
// (RFC 1071 §2(A), associativity) provided every piece but the last has an even
// length; fold it to 16 bits with checksum_fold() and invert with checksum_finish().
//
// Zero has two one's complement representations, 0x0000 (+0) and 0xFFFF (-0).
// checksum_fold() returns 0x0000 only for data that is entirely zero, so a finished
// checksum is 0xFFFF only in that case; every real packet header contains a nonzero
// word (version, protocol, length) so computed checksums lie in 0x0000..0xFFFE.
// The UDP twist (RFC 768: a computed 0x0000 is sent as 0xFFFF, and 0x0000 on the wire
// means "no checksum") lives in udp.hpp, not here.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/net/bytes.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"

namespace s46::net {

// Adds the bytes of `data` to `sum` as big-endian 16-bit words; an odd final byte is
// padded with a zero low byte (RFC 1071 §1). 64-bit native loads with end-around carry,
// byte-swapped once at the end (RFC 1071 §2(B): the sum is byte-order independent).
std::uint64_t checksum_add(std::span<const std::uint8_t> data, std::uint64_t sum = 0);

// Folds a sum to 16 bits with end-around carries. Returns 0 only if `sum` is 0.
constexpr std::uint16_t checksum_fold(std::uint64_t sum) {
    sum = (sum & 0xffffffffu) + (sum >> 32);  // < 2^33
    sum = (sum & 0xffffu) + (sum >> 16);      // < 2^17 + 2^16
    sum = (sum & 0xffffu) + (sum >> 16);      // <= 0x10001
    sum = (sum & 0xffffu) + (sum >> 16);      // <= 0xffff
    return static_cast<std::uint16_t>(sum);
}

// The value that goes into a checksum field: the complement of the folded sum.
constexpr std::uint16_t checksum_finish(std::uint64_t sum) { return static_cast<std::uint16_t>(~checksum_fold(sum)); }

// Checksum of a self-contained block (IPv4 header, ICMPv4 message) whose checksum
// field is zero. To verify instead, sum the block with its checksum field in place:
// the data is intact when checksum_fold() of that sum is 0xFFFF.
inline std::uint16_t internet_checksum(std::span<const std::uint8_t> data) { return checksum_finish(checksum_add(data)); }

// RFC 9293 §3.1 / RFC 768: source, destination, zero, protocol, upper-layer length.
constexpr std::uint64_t pseudo_header_sum_v4(Ipv4Address src, Ipv4Address dst, std::uint8_t protocol, std::uint16_t length) {
    return std::uint64_t{src.value >> 16} + (src.value & 0xffffu) + (dst.value >> 16) + (dst.value & 0xffffu) + protocol +
           length;
}

// RFC 8200 §8.1: source, destination, 32-bit upper-layer length, three zero bytes, next header.
// `length` is that of the upper-layer packet (header plus data), without extension headers.
constexpr std::uint64_t pseudo_header_sum_v6(std::span<const std::uint8_t, 16> src, std::span<const std::uint8_t, 16> dst,
                                             std::uint32_t length, std::uint8_t next_header) {
    std::uint64_t s = std::uint64_t{length >> 16} + (length & 0xffffu) + next_header;
    for (std::size_t i = 0; i < 16; i += 2) s += load_be16(&src[i]) + load_be16(&dst[i]);
    return s;
}

constexpr std::uint64_t pseudo_header_sum_v6(const Ipv6Address& src, const Ipv6Address& dst, std::uint32_t length,
                                             std::uint8_t next_header) {
    return pseudo_header_sum_v6(std::span<const std::uint8_t, 16>(src.bytes), std::span<const std::uint8_t, 16>(dst.bytes),
                                length, next_header);
}

// ---- RFC 1624 incremental update ----
//
// Eqn. 3: HC' = ~(~HC + ~m + m'). Unlike RFC 1141's HC' = HC + m - m' (RFC 1624 §3), it
// never yields 0xFFFF where a full recomputation gives 0x0000, so a header rewritten
// incrementally is bit-identical to one recomputed from scratch -- provided the data
// after the rewrite is not entirely zero. For all-zero data the right checksum is
// 0xFFFF (checksum_finish(0)) but eqn. 3 gives 0x0000, which fails verification.
// IPv4 headers (version), TCP, UDP and ICMPv6 (protocol in the pseudo-header) always
// contain a nonzero word; ICMPv4 does not, and Icmpv4View corrects for it. Found by
// fuzz/packet_view_fuzz.cpp.

constexpr std::uint16_t checksum_adjust16(std::uint16_t hc, std::uint16_t old_word, std::uint16_t new_word) {
    std::uint64_t s = std::uint64_t{static_cast<std::uint16_t>(~hc)} + static_cast<std::uint16_t>(~old_word) + new_word;
    return static_cast<std::uint16_t>(~checksum_fold(s));
}

// A 32-bit field (an IPv4 address, a TCP sequence number) is two 16-bit words.
constexpr std::uint16_t checksum_adjust32(std::uint16_t hc, std::uint32_t old_value, std::uint32_t new_value) {
    std::uint64_t s = std::uint64_t{static_cast<std::uint16_t>(~hc)} + static_cast<std::uint16_t>(~(old_value >> 16)) +
                      static_cast<std::uint16_t>(~old_value) + (new_value >> 16) + (new_value & 0xffffu);
    return static_cast<std::uint16_t>(~checksum_fold(s));
}

constexpr std::uint16_t byte_swap16(std::uint16_t v) { return static_cast<std::uint16_t>((v << 8) | (v >> 8)); }

// A field of any length (an IPv6 address) changing from `old_bytes` to `new_bytes`
// (same size). `odd_offset` says the field starts at an odd byte offset within the
// checksummed data: its bytes then straddle word boundaries and their contribution is
// byte-swapped (RFC 1071 §2(B)), which matters for TCP options such as the MSS value.
std::uint16_t checksum_adjust_bytes(std::uint16_t hc, std::span<const std::uint8_t> old_bytes,
                                    std::span<const std::uint8_t> new_bytes, bool odd_offset = false);

}  // namespace s46::net
