// In-place rewriting of one endpoint (address + port or ICMP identifier) of an IPv4
// datagram, with the IPv4 header checksum and the transport checksum updated
// incrementally (RFC 1624 eqn. 3) instead of recomputed: the cost does not depend on
// the payload length, and a wrong checksum stays wrong rather than being laundered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/napt/protocol.hpp"
#include "core/net/bytes.hpp"
#include "core/net/checksum.hpp"
#include "core/net/ipv4_packet.hpp"

namespace s46::napt::rewrite {

// Where the fields sit (RFC 791 §3.1, RFC 768, RFC 9293 §3.1, RFC 792).
inline constexpr std::size_t ipv4_checksum = 10;
inline constexpr std::size_t ipv4_src = 12;
inline constexpr std::size_t ipv4_dst = 16;
inline constexpr std::size_t src_port = 0;
inline constexpr std::size_t dst_port = 2;
inline constexpr std::size_t icmp_identifier = 4;

constexpr std::size_t checksum_offset(Protocol p) {
    switch (p) {
        case Protocol::udp: return 6;
        case Protocol::tcp: return 16;
        case Protocol::icmp: return 2;
    }
    return 0;
}

// RFC 1624 eqn. 3 for an IPv4 address (part of the pseudo-header) and a port changing
// together, folded once.
constexpr std::uint16_t adjust_address_port(std::uint16_t hc, std::uint32_t old_address, std::uint32_t new_address,
                                            std::uint16_t old_port, std::uint16_t new_port) {
    const std::uint64_t s = std::uint64_t{static_cast<std::uint16_t>(~hc)} +
                            static_cast<std::uint16_t>(~(old_address >> 16)) + static_cast<std::uint16_t>(~old_address) +
                            (new_address >> 16) + (new_address & 0xffffu) + static_cast<std::uint16_t>(~old_port) + new_port;
    return static_cast<std::uint16_t>(~net::checksum_fold(s));
}

// The transport checksum after the address and the port/identifier changed. UDP: an
// absent checksum (0) stays absent and a computed 0 is sent as 0xFFFF (RFC 768). ICMP has
// no pseudo-header (RFC 792), so only the identifier counts.
constexpr std::uint16_t transport_checksum(Protocol p, std::uint16_t hc, std::uint32_t old_address,
                                           std::uint32_t new_address, std::uint16_t old_port, std::uint16_t new_port) {
    switch (p) {
        case Protocol::udp: {
            if (hc == 0) return 0;
            const std::uint16_t c = adjust_address_port(hc, old_address, new_address, old_port, new_port);
            return c == 0 ? 0xffff : c;
        }
        case Protocol::tcp: return adjust_address_port(hc, old_address, new_address, old_port, new_port);
        case Protocol::icmp: return net::checksum_adjust16(hc, old_port, new_port);
    }
    return hc;
}

// RFC 1624 eqn. 3 gives 0x0000 for an ICMP message that is entirely zero, whose checksum
// must be 0xFFFF (checksum.hpp; found by fuzz/packet_view_fuzz). Only an Echo Reply with
// identifier, sequence and data all zero can be one; look at the bytes only then.
inline std::uint16_t icmp_all_zero_fixup(std::uint16_t c, std::span<const std::uint8_t> message) {
    if (c != 0) return c;
    for (std::size_t i = 0; i < message.size(); ++i)
        if (i != 2 && i != 3 && message[i] != 0) return c;
    return 0xffff;
}

// Rewrites the address at `ip + address_offset` and the 16-bit field at
// `l4 + port_offset`, then fixes both checksums. `whole` is false for a first fragment:
// the ICMP all-zero case then cannot be told from the bytes at hand and is left alone.
inline void endpoint(std::uint8_t* ip, std::size_t address_offset, std::span<std::uint8_t> l4, Protocol p,
                     std::size_t port_offset, std::uint32_t new_address, std::uint16_t new_port, bool whole) {
    const std::uint32_t old_address = net::load_be32(ip + address_offset);
    const std::uint16_t old_port = net::load_be16(&l4[port_offset]);
    net::store_be32(ip + address_offset, new_address);
    net::store_be16(ip + ipv4_checksum,
                    net::checksum_adjust32(net::load_be16(ip + ipv4_checksum), old_address, new_address));
    net::store_be16(&l4[port_offset], new_port);
    std::uint8_t* sum = &l4[checksum_offset(p)];
    std::uint16_t c = transport_checksum(p, net::load_be16(sum), old_address, new_address, old_port, new_port);
    if (p == Protocol::icmp && whole) c = icmp_all_zero_fixup(c, l4);
    net::store_be16(sum, c);
}

// Rewrites one endpoint of a quoted datagram -- the start of a packet inside an ICMP error
// (RFC 5508 REQ-3), header whole, data possibly cut short -- with its header checksum and, when
// the quote reaches it, its transport checksum (a TCP quote of 8 bytes has none). Returns
// `enclosing_checksum`, the ICMP error's own checksum, adjusted for every word changed: they all
// lie at even offsets of the ICMP message (the quote starts at byte 8 and its header is a
// multiple of 4), so plain 16-bit updates apply. A caller that computes the enclosing checksum
// afterwards ignores the result. The one place the quoted packet is rewritten: the NAPT's ICMP
// error translation (napt_icmp_error.cpp) and the pipeline's restore of a quote it generates an
// error about (core/dataplane/napt_adapter.cpp).
inline std::uint16_t quoted_endpoint(net::Ipv4View& quoted, Protocol p, std::size_t address_offset, std::size_t port_offset,
                                     std::uint32_t new_address, std::uint16_t new_port, std::uint16_t enclosing_checksum) {
    std::uint8_t* ip = quoted.datagram().data();
    const std::span<std::uint8_t> l4 = quoted.payload();
    const std::uint32_t old_address = net::load_be32(ip + address_offset);
    const std::uint16_t old_port = net::load_be16(&l4[port_offset]);
    const std::uint16_t old_ip_sum = quoted.checksum();

    net::store_be32(ip + address_offset, new_address);
    quoted.adjust_checksum32(old_address, new_address);
    net::store_be16(&l4[port_offset], new_port);
    std::uint16_t outer = net::checksum_adjust32(enclosing_checksum, old_address, new_address);
    outer = net::checksum_adjust16(outer, old_ip_sum, quoted.checksum());
    outer = net::checksum_adjust16(outer, old_port, new_port);
    const std::size_t sum_at = checksum_offset(p);
    if (l4.size() >= sum_at + 2) {
        const std::uint16_t old_sum = net::load_be16(&l4[sum_at]);
        const std::uint16_t new_sum = transport_checksum(p, old_sum, old_address, new_address, old_port, new_port);
        net::store_be16(&l4[sum_at], new_sum);
        outer = net::checksum_adjust16(outer, old_sum, new_sum);
    }
    return outer;
}

}  // namespace s46::napt::rewrite
