#include "core/net/checksum.hpp"

#include <bit>
#include <cstring>

namespace s46::net {

namespace {

// One's complement addition in 64 bits: the carry out of bit 63 wraps to bit 0.
// 2^64-1 is a multiple of 2^16-1, so folding the result gives the 16-bit sum.
inline std::uint64_t add_end_around(std::uint64_t acc, std::uint64_t w) {
    acc += w;
    return acc + (acc < w);
}

inline std::uint64_t load_native64(const std::uint8_t* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);  // alignment-safe; compiles to one load
    return v;
}

}  // namespace

std::uint64_t checksum_add(std::span<const std::uint8_t> data, std::uint64_t sum) {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();

    // Bulk: native-order 64-bit words, two independent accumulators to keep the
    // carry chains short. The folded result is in native byte order.
    std::uint64_t a = 0, b = 0;
    for (; n >= 32; p += 32, n -= 32) {
        a = add_end_around(a, load_native64(p));
        b = add_end_around(b, load_native64(p + 8));
        a = add_end_around(a, load_native64(p + 16));
        b = add_end_around(b, load_native64(p + 24));
    }
    for (; n >= 8; p += 8, n -= 8) a = add_end_around(a, load_native64(p));
    std::uint16_t bulk = checksum_fold(add_end_around(a, b));
    if constexpr (std::endian::native == std::endian::little) bulk = byte_swap16(bulk);
    sum += bulk;

    // Tail (< 8 bytes) directly as big-endian words; it starts at an even offset.
    for (; n >= 2; p += 2, n -= 2) sum += load_be16(p);
    if (n) sum += std::uint64_t{*p} << 8;
    return sum;
}

std::uint16_t checksum_adjust_bytes(std::uint16_t hc, std::span<const std::uint8_t> old_bytes,
                                    std::span<const std::uint8_t> new_bytes, bool odd_offset) {
    // RFC 1624 eqn. 3 applied to every word of the field at once: ~m per old word, m'
    // per new word. Word by word rather than ~sum(old) so that the one case where the
    // sum is exactly zero is decided the same way as for checksum_adjust16.
    std::uint64_t delta = 0;
    std::size_t i = 0;
    for (; i + 1 < old_bytes.size(); i += 2) delta += static_cast<std::uint16_t>(~load_be16(&old_bytes[i]));
    if (i < old_bytes.size()) delta += static_cast<std::uint16_t>(~(old_bytes[i] << 8));
    delta = checksum_add(new_bytes, delta);
    std::uint16_t d = checksum_fold(delta);
    if (odd_offset) d = byte_swap16(d);
    std::uint64_t s = std::uint64_t{static_cast<std::uint16_t>(~hc)} + d;
    return static_cast<std::uint16_t>(~checksum_fold(s));
}

}  // namespace s46::net
