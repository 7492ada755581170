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

// RFC 1812 §5.3.1: TTL one less, header checksum fixed incrementally (RFC 1624 eqn. 3) over the
// TTL/protocol word, which drops by 0x0100. Inline: net::Ipv4View::adjust_checksum16 is a call.
[[gnu::always_inline]] inline void decrement_ttl(net::Ipv4View& ip) {
    std::uint8_t* h = ip.header().data();
    const std::uint16_t before = static_cast<std::uint16_t>((h[8] << 8) | h[9]);
    h[8] = static_cast<std::uint8_t>(h[8] - 1);
    net::store_be16(h + 10, net::checksum_adjust16(net::load_be16(h + 10), before, static_cast<std::uint16_t>(before - 0x100)));
}

}  // namespace s46::dataplane
