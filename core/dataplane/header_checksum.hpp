// The IPv4 header checksum on the packet path, checked and updated inline. The check: the
// header is 20 to 60 bytes, a multiple of 4, so summing 32-bit words and folding once (RFC 1071
// §2(C): the sum may be accumulated in wider words and folded at the end) beats the general
// out-of-line net::checksum_add(), which measured about a quarter of a DS-Lite packet's cost.
#pragma once

#include <cstdint>

#include "core/net/bytes.hpp"
#include "core/net/checksum.hpp"
#include "core/net/ipv4_packet.hpp"

namespace s46::dataplane {

inline bool header_checksum_ok(const net::Ipv4View& ip) {
    const std::uint8_t* h = ip.header().data();
    const std::size_t len = ip.header_length();
    // Nearly every datagram has no options: five words, unrolled (the loop's counter and
    // branch were as many instructions as the sum; bench/pipeline_bench.cpp).
    std::uint64_t sum = std::uint64_t{net::load_be32(h)} + net::load_be32(h + 4) + net::load_be32(h + 8) +
                        net::load_be32(h + 12) + net::load_be32(h + 16);
    for (std::size_t i = 20; i < len; i += 4) sum += net::load_be32(h + i);
    return net::checksum_fold(sum) == 0xffff;
}

// RFC 1812 §5.3.1: TTL one less, header checksum fixed incrementally over the TTL/protocol
// word, which drops by 0x0100 (the caller has checked TTL > 1). RFC 1624 eqn. 3 with
// ~m + m' = ~0x0100 = 0xFEFF: HC' = ~(~HC + 0xFEFF), one end-around carry at most (the sum is
// below 0x1FEFF). The same result as net::checksum_adjust16, in a few instructions instead of
// a general fold, inline (the view's adjust_checksum16 is a call).
[[gnu::always_inline]] inline void decrement_ttl(net::Ipv4View& ip) {
    std::uint8_t* h = ip.header().data();
    h[8] = static_cast<std::uint8_t>(h[8] - 1);
    std::uint32_t sum = static_cast<std::uint16_t>(~net::load_be16(h + 10)) + 0xfeffu;
    sum = (sum & 0xffffu) + (sum >> 16);
    net::store_be16(h + 10, static_cast<std::uint16_t>(~sum));
}

}  // namespace s46::dataplane
